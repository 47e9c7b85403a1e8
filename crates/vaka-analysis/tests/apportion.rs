//! Apportioning: hand-built activities for each rule, the real Pacific files
//! against an independent text walk, and properties (parts sum to the whole,
//! order does not matter).

#![allow(clippy::unwrap_used)] // tests may unwrap, helpers included

mod common;

use std::collections::BTreeMap;
use std::str::FromStr;

use proptest::prelude::*;
use rust_decimal::Decimal;
use vaka_analysis::{Classification, Classify, Fact, GeoKind, Measure, NoNames, Override, flatten};
use vaka_domain::{Framework, FxTable};
use vaka_iati::model::{
    Activity, Budget, Narrative, OrgRef, ParticipatingOrg, RecipientCountry, RecipientRegion,
    Sector, Transaction, Value,
};
use vaka_iati::{DiagnosticKind, Severity};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn fw() -> Framework {
    Framework::bundled_by_id("nz-japan-2019").unwrap()
}

fn country(code: &str, pct: Option<&str>) -> RecipientCountry {
    RecipientCountry {
        code: code.into(),
        percentage: pct.map(d),
        ..Default::default()
    }
}

fn region(code: &str, pct: Option<&str>) -> RecipientRegion {
    RecipientRegion {
        code: code.into(),
        vocabulary: "1".into(),
        percentage: pct.map(d),
        ..Default::default()
    }
}

fn sector(code: &str, pct: Option<&str>) -> Sector {
    Sector {
        vocabulary: "1".into(),
        code: code.into(),
        percentage: pct.map(d),
        ..Default::default()
    }
}

fn tx(ty: &str, date: &str, amount: &str) -> Transaction {
    Transaction {
        line: 10,
        type_: Some(ty.into()),
        date: Some(date.into()),
        value: Some(Value {
            amount: d(amount),
            currency: None,
            value_date: Some(date.into()),
        }),
        ..Default::default()
    }
}

fn activity() -> Activity {
    Activity {
        line: 1,
        identifier: "TEST-1".into(),
        default_currency: Some("NZD".into()),
        reporting_org: Some(OrgRef {
            ref_: Some("NZ-1".into()),
            ..Default::default()
        }),
        title: vec![Narrative {
            lang: None,
            text: "Test activity".into(),
        }],
        ..Default::default()
    }
}

fn run(a: &Activity) -> vaka_analysis::Flattened {
    flatten(a, &fw(), &Classify::Rules(&NoNames), &FxTable::bundled())
}

/// Sum of facts by (geo_code, area) in cents.
fn by_geo_area(facts: &[Fact]) -> BTreeMap<(String, String), i64> {
    let mut m = BTreeMap::new();
    for f in facts {
        *m.entry((f.geo_code.clone(), f.area.clone())).or_insert(0) += f.amount_minor;
    }
    m
}

fn by_geo(facts: &[Fact]) -> BTreeMap<(GeoKind, String), i64> {
    let mut m = BTreeMap::new();
    for f in facts {
        *m.entry((f.geo_kind, f.geo_code.clone())).or_insert(0) += f.amount_minor;
    }
    m
}

fn apportioning_diags(f: &vaka_analysis::Flattened) -> Vec<String> {
    f.diagnostics
        .iter()
        .filter(|d| d.kind == DiagnosticKind::Apportioning)
        .map(|d| d.message.clone())
        .collect()
}

#[test]
fn one_country_without_percentage_takes_everything() {
    let mut a = activity();
    a.recipient_countries = vec![country("TO", None)];
    a.sectors = vec![sector("23230", None)];
    a.transactions = vec![tx("3", "2019-06-30", "1000.005")];
    let f = run(&a);
    assert_eq!(f.facts.len(), 1);
    let fact = &f.facts[0];
    assert_eq!(
        fact.amount_minor, 100_001,
        "rounded half away from zero first"
    );
    assert_eq!(
        (fact.geo_kind, fact.geo_code.as_str(), fact.area.as_str()),
        (GeoKind::Country, "TO", "renewable-energy")
    );
    assert_eq!(fact.measure, Measure::Disbursement);
    assert_eq!((fact.year, fact.rate_year), (2019, 2019));
    assert_eq!(fact.currency, "NZD", "activity default currency");
    assert_eq!(fact.reporting_org, "NZ-1");
    assert_eq!(fact.funding_org, "NZ-1", "falls back to the reporting org");
    assert_eq!(fact.tx_index, Some(0));
    assert_eq!(fact.area_rule, "sector 23230, 100 %");
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
}

