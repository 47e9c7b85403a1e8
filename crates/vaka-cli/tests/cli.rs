//! The `vaka` binary, run as a user runs it, on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;
use vaka_testkit::{TestDb, both_backends, bundled_data, shared_data};

fn vaka(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vaka"))
        .arg("--db")
        .arg(&db.url)
        .args(args)
        .env("RUST_LOG", "error")
        .output()
        .expect("run vaka")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

/// Compare `vaka stats --json` with the figures of an independent reading of the
/// files (`scripts/expected_stats.py`, stored in `tests/expected_stats.json`).
fn assert_matches_expected(stats: &Value) {
    let expected: Value =
        serde_json::from_str(include_str!("expected_stats.json")).expect("expected_stats.json");
    let expected = expected.as_object().unwrap();
    let got = stats["by_reporting_org"].as_array().unwrap();
    assert_eq!(got.len(), expected.len(), "number of publishers");
    let mut activities = 0;
    for org in got {
        let r = org["ref"].as_str().unwrap();
        let e = &expected[r];
        assert_eq!(org["activities"], e["activities"], "activities of {r}");
        activities += org["activities"].as_u64().unwrap();
        let txs = org["transactions"].as_array().unwrap();
        let etx = e["transactions"].as_object().unwrap();
        assert_eq!(txs.len(), etx.len(), "transaction groups of {r}");
        for t in txs {
            let key = format!(
                "{}|{}",
                t["type"].as_str().unwrap(),
                t["currency"].as_str().unwrap()
            );
            let want = &etx[&key];
            assert_eq!(t["count"], want["count"], "{r} {key} count");
            let got_sum = Decimal::from_str(t["sum"].as_str().unwrap()).unwrap();
            let want_sum = Decimal::from_str(want["sum"].as_str().unwrap()).unwrap();
            assert_eq!(got_sum, want_sum, "{r} {key} sum");
        }
    }
    assert_eq!(stats["activities"].as_u64().unwrap(), activities);
}

both_backends!(
    every_shared_activity_file_imports_and_reconciles,
    |db: TestDb| async move {
        let all = shared_data().join("iati/activities");
        let out = vaka(&db, &["import", "iati", all.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
        assert!(stdout(&out).contains("0 rejected"), "{}", stdout(&out));
        let stats = vaka(&db, &["stats", "--json"]);
        assert_eq!(stats.status.code(), Some(0));
        assert_matches_expected(&json(&stats));

        // A second run changes nothing and says so.
        let again = vaka(&db, &["import", "iati", all.to_str().unwrap()]);
        assert_eq!(again.status.code(), Some(0));
        assert!(stdout(&again).contains("0 imported"), "{}", stdout(&again));
        assert_eq!(json(&vaka(&db, &["stats", "--json"])), json(&stats));
    }
);

both_backends!(
    a_rejected_file_exits_1_and_names_the_file,
    |db: TestDb| async move {
        let broken = shared_data().join("iati/fixtures/iati-datastore/broken.xml");
        let tonga = bundled_data().join("iati/pacific/undp-open-undp-org_Tonga_projects.xml");
        let out = vaka(
            &db,
            &[
                "import",
                "iati",
                broken.to_str().unwrap(),
                tonga.to_str().unwrap(),
            ],
        );
        assert_eq!(out.status.code(), Some(1));
        let text = stdout(&out);
        assert!(
            text.contains("1 imported") && text.contains("1 rejected"),
            "{text}"
        );
        let line = text
            .lines()
            .find(|l| l.contains("rejected ") && l.contains("broken.xml"))
            .unwrap();
        assert!(
            line.contains("line "),
            "the reason gives a position: {line}"
        );
        let stats = json(&vaka(&db, &["stats", "--json"]));
        assert_eq!(stats["datasets"], 1);
    }
);

both_backends!(diagnostics_list_file_and_line, |db: TestDb| async move {
    let f = shared_data().join("iati/activities/legacy-1.0x/iati-datastore_missing_dates.xml");
    assert_eq!(
        vaka(&db, &["import", "iati", f.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    let out = vaka(&db, &["diagnostics", "--json", "--severity", "warning"]);
    let rows = json(&out);
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty());
    for r in rows {
        assert!(r["file"].as_str().unwrap().ends_with("missing_dates.xml"));
        assert!(r["line"].as_u64().unwrap() > 0);
    }
    let errors = json(&vaka(
        &db,
        &["diagnostics", "--json", "--severity", "error"],
    ));
    assert!(
        errors
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["severity"] != "warning")
    );
});

#[test]
fn usage_errors_exit_2() {
    let db = TestDb::sqlite();
    assert_eq!(vaka(&db, &["import", "iati"]).status.code(), Some(2));
    assert_eq!(
        vaka(&db, &["import", "iati", "/no/such/file.xml"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        vaka(&db, &["diagnostics", "--severity", "loud"])
            .status
            .code(),
        Some(2)
    );
    let bad = Command::new(env!("CARGO_BIN_EXE_vaka"))
        .args(["--db", "mysql://x", "stats"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unsupported database URL"));
}

/// Two `vaka import` processes at once on one PostgreSQL database, with
/// overlapping files, end with the same store as one sequential run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_imports_on_postgres_equal_a_sequential_run() {
    let concurrent = TestDb::postgres().await;
    let sequential = TestDb::postgres().await;
    // Make sure both databases are migrated before the race (the migration race
    // itself is covered by starting both processes on a fresh database below).
    let pacific = bundled_data().join("iati/pacific");
    let v2 = shared_data().join("iati/activities/v2.0x");
    let legacy = shared_data().join("iati/activities/legacy-1.0x");
    let set_a = [pacific.to_str().unwrap(), v2.to_str().unwrap()];
    let set_b = [
        v2.to_str().unwrap(),
        legacy.to_str().unwrap(),
        pacific.to_str().unwrap(),
    ];

    let spawn = |db: &TestDb, set: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_vaka"))
            .arg("--db")
            .arg(&db.url)
            .args(["import", "iati"])
            .args(set)
            .env("RUST_LOG", "error")
            .spawn()
            .unwrap()
    };
    let mut a = spawn(&concurrent, &set_a);
    let mut b = spawn(&concurrent, &set_b);
    let (ra, rb) = (a.wait().unwrap(), b.wait().unwrap());
    assert_eq!(ra.code(), Some(0), "first importer");
    assert_eq!(rb.code(), Some(0), "second importer");

    assert_eq!(
        vaka(&sequential, &["import", "iati", set_a[0], set_a[1]])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        vaka(
            &sequential,
            &["import", "iati", set_b[0], set_b[1], set_b[2]]
        )
        .status
        .code(),
        Some(0)
    );

    let s1 = json(&vaka(&concurrent, &["stats", "--json"]));
    let s2 = json(&vaka(&sequential, &["stats", "--json"]));
    assert_eq!(s1, s2);
    let st1 = concurrent.store().await;
    let st2 = sequential.store().await;
    let summarise = |d: Vec<vaka_store::datasets::DatasetInfo>| {
        d.into_iter()
            .map(|d| (d.path, d.sha256, d.activities, d.transactions))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        summarise(st1.datasets().await.unwrap()),
        summarise(st2.datasets().await.unwrap())
    );
    for d in st1.datasets().await.unwrap() {
        assert_eq!(
            st1.dataset_activity_ids(&d.path).await.unwrap(),
            st2.dataset_activity_ids(&d.path).await.unwrap(),
            "{}",
            d.path
        );
    }
    let m1 = st1.matrix(&matrix_request()).await.unwrap().to_json();
    let m2 = st2.matrix(&matrix_request()).await.unwrap().to_json();
    assert_eq!(m1, m2);
}

fn matrix_request() -> vaka_analysis::matrix::MatrixRequest {
    vaka_analysis::matrix::MatrixRequest {
        framework: Some("nz-japan-2019".into()),
        currency: "USD".into(),
        from_year: None,
        to_year: None,
        measure: vaka_analysis::matrix::MatrixMeasure::Disbursements,
        by: vec![
            vaka_analysis::matrix::Dim::Country,
            vaka_analysis::matrix::Dim::Area,
        ],
        partner_by: vaka_analysis::matrix::PartnerBy::Reporting,
    }
}

/// A copy of a real file with its activities repeated `copies` times under
/// fresh identifiers: large enough that importing it takes seconds.
fn repeated_file(dir: &std::path::Path, copies: usize) -> std::path::PathBuf {
    let src = bundled_data().join("iati/pacific/undp-open-undp-org_Fiji_projects.xml");
    let text = std::fs::read_to_string(src).unwrap();
    let first = text.find("<iati-activity ").unwrap();
    let end = text.rfind("</iati-activity>").unwrap() + "</iati-activity>".len();
    let (head, body, tail) = (&text[..first], &text[first..end], &text[end..]);
    let mut out = String::with_capacity(text.len() * copies);
    out.push_str(head);
    for i in 0..copies {
        out.push_str(&body.replace("<iati-identifier>", &format!("<iati-identifier>K{i}-")));
    }
    out.push_str(tail);
    let path = dir.join("repeated.xml");
    std::fs::write(&path, out).unwrap();
    path
}

both_backends!(
    a_killed_import_leaves_the_store_as_it_was,
    |db: TestDb| async move {
        let small = bundled_data().join("iati/pacific/undp-open-undp-org_Niue_projects.xml");
        assert_eq!(
            vaka(&db, &["import", "iati", small.to_str().unwrap()])
                .status
                .code(),
            Some(0)
        );
        let store = db.store().await;
        let before = store.dump().await.unwrap();

        let dir = tempfile::tempdir().unwrap();
        let big = repeated_file(dir.path(), 50);
        let mut child = Command::new(env!("CARGO_BIN_EXE_vaka"))
            .arg("--db")
            .arg(&db.url)
            .args(["import", "iati", big.to_str().unwrap()])
            .env("RUST_LOG", "error")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Let it write a good part of the file inside its transaction.
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert_eq!(
            status.code(),
            None,
            "the import finished before it was killed: make the file larger"
        );

        assert_eq!(store.dump().await.unwrap(), before, "the store changed");
        assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());
        // And the same file imports completely afterwards.
        let o = vaka(&db, &["import", "iati", big.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
        // The store opened before sees the other process's rows, full-text
        // index included.
        let found = store
            .search(&vaka_store::read::ActivityFilter {
                q: Some("Demobilisation".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(found.total > 0);
        assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());
    }
);
