//! Throughput of classification + apportioning + matrix on synthetic
//! activities shaped like bilateral Pacific projects (2 countries and a
//! region with percentages, 3 sectors, 10 transactions, 3 budgets each).
//!
//! `cargo run --release -p vaka-analysis --example flatten_throughput [N]`

use std::time::Instant;

use rust_decimal::Decimal;
use vaka_analysis::{
    Classify, Dim, Matrix, MatrixMeasure, MatrixRequest, NoNames, PartnerBy, flatten, group_facts,
};
use vaka_domain::{Framework, FxTable};
use vaka_iati::model::{
    Activity, Budget, Narrative, OrgRef, RecipientCountry, RecipientRegion, Sector, Transaction,
    Value,
};

fn synthetic(i: usize) -> Activity {
    let countries = ["TO", "FJ", "WS", "VU", "SB", "PG", "KI", "TV"];
    let sectors = [
        "23230", "14031", "21050", "12191", "43060", "15110", "73010", "23630",
    ];
    let currencies = ["NZD", "JPY", "USD", "AUD"];
    let pct = |p: i64| Some(Decimal::from(p));
    Activity {
        line: 1,
        identifier: format!("SYN-{i}"),
        default_currency: Some(currencies[i % 4].into()),
        reporting_org: Some(OrgRef {
            ref_: Some("NZ-1".into()),
            ..Default::default()
        }),
        title: vec![Narrative {
            lang: None,
            text: format!("Synthetic activity {i}: solar and water supply"),
        }],
        recipient_countries: vec![
            RecipientCountry {
                code: countries[i % 8].into(),
                percentage: pct(50),
                ..Default::default()
            },
            RecipientCountry {
                code: countries[(i + 3) % 8].into(),
                percentage: pct(30),
                ..Default::default()
            },
        ],
        recipient_regions: vec![RecipientRegion {
            code: "889".into(),
            vocabulary: "1".into(),
            percentage: pct(20),
            ..Default::default()
        }],
        sectors: (0..3)
            .map(|k| Sector {
                vocabulary: "1".into(),
                code: sectors[(i + k) % 8].into(),
                percentage: pct([50, 30, 20][k]),
                ..Default::default()
            })
            .collect(),
        transactions: (0..10)
            .map(|k| Transaction {
                type_: Some(["2", "3", "4"][k % 3].into()),
                date: Some(format!("{}-06-30", 2012 + (k % 12))),
                value: Some(Value {
                    amount: Decimal::new((i * 7919 + k * 104_729) as i64 % 10_000_000, 2),
                    currency: None,
                    value_date: None,
                }),
                ..Default::default()
            })
            .collect(),
        budgets: (0..3)
            .map(|k| Budget {
                type_: "1".into(),
                status: "2".into(),
                period_start: Some(format!("{}-01-01", 2016 + k)),
                period_end: Some(format!("{}-12-31", 2016 + k)),
                value: Some(Value {
                    amount: Decimal::from(100_000 + k as i64),
                    currency: None,
                    value_date: None,
                }),
            })
            .collect(),
        ..Default::default()
    }
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let activities: Vec<Activity> = (0..n).map(synthetic).collect();
    let Some(fw) = Framework::bundled_by_id("nz-japan-2019") else {
        eprintln!("bundled framework missing");
        std::process::exit(1);
    };
    let fx = FxTable::bundled();

    let t0 = Instant::now();
    let mut facts = Vec::new();
    for a in &activities {
        let f = flatten(a, &fw, &Classify::Rules(&NoNames), &fx);
        facts.extend(f.facts.into_iter().map(|x| (a.identifier.as_str(), x)));
    }
    let flatten_s = t0.elapsed().as_secs_f64();

    let req = MatrixRequest {
        framework: Some(fw.id.clone()),
        currency: "USD".into(),
        from_year: None,
        to_year: None,
        measure: MatrixMeasure::Disbursements,
        by: vec![Dim::Country, Dim::Area],
        partner_by: PartnerBy::Reporting,
    };
    let t1 = Instant::now();
    let groups = group_facts(facts.iter().map(|(a, f)| (*a, f)), &req);
    let group_s = t1.elapsed().as_secs_f64();
    let t2 = Instant::now();
    let m = match Matrix::build(&req, &groups, &fx, Some(&fw)) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let matrix_s = t2.elapsed().as_secs_f64();

    println!(
        "activities: {n}, transactions: {}, facts: {}",
        n * 10,
        facts.len()
    );
    println!(
        "flatten: {flatten_s:.3} s ({:.0} activities/s, {:.0} facts/s)",
        n as f64 / flatten_s,
        facts.len() as f64 / flatten_s
    );
    println!(
        "group_facts: {group_s:.3} s ({} groups); Matrix::build: {matrix_s:.4} s ({} cells)",
        groups.len(),
        m.cells.len()
    );
    println!("grand total: {:?} USD", m.totals.grand.value);
}