#[test]
fn several_countries_without_percentages_split_equally_with_a_diagnostic() {
    let mut a = activity();
    a.recipient_countries = vec![
        country("WS", None),
        country("TO", None),
        country("FJ", None),
    ];
    a.transactions = vec![tx("4", "2020-01-15", "100")];
    let f = run(&a);
    let g = by_geo(&f.facts);
    // 10 000 cents / 3: 3 333 each, the remaining cent to the first in order (FJ).
    assert_eq!(g[&(GeoKind::Country, "FJ".into())], 3334);
    assert_eq!(g[&(GeoKind::Country, "TO".into())], 3333);
    assert_eq!(g[&(GeoKind::Country, "WS".into())], 3333);
    let diags = apportioning_diags(&f);
    assert_eq!(
        diags,
        ["3 recipient countries/regions without percentages: split equally"]
    );
    assert_eq!(f.diagnostics[0].severity, Severity::Warning);
    assert_eq!(f.diagnostics[0].activity.as_deref(), Some("TEST-1"));
}

#[test]
fn shortfall_goes_to_unallocated() {
    let mut a = activity();
    a.recipient_countries = vec![country("TO", Some("50")), country("FJ", Some("30"))];
    a.transactions = vec![tx("3", "2019-03-01", "1000")];
    let f = run(&a);
    let g = by_geo(&f.facts);
    assert_eq!(g[&(GeoKind::Country, "TO".into())], 50_000);
    assert_eq!(g[&(GeoKind::Country, "FJ".into())], 30_000);
    assert_eq!(g[&(GeoKind::Unallocated, "".into())], 20_000);
    assert_eq!(
        apportioning_diags(&f),
        ["recipient percentages leave 20 % unallocated"]
    );
}

#[test]
fn regions_are_their_own_rows() {
    let mut a = activity();
    a.recipient_countries = vec![country("FJ", Some("60"))];
    a.recipient_regions = vec![region("889", Some("40"))];
    a.transactions = vec![tx("3", "2019-03-01", "500")];
    let f = run(&a);
    let g = by_geo(&f.facts);
    assert_eq!(g.len(), 2);
    assert_eq!(g[&(GeoKind::Country, "FJ".into())], 30_000);
    assert_eq!(g[&(GeoKind::Region, "889".into())], 20_000);
    assert!(f.diagnostics.is_empty());
}

#[test]
fn percentages_over_100_scale_down() {
    let mut a = activity();
    a.recipient_countries = vec![country("TO", Some("100")), country("FJ", Some("100"))];
    a.transactions = vec![tx("3", "2019-03-01", "10")];
    let f = run(&a);
    let g = by_geo(&f.facts);
    assert_eq!(g[&(GeoKind::Country, "TO".into())], 500);
    assert_eq!(g[&(GeoKind::Country, "FJ".into())], 500);
    assert_eq!(
        apportioning_diags(&f),
        ["recipient percentages add up to 200%: scaled down to 100%"]
    );
}

#[test]
fn no_country_or_region_is_unallocated() {
    let mut a = activity();
    a.transactions = vec![tx("3", "2019-03-01", "10")];
    let f = run(&a);
    assert_eq!(
        by_geo(&f.facts),
        BTreeMap::from([((GeoKind::Unallocated, String::new()), 1000)])
    );
    assert_eq!(f.diagnostics.len(), 1);
}

#[test]
fn transaction_country_and_sectors_come_first() {
    let mut a = activity();
    a.recipient_countries = vec![country("TO", Some("50")), country("FJ", Some("50"))];
    a.sectors = vec![sector("14031", None)];
    let mut t = tx("3", "2019-03-01", "100");
    t.recipient_countries = vec![country("VU", None)];
    t.sectors = vec![sector("21050", None)];
    a.transactions = vec![t, tx("3", "2019-03-01", "100")];
    let f = run(&a);
    let m = by_geo_area(&f.facts);
    assert_eq!(m[&("VU".into(), "aviation-infrastructure".into())], 10_000);
    assert_eq!(m[&("TO".into(), "water-security".into())], 5_000);
    assert_eq!(m[&("FJ".into(), "water-security".into())], 5_000);
    assert_eq!(m.len(), 3);
}

