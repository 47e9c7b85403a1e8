//! Invalid *data* becomes diagnostics, never a rejected file: each check is
//! exercised on a small activity built around one fault, and the value
//! concerned is left out while the rest is kept.

// Test helpers may unwrap: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rust_decimal::Decimal;
use vaka_iati::{Activity, Diagnostic, DiagnosticKind as K, Severity as S};

/// A minimal, valid 2.03 activity with `extra` inserted before its end.
fn activity_xml(extra: &str) -> String {
    activity_xml_v("2.03", "", extra)
}

fn activity_xml_v(version: &str, attrs: &str, extra: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="{version}" generated-datetime="2024-01-01T00:00:00Z">
 <iati-activity default-currency="NZD" xml:lang="en"{attrs}>
  <iati-identifier>NZ-1-TO-001</iati-identifier>
  <reporting-org ref="NZ-1" type="10"><narrative>New Zealand MFAT</narrative></reporting-org>
  <title><narrative>Renewable energy for Tonga</narrative></title>
  <description><narrative>Solar power.</narrative></description>
  <participating-org role="1" ref="NZ-1"/>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2019-10-31"/>
{extra}
 </iati-activity>
</iati-activities>
"#
    )
}

fn parse(xml: &str) -> (Activity, Vec<Diagnostic>) {
    let r = read_bytes(xml.as_bytes().to_vec());
    assert!(r.ok(), "{:?}", r.error);
    assert_eq!(r.activities.len(), 1);
    let p = r.activities.into_iter().next().unwrap();
    (p.activity, p.diagnostics)
}

#[track_caller]
fn find<'a>(diags: &'a [Diagnostic], kind: K, path: &str) -> &'a Diagnostic {
    diags
        .iter()
        .find(|d| d.kind == kind && d.path == path)
        .unwrap_or_else(|| panic!("no {kind} at {path} in {diags:#?}"))
}

#[test]
fn a_valid_activity_has_no_findings() {
    let (a, d) = parse(&activity_xml(""));
    assert!(d.is_empty(), "{d:#?}");
    assert_eq!(a.identifier, "NZ-1-TO-001");
    assert_eq!(a.line, 3);
}

#[test]
fn decimals_are_not_guessed() {
    let xml = activity_xml(
        r#"  <transaction>
   <transaction-type code="3"/><transaction-date iso-date="2020-01-15"/>
   <value currency="nzd" value-date="2020-01-15">1,000</value>
  </transaction>
  <transaction>
   <transaction-type code="3"/><transaction-date iso-date="2020-01-15"/>
   <value value-date="2020-01-15">1e3</value>
  </transaction>
  <transaction>
   <transaction-type code="3"/><transaction-date iso-date="2020-01-15"/>
   <value value-date="2020-01-15"> 1000.50
   </value>
  </transaction>"#,
    );
    let (a, d) = parse(&xml);
    assert_eq!(a.transactions.len(), 3, "the transactions are kept");
    assert_eq!(a.transactions[0].value, None);
    assert_eq!(a.transactions[1].value, None);
    let v = a.transactions[2].value.as_ref().unwrap();
    assert_eq!(
        v.amount,
        Decimal::new(100050, 2),
        "surrounding whitespace is fine"
    );
    assert_eq!(v.currency, None);
    let bad: Vec<_> = d.iter().filter(|d| d.kind == K::InvalidDecimal).collect();
    assert_eq!(bad.len(), 2, "{d:#?}");
    assert!(
        bad.iter()
            .all(|d| d.severity == S::Error && d.path == "transaction/value")
    );
    assert!(bad[0].message.contains("`1,000`"), "{}", bad[0].message);
    assert_eq!(bad[0].line, 13);
    assert_eq!(bad[0].activity.as_deref(), Some("NZ-1-TO-001"));
    // Lower-case currency codes are upper-cased, not rejected.
    assert!(d.iter().all(|d| d.kind != K::InvalidCode), "{d:#?}");
}

