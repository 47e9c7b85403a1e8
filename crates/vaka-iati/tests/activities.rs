//! The real activity files under `../shared/data/iati/activities`: every one
//! reads, the counts agree with `MANIFEST.csv`, and hand-checked values come
//! out right (including 1.0x normalisation and the `<result>` wrapper).

// Test helpers may unwrap: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use common::*;
use rust_decimal::Decimal;
use vaka_iati::{DiagnosticKind, IatiVersion, Severity};

struct Expected {
    activities: usize,
    transactions: Option<usize>,
    results: Option<usize>,
}

/// `file` → expected counts, from the manifest's columns.
fn manifest() -> BTreeMap<String, Expected> {
    let path = data("iati/activities/MANIFEST.csv");
    let mut rdr = csv::Reader::from_path(&path).expect("MANIFEST.csv");
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (file, acts, txs, res) = (
        col("file"),
        col("activities"),
        col("transactions"),
        col("results"),
    );
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let num = |i: usize| r.get(i).and_then(|v| v.trim().parse::<usize>().ok());
            let e = Expected {
                activities: num(acts).unwrap(),
                transactions: num(txs),
                results: num(res),
            };
            (r[file].to_owned(), e)
        })
        .collect()
}

#[test]
fn every_activity_file_reads_and_matches_the_manifest() {
    let manifest = manifest();
    let files = files_under(&data("iati/activities"), "xml");
    assert!(
        files.len() >= 36,
        "expected the whole activities folder, found {}",
        files.len()
    );
    for f in &files {
        let rel = f
            .strip_prefix(shared_data())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let rel = rel.strip_prefix("iati/").unwrap();
        let r = read_path(f);
        assert!(r.ok(), "{rel}: {}", r.error.unwrap());
        let want = manifest
            .get(rel)
            .unwrap_or_else(|| panic!("{rel} is not in MANIFEST.csv"));
        assert_eq!(r.activities.len(), want.activities, "{rel}: activity count");
        if let Some(t) = want.transactions {
            let got: usize = r
                .activities
                .iter()
                .map(|a| a.activity.transactions.len())
                .sum();
            assert_eq!(got, t, "{rel}: transaction count");
        }
        if let Some(n) = want.results {
            // The manifest counts every element named `result`, including the
            // IATI Datastore `<result>` wrapper around a whole file.
            let text = std::fs::read_to_string(f).unwrap();
            let wrapper = usize::from(text.contains("<result>\n") && text.contains("<ok>"));
            let got: usize = r.activities.iter().map(|a| a.activity.results.len()).sum();
            assert_eq!(got + wrapper, n, "{rel}: result count");
        }
    }
}