#[test]
fn areas_of_a_country_sum_to_its_part() {
    let mut a = activity();
    a.recipient_countries = vec![country("TO", Some("33.33")), country("FJ", Some("66.67"))];
    a.sectors = vec![
        sector("23230", Some("33")),
        sector("14031", Some("33")),
        sector("21050", Some("34")),
    ];
    a.transactions = vec![tx("3", "2019-03-01", "1234.57")];
    let f = run(&a);
    let total: i64 = f.facts.iter().map(|x| x.amount_minor).sum();
    assert_eq!(total, 123_457);
    // TO: 123 457 × 0.3333 = 41 148.2181 → 41 148; FJ gets the rest, 82 309.
    let g = by_geo(&f.facts);
    assert_eq!(g[&(GeoKind::Country, "TO".into())], 41_148);
    assert_eq!(g[&(GeoKind::Country, "FJ".into())], 82_309);
    // Within TO: 41 148 × (0.33, 0.33, 0.34) = 13 578.84, 13 578.84, 13 990.32 →
    // truncated 13 578 + 13 578 + 13 990 = 41 146; the 2 cents go to the largest (aviation).
    let m = by_geo_area(&f.facts);
    assert_eq!(m[&("TO".into(), "renewable-energy".into())], 13_578);
    assert_eq!(m[&("TO".into(), "water-security".into())], 13_578);
    assert_eq!(m[&("TO".into(), "aviation-infrastructure".into())], 13_992);
}

#[test]
fn measures_years_and_ignored_types() {
    let mut a = activity();
    a.recipient_countries = vec![country("TO", None)];
    let mut late_value = tx("2", "2018-12-20", "7");
    late_value.value.as_mut().unwrap().value_date = Some("2019-01-05".into());
    let mut no_date = tx("3", "2019-01-01", "1");
    no_date.date = None;
    let mut nothing = tx("4", "2019-01-01", "1");
    nothing.date = None;
    nothing.value.as_mut().unwrap().value_date = None;
    a.transactions = vec![
        tx("1", "2019-01-01", "100"),
        tx("11", "2019-01-01", "100"),
        late_value,
        no_date,
        nothing,
        tx("4", "2019-01-01", "3"),
    ];
    let f = run(&a);
    let kinds: Vec<(Measure, Option<u32>, i32, i32)> = f
        .facts
        .iter()
        .map(|x| (x.measure, x.tx_index, x.year, x.rate_year))
        .collect();
    assert_eq!(
        kinds,
        [
            (Measure::Commitment, Some(2), 2018, 2019), // year from the transaction date, rate year from the value date
            (Measure::Disbursement, Some(3), 2019, 2019), // no transaction date: value-date year
            (Measure::Disbursement, Some(5), 2019, 2019),
        ]
    );
    assert_eq!(
        apportioning_diags(&f),
        ["transaction has neither a date nor a value date: left out of the totals"]
    );
    assert_eq!(f.diagnostics[0].severity, Severity::Error);
}

#[test]
fn funding_org_prefers_provider_then_funding_participant() {
    let mut a = activity();
    a.recipient_countries = vec![country("TO", None)];
    a.participating_orgs = vec![
        ParticipatingOrg {
            role: Some("4".into()),
            ref_: Some("IMPL-1".into()),
            ..Default::default()
        },
        ParticipatingOrg {
            role: Some("1".into()),
            ref_: Some("XM-DAC-701-8".into()),
            ..Default::default()
        },
    ];
    let mut with_provider = tx("3", "2019-01-01", "1");
    with_provider.provider_org = Some(OrgRef {
        ref_: Some("AU-5".into()),
        ..Default::default()
    });
    a.transactions = vec![with_provider, tx("3", "2019-01-01", "1")];
    a.budgets = vec![Budget {
        type_: "1".into(),
        status: "1".into(),
        period_start: Some("2019-01-01".into()),
        period_end: Some("2019-12-31".into()),
        value: Some(Value {
            amount: d("5"),
            currency: None,
            value_date: None,
        }),
    }];
    let f = run(&a);
    let orgs: Vec<&str> = f.facts.iter().map(|x| x.funding_org.as_str()).collect();
    assert_eq!(orgs, ["AU-5", "XM-DAC-701-8", "XM-DAC-701-8"]);
}