#[test]
fn dates_are_real_calendar_days() {
    let xml = activity_xml(
        r#"  <activity-date type="3" iso-date="2019-02-29"/>
  <activity-date type="4" iso-date="2021-06-30Z"/>
  <budget type="1" status="1">
   <period-start iso-date="2020-01-01"/><period-end iso-date="31/12/2020"/>
   <value value-date="2020-01-01">5</value>
  </budget>"#,
    );
    let (a, d) = parse(&xml);
    assert_eq!(a.dates[1].type_, "3");
    assert_eq!(a.dates[1].iso_date, None);
    assert_eq!(
        a.dates[2].iso_date.as_deref(),
        Some("2021-06-30"),
        "timezone dropped"
    );
    assert_eq!(a.budgets[0].period_end, None);
    assert_eq!(a.budgets[0].period_start.as_deref(), Some("2020-01-01"));
    let f = find(&d, K::InvalidDate, "activity-date/@iso-date");
    assert_eq!((f.severity, f.line), (S::Error, 11));
    find(&d, K::InvalidDate, "budget/period-end/@iso-date");
}

#[test]
fn percentages_and_their_sums() {
    let xml = activity_xml(
        r#"  <recipient-country code="TO" percentage="60"/>
  <recipient-country code="FJ" percentage="30"/>
  <sector vocabulary="1" code="23230" percentage="150"/>
  <sector vocabulary="1" code="23231" percentage="-5"/>
  <sector vocabulary="2" code="232" percentage="40"/>
  <sector vocabulary="2" code="231" percentage="60"/>
  <sector vocabulary="99" code="X"/>"#,
    );
    let (a, d) = parse(&xml);
    assert_eq!(
        a.sectors.len(),
        5,
        "sectors are kept without the bad percentage"
    );
    assert_eq!(a.sectors[0].percentage, None);
    assert_eq!(a.sectors[2].percentage, Some(Decimal::from(40)));
    let bad: Vec<_> = d
        .iter()
        .filter(|d| d.kind == K::InvalidPercentage)
        .collect();
    assert_eq!(bad.len(), 2, "{d:#?}");
    let geo = find(&d, K::PercentageSum, "recipient-country");
    assert_eq!(geo.severity, S::Warning);
    assert!(geo.message.contains("90"), "{}", geo.message);
    // Vocabulary 1 has two sectors without usable percentages; vocabulary 2 sums to 100.
    let sums: Vec<_> = d
        .iter()
        .filter(|d| d.kind == K::PercentageSum && d.path == "sector")
        .collect();
    assert_eq!(sums.len(), 1, "{sums:#?}");
    assert!(sums[0].message.contains("vocabulary 1"));
}

#[test]
fn codes_are_checked_against_their_lists() {
    let xml = activity_xml(
        r#"  <recipient-country code="ZZ"/>
  <recipient-country code="AN"/>
  <recipient-region code="889" vocabulary="1"/>
  <recipient-region code="XYZ" vocabulary="99"/>
  <sector vocabulary="1" code="99999"/>
  <sector vocabulary="2" code="232"/>
  <sector vocabulary="1" code="232"/>
  <collaboration-type code="9"/>
  <default-flow-type code="10"/>
  <default-aid-type code="C01"/>
  <default-aid-type code="1" vocabulary="2"/>
  <default-aid-type code="Z9" vocabulary="2"/>
  <policy-marker vocabulary="1" code="8" significance="2"/>
  <policy-marker vocabulary="1" code="8" significance="7"/>"#,
    );
    let (a, d) = parse(&xml);
    // ZZ is not a country (the list is incomplete: a warning, kept); AN is withdrawn (kept, warning).
    assert_eq!(
        a.recipient_countries
            .iter()
            .map(|c| c.code.as_str())
            .collect::<Vec<_>>(),
        ["ZZ", "AN"]
    );
    assert!(
        d.iter()
            .filter(|d| d.path == "recipient-country/@code")
            .all(|d| d.severity == S::Warning)
    );
    // Region codes are checked only for vocabulary 1.
    assert_eq!(a.recipient_regions.len(), 2);
    // Sector 99999 is not a DAC code: the sector is dropped. 232 is a category, not a DAC 5 code.
    let codes: Vec<_> = a
        .sectors
        .iter()
        .map(|s| (s.vocabulary.as_str(), s.code.as_str()))
        .collect();
    assert_eq!(codes, [("2", "232")]);
    assert_eq!(
        d.iter()
            .filter(|d| d.kind == K::InvalidCode && d.path == "sector/@code")
            .count(),
        2
    );
    assert!(
        d.iter()
            .filter(|d| d.path == "sector/@code")
            .all(|d| d.severity == S::Error)
    );
    assert_eq!(
        a.collaboration_type, None,
        "collaboration type 9 does not exist"
    );
    assert_eq!(a.default_flow_type.as_deref(), Some("10"));
    assert_eq!(
        a.default_aid_types.len(),
        2,
        "C01 (vocabulary 1) and 1 (earmarking, vocabulary 2); Z9 is no earmarking category"
    );
    assert_eq!(a.policy_markers[0].significance.as_deref(), Some("2"));
    assert_eq!(a.policy_markers[1].significance, None);
    let f = find(&d, K::InvalidCode, "policy-marker/@significance");
    assert!(
        f.message.contains("`7`") && f.message.contains("PolicySignificance"),
        "{}",
        f.message
    );
}

