//! Data-driven snapshots of parsed files: the whole model and every
//! diagnostic, reviewed once and then held (`cargo insta review` to accept a
//! deliberate change).

// Test helpers may unwrap: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::json;

fn snapshot_of(rel: &str) -> serde_json::Value {
    let r = read_path(&data(rel));
    assert!(r.ok(), "{rel}: {:?}", r.error);
    json!({
        "header": r.header,
        "file_diagnostics": r.file_diagnostics,
        "activities": r.activities.iter().map(|p| json!({
            "activity": p.activity,
            "diagnostics": p.diagnostics,
        })).collect::<Vec<_>>(),
    })
}

#[test]
fn tonga_undp_2_02() {
    insta::assert_json_snapshot!(snapshot_of(
        "iati/activities/pacific/undp-open-undp-org_Tonga_projects.xml"
    ));
}

#[test]
fn iati_2_03_annotated_example() {
    insta::assert_json_snapshot!(snapshot_of(
        "iati/activities/examples/iati-cloud_activity-standard-example-annotated-203.xml"
    ));
}

#[test]
fn iati_1_05_annotated_example() {
    insta::assert_json_snapshot!(snapshot_of(
        "iati/activities/examples/iati-cloud_activity-standard-example-annotated-105.xml"
    ));
}