#[test]
fn budgets_take_revised_over_original_never_both() {
    let mut a = activity();
    a.recipient_countries = vec![country("TO", None)];
    let budget = |ty: &str, start: &str, amount: &str| Budget {
        type_: ty.into(),
        status: "2".into(),
        period_start: Some(start.into()),
        period_end: Some(format!("{}-12-31", &start[..4])),
        value: Some(Value {
            amount: d(amount),
            currency: Some("USD".into()),
            value_date: Some("2017-01-01".into()),
        }),
    };
    a.budgets = vec![
        budget("1", "2018-01-01", "100"),
        budget("2", "2018-01-01", "150"),
        budget("1", "2019-01-01", "80"),
    ];
    let f = run(&a);
    let b: Vec<(Option<u32>, i32, i32, i64, &str)> = f
        .facts
        .iter()
        .map(|x| {
            (
                x.budget_index,
                x.year,
                x.rate_year,
                x.amount_minor,
                x.currency.as_str(),
            )
        })
        .collect();
    assert_eq!(
        b,
        [
            (Some(1), 2018, 2017, 15_000, "USD"),
            (Some(2), 2019, 2017, 8_000, "USD")
        ]
    );
    assert!(
        f.facts
            .iter()
            .all(|x| x.measure == Measure::Budget && x.tx_index.is_none())
    );
}

#[test]
fn missing_currency_and_missing_rate_are_diagnosed_not_zeroed() {
    let mut a = activity();
    a.default_currency = None;
    a.recipient_countries = vec![country("VU", None)];
    let mut vuv = tx("3", "2025-02-01", "1000");
    vuv.value.as_mut().unwrap().currency = Some("VUV".into());
    a.transactions = vec![tx("3", "2019-01-01", "5"), vuv.clone(), vuv];
    let f = run(&a);
    assert_eq!(f.facts[0].currency, "");
    assert_eq!(f.facts[1].currency, "VUV");
    assert_eq!(f.facts[1].amount_minor, 100_000);
    assert_eq!(
        apportioning_diags(&f),
        [
            "value has no currency and the activity no default-currency: it cannot be converted",
            "no VUV exchange rate for 2025: amounts stay unconverted in other currencies",
        ],
        "the missing rate is reported once"
    );
}

#[test]
fn values_too_large_are_left_out_with_an_error() {
    let mut a = activity();
    a.recipient_countries = vec![country("TO", None)];
    a.transactions = vec![tx("3", "2019-01-01", "99999999999999999999")];
    let f = run(&a);
    assert!(f.facts.is_empty());
    assert_eq!(f.diagnostics[0].severity, Severity::Error);
}

#[test]
fn negative_values_split_like_positive_ones() {
    let mut a = activity();
    a.recipient_countries = vec![
        country("WS", None),
        country("TO", None),
        country("FJ", None),
    ];
    a.transactions = vec![tx("3", "2019-01-01", "-1")];
    let f = run(&a);
    let parts: Vec<i64> = f.facts.iter().map(|x| x.amount_minor).collect();
    assert_eq!(parts, [-34, -33, -33]);
}

#[test]
fn override_applies_to_every_value() {
    let fw = fw();
    let ov = Override {
        shares: vec![("renewable-energy".into(), d("0.25"))],
        by: "reviewer".into(),
        at: "2024-06-01".into(),
        reason: "organic farming miscoded as 23030".into(),
    };
    let c = Classification::from_override(&ov, &fw.areas).unwrap();
    let mut a = activity();
    a.recipient_countries = vec![country("FJ", None)];
    a.sectors = vec![sector("23030", None)];
    let mut t = tx("3", "2019-01-01", "100");
    t.sectors = vec![sector("23230", None)];
    a.transactions = vec![t];
    let f = flatten(&a, &fw, &Classify::Override(&c), &FxTable::bundled());
    let m = by_geo_area(&f.facts);
    assert_eq!(m[&("FJ".into(), "renewable-energy".into())], 2_500);
    assert_eq!(m[&("FJ".into(), "unclassified".into())], 7_500);
    assert!(f.facts[0].area_rule.contains("reviewer"));
}

// --- real files ----------------------------------------------------------------

fn real_facts(path: &std::path::Path) -> (String, Vec<Fact>, Vec<vaka_iati::Diagnostic>) {
    let text = common::read(path);
    let fw = fw();
    let fx = FxTable::bundled();
    let mut facts = Vec::new();
    let mut diags = Vec::new();
    for a in common::load_activities(&text) {
        let f = flatten(&a, &fw, &Classify::Rules(&NoNames), &fx);
        facts.extend(f.facts);
        diags.extend(f.diagnostics);
    }
    (text, facts, diags)
}

fn sum_by_country(facts: &[Fact], measure: Measure) -> BTreeMap<String, i64> {
    let mut m = BTreeMap::new();
    for f in facts.iter().filter(|f| f.measure == measure) {
        *m.entry(f.geo_code.clone()).or_insert(0) += f.amount_minor;
    }
    m.retain(|_, v| *v != 0);
    m
}