#[test]
fn tonga_values_checked_by_hand() {
    let r = read_path(&data(
        "iati/activities/pacific/undp-open-undp-org_Tonga_projects.xml",
    ));
    let h = r.header.as_ref().unwrap();
    assert_eq!(h.version, IatiVersion::V2_02);
    assert_eq!(h.declared_version.as_deref(), Some("2.02"));
    assert_eq!(h.generated_datetime.as_deref(), Some("2017-07-10T12:40:06"));
    assert_eq!(h.encoding, "UTF-8");
    assert!(!h.gzipped);

    let p = r.activity("XM-DAC-41114-OUTPUT-00075481");
    let a = &p.activity;
    assert_eq!(a.line, 113);
    assert_eq!(a.title_in("en"), Some("Tonga TNC"));
    assert_eq!(a.default_currency.as_deref(), Some("USD"));
    assert_eq!(a.lang.as_deref(), Some("en"));
    assert_eq!(a.hierarchy, Some(2));
    assert_eq!(a.reporting_org_ref(), "XM-DAC-41114");
    assert_eq!(a.status.as_deref(), Some("2"));
    assert_eq!(a.scope.as_deref(), Some("8"));
    assert_eq!(a.recipient_countries[0].code, "TO");
    assert_eq!(a.recipient_countries[0].narratives[0].text, "Tonga");
    assert_eq!(
        a.dates
            .iter()
            .map(|d| (d.type_.as_str(), d.iso_date.as_deref().unwrap()))
            .collect::<Vec<_>>(),
        [
            ("1", "2010-07-01"),
            ("2", "2010-07-01"),
            ("3", "2017-12-31")
        ]
    );
    // Location with a non-ASCII name and a point.
    let loc = &a.locations[0];
    assert_eq!(loc.name[0].text, "Nuku‘alofa");
    assert_eq!(loc.location_ids, [("G1".to_owned(), "4032402".to_owned())]);
    let pt = loc.point.unwrap();
    assert!((pt.lat + 21.13938).abs() < 1e-9 && (pt.lon + 175.2018).abs() < 1e-9);
    // Sectors of two vocabularies and a policy marker.
    assert_eq!(a.sectors.len(), 2);
    assert_eq!(
        (a.sectors[1].vocabulary.as_str(), a.sectors[1].code.as_str()),
        ("99", "1")
    );
    assert_eq!(a.policy_markers[0].significance.as_deref(), Some("0"));
    // Budgets and the first transaction.
    assert_eq!(a.budgets.len(), 6);
    assert_eq!(
        (a.budgets[0].type_.as_str(), a.budgets[0].status.as_str()),
        ("2", "2")
    );
    assert_eq!(
        a.budgets[0].value.as_ref().unwrap().amount,
        Decimal::from(66978)
    );
    let t = &a.transactions[0];
    assert_eq!(t.type_.as_deref(), Some("4"));
    assert_eq!(t.date.as_deref(), Some("2017-06-30"));
    let v = t.value.as_ref().unwrap();
    assert_eq!(v.amount, Decimal::from(-335));
    assert_eq!(v.currency.as_deref(), Some("USD"));
    assert_eq!(v.value_date.as_deref(), Some("2017-06-30"));
    assert_eq!(
        t.provider_org.as_ref().unwrap().ref_.as_deref(),
        Some("XM-DAC-41114")
    );
    assert_eq!(t.disbursement_channel.as_deref(), Some("2"));
    // Incoming funds carry the receiver's activity id.
    let incoming = a
        .transactions
        .iter()
        .find(|t| t.type_.as_deref() == Some("11"))
        .unwrap();
    assert_eq!(
        incoming
            .receiver_org
            .as_ref()
            .unwrap()
            .activity_id
            .as_deref(),
        Some("XM-DAC-41114-OUTPUT-00075481")
    );
    // Results: indicator baseline.
    let ind = &a.results[0].indicators[0];
    assert_eq!(a.results[0].type_.as_deref(), Some("1"));
    assert_eq!(a.results[0].aggregation_status, Some(true));
    assert_eq!(
        (ind.measure.as_deref(), ind.ascending),
        (Some("1"), Some(false))
    );
    let base = ind.baseline.as_ref().unwrap();
    assert_eq!(base.year.as_deref(), Some("2010"));
    assert_eq!(base.value, None, "an empty value attribute is absent");
    assert_eq!(base.comment[0].text, "0");
    assert_eq!(ind.periods[0].period_start.as_deref(), Some("2015-01-01"));
    assert!(
        ind.periods[0].targets[0].comment[0]
            .text
            .starts_with("1) Re-establish two Thematic Working Groups")
    );
    assert_eq!(a.conditions.as_ref().unwrap().attached, Some(false));
    assert_eq!(a.related_activities[0].type_, "1");
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    // The file's only finding: a withdrawn budget-identifier vocabulary, kept with a warning.
    let all: Vec<_> = r.all_diagnostics().collect();
    assert_eq!(all.len(), 1, "{all:?}");
    let d = all[0];
    assert_eq!(
        (d.severity, d.kind, d.line),
        (Severity::Warning, DiagnosticKind::InvalidCode, 586)
    );
    assert_eq!(d.activity.as_deref(), Some("XM-DAC-41114-OUTPUT-00088096"));
    assert_eq!(d.path, "country-budget-items/@vocabulary");
    let cbi = r
        .activity("XM-DAC-41114-OUTPUT-00088096")
        .activity
        .country_budget_items
        .as_ref()
        .unwrap();
    assert_eq!(cbi.vocabulary.as_deref(), Some("1"));

    let project = &r.activity("XM-DAC-41114-PROJECT-00060093").activity;
    assert_eq!(project.document_links.len(), 7);
    let dl = &project.document_links[0];
    assert_eq!(dl.format.as_deref(), Some("application/pdf"));
    assert_eq!(dl.categories, ["A01", "A02", "A03", "A04", "A05", "A08"]);
    assert_eq!(dl.languages, ["en"]);
    assert_eq!(
        project.contacts[0].email.as_deref(),
        Some("registry.fj@undp.org")
    );
    assert_eq!(project.participating_orgs.len(), 4);
    assert_eq!(project.participating_orgs[0].role.as_deref(), Some("4"));
    assert_eq!(project.participating_orgs[0].ref_.as_deref(), Some("01224"));
}