#[test]
fn required_elements_and_attributes() {
    let xml = r#"<iati-activities version="2.03">
 <iati-activity>
  <title><narrative>No identifier, no publisher</narrative></title>
  <transaction><value value-date="2020-01-01">5</value></transaction>
  <sector vocabulary="1"/>
  <budget><value>5</value></budget>
 </iati-activity>
</iati-activities>"#;
    let (a, d) = parse(xml);
    assert_eq!(a.identifier, "");
    let id = find(&d, K::MissingElement, "iati-identifier");
    assert_eq!(
        (id.severity, id.line, id.activity.as_deref()),
        (S::Critical, 2, None)
    );
    assert_eq!(
        find(&d, K::MissingElement, "reporting-org").severity,
        S::Critical
    );
    assert_eq!(
        find(&d, K::MissingElement, "activity-status").severity,
        S::Error
    );
    find(&d, K::MissingElement, "transaction/transaction-type");
    find(&d, K::MissingElement, "transaction/transaction-date");
    find(&d, K::MissingAttribute, "sector/@code");
    find(&d, K::MissingElement, "budget/period-start");
    find(&d, K::MissingAttribute, "budget/value/@value-date");
    assert!(a.sectors.is_empty());
    assert_eq!(
        a.transactions[0].value.as_ref().unwrap().amount,
        Decimal::from(5)
    );
    // The schema walk and the extractor report the same fault once.
    let mut keys: Vec<_> = d.iter().map(|d| (d.line, d.path.clone(), d.kind)).collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "{d:#?}");
}

#[test]
fn cardinality_keeps_the_first() {
    let xml = activity_xml(
        r#"  <activity-status code="3"/>
  <reporting-org ref="JP-8" type="10"><narrative>JICA</narrative></reporting-org>
  <transaction>
   <transaction-type code="3"/><transaction-type code="4"/>
   <transaction-date iso-date="2020-01-01"/>
   <value value-date="2020-01-01">1</value>
  </transaction>"#,
    );
    let (a, d) = parse(&xml);
    assert_eq!(a.status.as_deref(), Some("2"));
    assert_eq!(a.reporting_org_ref(), "NZ-1");
    assert_eq!(a.transactions[0].type_.as_deref(), Some("3"));
    for path in [
        "activity-status",
        "reporting-org",
        "transaction/transaction-type",
    ] {
        assert_eq!(find(&d, K::Cardinality, path).severity, S::Error);
    }
}

#[test]
fn extensions_are_skipped_silently_but_unknown_iati_names_are_not() {
    let xml = activity_xml(
        r#"  <usg:treasury-account xmlns:usg="http://www.usaid.gov/iati" usg:code="1"><usg:x>9</usg:x></usg:treasury-account>
  <sector vocabulary="1" code="23230" xmlns:x="urn:x" x:weight="3"><x:note>ignored</x:note></sector>
  <other xmlns="urn:other"><title>not IATI</title></other>
  <foo>bar</foo>"#,
    );
    let (a, d) = parse(&xml);
    assert_eq!(a.sectors[0].code, "23230");
    assert_eq!(
        a.title.len(),
        1,
        "the title in another namespace is not ours"
    );
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!((d[0].kind, d[0].path.as_str()), (K::Structure, "foo"));
}