/// Country totals of disbursements, commitments and budgets in every Pacific
/// file equal a walk over the raw text that shares no code with `flatten`.
#[test]
fn real_country_totals_match_an_independent_walk() {
    let mut checked = 0;
    for path in common::pacific_files() {
        let (text, facts, diags) = real_facts(&path);
        assert!(
            diags.iter().all(|d| d.severity != Severity::Error),
            "{}: {diags:?}",
            path.display()
        );
        let mut want = common::independent_tx_totals(&text, &["3", "4"]);
        want.retain(|_, v| *v != 0);
        assert!(!want.is_empty(), "{} has disbursements", path.display());
        assert_eq!(
            sum_by_country(&facts, Measure::Disbursement),
            want,
            "disbursements in {}",
            path.display()
        );
        let mut want = common::independent_tx_totals(&text, &["2"]);
        want.retain(|_, v| *v != 0);
        assert_eq!(
            sum_by_country(&facts, Measure::Commitment),
            want,
            "commitments in {}",
            path.display()
        );
        let mut want = common::independent_budget_totals(&text);
        want.retain(|_, v| *v != 0);
        assert_eq!(
            sum_by_country(&facts, Measure::Budget),
            want,
            "budgets in {}",
            path.display()
        );
        checked += 1;
    }
    assert_eq!(checked, 12);
}

/// A figure checked by hand: Tonga's eleven type-3/4 transactions add up to
/// USD 1 701 876.
#[test]
fn real_tonga_disbursements_by_hand() {
    let path =
        common::shared_data().join("iati/activities/pacific/undp-open-undp-org_Tonga_projects.xml");
    let (_, facts, _) = real_facts(&path);
    let total: i64 = facts
        .iter()
        .filter(|f| f.measure == Measure::Disbursement)
        .map(|f| f.amount_minor)
        .sum();
    assert!(
        facts
            .iter()
            .all(|f| f.geo_code == "TO" && f.currency == "USD")
    );
    assert_eq!(total, 170_187_600);
    let txs: std::collections::BTreeSet<Option<u32>> = facts
        .iter()
        .filter(|f| f.measure == Measure::Disbursement && f.amount_minor != 0)
        .map(|f| f.tx_index)
        .collect();
    assert!(!txs.is_empty());
    // Every Tonga fact is either unclassified or one of the framework's areas.
    let areas: std::collections::BTreeSet<&str> = facts.iter().map(|f| f.area.as_str()).collect();
    for a in areas {
        assert!(a == "unclassified" || fw().area(a).is_some(), "{a}");
    }
}

/// The Fiji FREPP output's disbursements all go to Fiji / renewable energy.
#[test]
fn real_fiji_frepp_facts() {
    let text = common::read(
        &common::shared_data().join("iati/activities/pacific/undp-open-undp-org_Fiji_projects.xml"),
    );
    let acts = common::load_activities(&text);
    let a = acts
        .iter()
        .find(|a| a.identifier == "XM-DAC-41114-OUTPUT-00076656")
        .unwrap();
    let f = run(a);
    let disb: Vec<(i32, i64)> = f
        .facts
        .iter()
        .filter(|x| x.measure == Measure::Disbursement)
        .map(|x| (x.year, x.amount_minor))
        .collect();
    // Type-4 values in the file: 27 682 (2017), 145 410, 230 321, 150 285, 127 827, 23 202.
    assert_eq!(
        disb,
        [
            (2017, 2_768_200),
            (2016, 14_541_000),
            (2015, 23_032_100),
            (2014, 15_028_500),
            (2013, 12_782_700),
            (2012, 2_320_200)
        ]
    );
    assert!(
        f.facts
            .iter()
            .all(|x| x.area == "renewable-energy" && x.geo_code == "FJ")
    );
    assert_eq!(
        f.facts
            .iter()
            .filter(|x| x.measure == Measure::Budget)
            .count(),
        6
    );
    let provider: Vec<&str> = f
        .facts
        .iter()
        .filter(|x| x.measure == Measure::Disbursement)
        .map(|x| x.funding_org.as_str())
        .collect();
    // The first transaction names UNDP as provider; the others fall back to the
    // first funding participating-org (10003, the GEF trustee).
    assert_eq!(
        provider,
        ["XM-DAC-41114", "10003", "10003", "10003", "10003", "10003"]
    );
}