#[test]
fn v1_codes_are_normalised() {
    // IATI Datastore API output: <result> wrapper, no version, 1.0x codes.
    let r = read_path(&data(
        "iati/activities/legacy-1.0x/d-portal_test_activities.xml",
    ));
    assert!(r.ok());
    let h = r.header.as_ref().unwrap();
    assert_eq!(h.version, IatiVersion::PreV1);
    assert_eq!(
        h.generated_datetime.as_deref(),
        Some("2014-01-22T13:56:04.838825")
    );
    let a = &r.activity("GB-CHC-283302-GDRC08").activity;
    assert_eq!(
        a.title[0].text,
        "Promoting Gender Equality and Food Security in Mushie"
    );
    assert_eq!(a.title[0].lang.as_deref(), Some("en"));
    let roles: Vec<_> = a
        .participating_orgs
        .iter()
        .map(|p| p.role.as_deref().unwrap())
        .collect();
    assert_eq!(roles, ["1", "2", "4"], "Funding, Accountable, Implementing");
    assert_eq!(a.participating_orgs[0].name[0].text, "DFID");
    let dates: Vec<_> = a
        .dates
        .iter()
        .map(|d| (d.type_.as_str(), d.iso_date.as_deref().unwrap()))
        .collect();
    assert_eq!(
        dates,
        [("2", "2011-07-01"), ("3", "2014-06-30")],
        "start-actual, end-planned"
    );
    assert_eq!(a.sectors[0].vocabulary, "1", "DAC → 1");
    assert_eq!(a.sectors[0].code, "15150");
    let types: Vec<_> = a
        .transactions
        .iter()
        .take(5)
        .map(|t| t.type_.as_deref().unwrap())
        .collect();
    assert_eq!(types, ["1", "1", "4", "4", "3"], "IF IF E E D");
    let t = &a.transactions[0];
    assert_eq!(t.ref_.as_deref(), Some("cl-q1-y2"));
    assert_eq!(
        t.provider_org.as_ref().unwrap().activity_id.as_deref(),
        Some("GB-1-201242-101")
    );
    assert_eq!(t.value.as_ref().unwrap().amount, Decimal::from(31375));
    assert_eq!(t.value.as_ref().unwrap().currency.as_deref(), Some("GBP"));
    assert_eq!(t.flow_type.as_deref(), Some("30"));
    assert_eq!(t.aid_types[0].code, "C01");
    assert_eq!(a.budgets[0].type_, "1");
}

#[test]
fn v101_text_dates_and_codes_with_names() {
    let r = read_path(&data("iati/activities/legacy-1.0x/iati-datastore_CD.xml"));
    assert_eq!(r.header.as_ref().unwrap().version, IatiVersion::V1_01);
    let a = &r.activity("GB-1-105838").activity;
    // 1.01 wrote activity dates as text, and names next to codes.
    let dates: Vec<_> = a
        .dates
        .iter()
        .map(|d| (d.type_.as_str(), d.iso_date.as_deref().unwrap()))
        .collect();
    assert_eq!(
        dates,
        [
            ("4", "2010-12-31"),
            ("3", "2010-12-31"),
            ("2", "2004-01-01"),
            ("1", "2004-01-01")
        ]
    );
    assert!(a.dates.iter().all(|d| d.narratives.is_empty()));
    assert_eq!(a.status.as_deref(), Some("4"));
    assert_eq!(a.default_tied_status.as_deref(), Some("5"));
    assert_eq!(
        a.participating_orgs[1].role.as_deref(),
        Some("3"),
        "Extending → 3"
    );
    assert_eq!(
        a.contacts[0].telephone.as_deref(),
        Some("+44 (0) 1355 84 3132")
    );
    assert_eq!(
        a.contacts[0].organisation[0].text,
        "Department for International Development"
    );
    assert_eq!(a.related_activities.len(), 4);
    // The namespaced registry record between activities is skipped silently.
    assert!(
        r.file_diagnostics
            .iter()
            .all(|d| d.kind != DiagnosticKind::Structure)
    );
    let b = &r.activity("GB-1-105838-101").activity;
    assert_eq!(
        b.sectors
            .iter()
            .map(|s| s.percentage.unwrap())
            .sum::<Decimal>(),
        Decimal::from(100)
    );
    assert_eq!(
        b.sectors[0].narratives[0].text,
        "Public sector policy and administrative management"
    );
}

#[test]
fn pre_v1_drafts_are_read_leniently() {
    let r = read_path(&data(
        "iati/activities/pre-1.0-drafts/iati-schemas_undp_sample.xml",
    ));
    assert!(r.ok());
    let p = &r.activities[0];
    assert_eq!(p.activity.title[0].text, "PIMS 245 BD FSP: SABSP");
    assert_eq!(
        p.activity.reporting_org.as_ref().unwrap().name[0].text,
        "UNDP"
    );
    // Funding/Implementing roles are normalised even in drafts.
    assert_eq!(p.activity.participating_orgs[0].role.as_deref(), Some("1"));
    // `MWI` is not an ISO alpha-2 code: left out, with an error.
    assert!(p.activity.recipient_countries.is_empty());
    assert!(
        p.diagnostics
            .iter()
            .any(|d| d.kind == DiagnosticKind::InvalidCode && d.path == "recipient-country/@code")
    );
    // No identifier: critical.
    assert!(
        p.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Critical && d.path == "iati-identifier")
    );
    assert!(
        r.file_diagnostics
            .iter()
            .any(|d| d.kind == DiagnosticKind::Version)
    );
}

#[test]
fn spanish_narratives_keep_their_language() {
    let r = read_path(&data(
        "iati/activities/v2.0x/iati-cloud_MAEC-spain-indonesia-2.01.xml",
    ));
    let a = &r.activities[0].activity;
    assert_eq!(r.header.as_ref().unwrap().version, IatiVersion::V2_01);
    assert!(a.title.iter().all(|n| !n.text.is_empty()));
    let es = a.recipient_countries[0].percentage;
    assert_eq!(es, Some(Decimal::from(100)));
}