#[test]
fn narratives_languages_and_v1_text() {
    let xml = activity_xml(
        r#"  <document-link url="https://example.org/a.pdf" format="application/pdf">
   <title><narrative>Report</narrative><narrative xml:lang="FR">Rapport</narrative><narrative/></title>
   <category code="A01"/><language code="en"/><document-date iso-date="2020-02-02"/>
  </document-link>"#,
    );
    let (a, d) = parse(&xml);
    let dl = &a.document_links[0];
    assert_eq!(dl.title.len(), 2, "empty narratives are dropped");
    assert_eq!(
        dl.title[1].lang.as_deref(),
        Some("fr"),
        "language codes are lower-cased"
    );
    assert_eq!(dl.document_date.as_deref(), Some("2020-02-02"));
    assert!(d.is_empty(), "{d:#?}");

    // 1.03: text directly in elements becomes one narrative in the element's language.
    let xml = r#"<iati-activities version="1.03"><iati-activity xml:lang="en" default-currency="EUR">
      <iati-identifier>XM-1</iati-identifier><reporting-org ref="XM" type="40">Org &amp; Co</reporting-org>
      <title xml:lang="fr">Énergie</title><title xml:lang="en">Energy</title>
      <participating-org role="Implementing" ref="XM">Agency</participating-org>
      <budget type="Revised"><period-start iso-date="2013-01-01"/><period-end iso-date="2013-12-31"/><value value-date="2013-01-01">10</value></budget>
      <policy-marker vocabulary="DAC" code="8" significance="1"/>
      <transaction><transaction-type code="C"/><transaction-date iso-date="2013-02-01"/><value>20</value></transaction>
    </iati-activity></iati-activities>"#;
    let (a, d) = parse(xml);
    assert_eq!(a.reporting_org.as_ref().unwrap().name[0].text, "Org & Co");
    assert_eq!(a.title_in("en"), Some("Energy"));
    assert_eq!(a.title_in("fr"), Some("Énergie"));
    assert_eq!(a.participating_orgs[0].role.as_deref(), Some("4"));
    assert_eq!(a.budgets[0].type_, "2");
    assert_eq!(a.policy_markers[0].vocabulary, "1");
    assert_eq!(a.transactions[0].type_.as_deref(), Some("2"));
    assert!(d.iter().all(|d| d.severity == S::Warning), "{d:#?}");

    // The same 1.0x words in a 2.03 file are invalid codes, left out.
    let xml = activity_xml(r#"  <participating-org role="Funding" ref="NZ-1"/>"#);
    let (a, d) = parse(&xml);
    assert_eq!(a.participating_orgs[1].role, None);
    find(&d, K::InvalidCode, "participating-org/@role");
}

#[test]
fn file_level_findings() {
    let r = read_bytes(activity_xml_v("xx", "", "").into_bytes());
    assert_eq!(
        r.header.as_ref().unwrap().version,
        vaka_iati::IatiVersion::V2_03
    );
    assert_eq!(
        r.header.as_ref().unwrap().declared_version.as_deref(),
        Some("xx")
    );
    assert!(
        r.file_diagnostics
            .iter()
            .any(|d| d.kind == K::Version && d.severity == S::Error)
    );
    let r = read_bytes(
        activity_xml_v("2.03", " hierarchy=\"top\" humanitarian=\"yes\"", "").into_bytes(),
    );
    let d = &r.activities[0].diagnostics;
    find(d, K::InvalidDecimal, "@hierarchy");
    find(d, K::InvalidBoolean, "@humanitarian");
    assert_eq!(r.activities[0].activity.hierarchy, None);
}

#[test]
fn date_order_and_identifier_prefix() {
    let xml = activity_xml(
        r#"  <activity-date type="3" iso-date="2018-01-01"/>
  <budget><period-start iso-date="2020-12-31"/><period-end iso-date="2020-01-01"/><value value-date="2020-01-01">1</value></budget>"#,
    );
    let (_, d) = parse(&xml);
    assert_eq!(find(&d, K::DateOrder, "activity-date").severity, S::Warning);
    assert_eq!(find(&d, K::DateOrder, "budget").severity, S::Warning);
    let (_, d) = parse(&activity_xml("").replace("NZ-1-TO-001", "TO-001"));
    assert_eq!(
        find(&d, K::InvalidIdentifier, "iati-identifier").severity,
        S::Warning
    );
}