// --- properties ----------------------------------------------------------------

fn arb_activity() -> impl Strategy<Value = Activity> {
    let countries = prop::collection::vec(
        (
            prop::sample::select(&["TO", "FJ", "WS", "VU", "PG"][..]),
            prop::option::of(0u32..=100),
        ),
        0..5,
    );
    let regions = prop::collection::vec(
        (
            prop::sample::select(&["889", "1033", "1035"][..]),
            prop::option::of(0u32..=100),
        ),
        0..3,
    );
    let sectors = prop::collection::vec(
        (
            prop::sample::select(
                &[
                    "23230", "14031", "21050", "12191", "43060", "73010", "15110", "23630",
                ][..],
            ),
            prop::option::of(0u32..=100),
        ),
        0..5,
    );
    let txs = prop::collection::vec(
        (
            prop::sample::select(&["2", "3", "4"][..]),
            -1_000_000_000i64..1_000_000_000i64,
        ),
        1..4,
    );
    (countries, regions, sectors, txs).prop_map(|(cs, rs, ss, ts)| {
        let mut a = activity();
        a.recipient_countries = cs
            .into_iter()
            .map(|(c, p)| RecipientCountry {
                code: c.into(),
                percentage: p.map(Decimal::from),
                ..Default::default()
            })
            .collect();
        a.recipient_regions = rs
            .into_iter()
            .map(|(c, p)| RecipientRegion {
                code: c.into(),
                vocabulary: "1".into(),
                percentage: p.map(Decimal::from),
                ..Default::default()
            })
            .collect();
        a.sectors = ss
            .into_iter()
            .map(|(c, p)| Sector {
                vocabulary: "1".into(),
                code: c.into(),
                percentage: p.map(Decimal::from),
                ..Default::default()
            })
            .collect();
        a.transactions = ts
            .into_iter()
            .map(|(ty, cents)| Transaction {
                type_: Some(ty.into()),
                date: Some("2019-05-01".into()),
                value: Some(Value {
                    amount: Decimal::new(cents, 3),
                    currency: None,
                    value_date: None,
                }),
                ..Default::default()
            })
            .collect();
        a
    })
}

proptest! {
    /// `allocate` always returns parts that sum to the total, each part has
    /// the total's sign (or is zero), and zero weights get nothing.
    #[test]
    fn allocate_parts_sum_to_total(total in any::<i64>(), weights in prop::collection::vec(0u64..1_000_000_000_000, 1..8)) {
        let w: Vec<Decimal> = weights.iter().map(|x| Decimal::from(*x)).collect();
        let parts = vaka_analysis::allocate(total, &w);
        prop_assert_eq!(parts.len(), w.len());
        prop_assert_eq!(parts.iter().map(|p| i128::from(*p)).sum::<i128>(), i128::from(total));
        let all_zero = weights.iter().all(|x| *x == 0);
        for (p, x) in parts.iter().zip(&weights) {
            prop_assert!(*p == 0 || (p.signum() == total.signum()));
            if *x == 0 && !all_zero {
                prop_assert_eq!(*p, 0);
            }
        }
    }

    /// Parts of each value sum to the value rounded to cents; per value and
    /// place, areas sum to the place's part.
    #[test]
    fn parts_sum_to_the_whole(a in arb_activity()) {
        let f = run(&a);
        for (i, t) in a.transactions.iter().enumerate() {
            let whole = vaka_analysis::to_minor(t.value.as_ref().unwrap().amount).unwrap();
            let parts: i64 = f.facts.iter().filter(|x| x.tx_index == Some(i as u32)).map(|x| x.amount_minor).sum();
            prop_assert_eq!(parts, whole, "transaction {}", i);
        }
        for x in &f.facts {
            prop_assert!(x.area == "unclassified" || fw().area(&x.area).is_some());
        }
    }

    /// Shuffling countries, regions and sectors gives the same facts.
    #[test]
    fn order_of_countries_and_sectors_does_not_matter(a in arb_activity(), k in 0usize..7) {
        let mut b = a.clone();
        let n = b.recipient_countries.len();
        if n > 0 { b.recipient_countries.rotate_left(k % n); }
        b.recipient_countries.reverse();
        b.recipient_regions.reverse();
        let n = b.sectors.len();
        if n > 0 { b.sectors.rotate_right(k % n); }
        let mut fa = run(&a).facts;
        let mut fb = run(&b).facts;
        fa.sort();
        fb.sort();
        prop_assert_eq!(fa, fb);
    }
}
