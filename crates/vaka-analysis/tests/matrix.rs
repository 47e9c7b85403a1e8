//! The coverage matrix: conversion per group at its rate year, unconverted
//! money, exact JSON shape, totals, framework rows and columns, renderings,
//! and the end-to-end invariant on the real Pacific files.

#![allow(clippy::unwrap_used)] // tests may unwrap, helpers included

mod common;

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::json;
use vaka_analysis::{
    Classify, Dim, GroupRow, Matrix, MatrixError, MatrixMeasure, MatrixRequest, NoNames, PartnerBy,
    flatten, group_facts, to_xlsx,
};
use vaka_domain::{Framework, FxTable};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn fw() -> Framework {
    Framework::bundled_by_id("nz-japan-2019").unwrap()
}

fn req(by: Vec<Dim>, measure: MatrixMeasure) -> MatrixRequest {
    MatrixRequest {
        framework: Some("nz-japan-2019".into()),
        currency: "USD".into(),
        from_year: None,
        to_year: None,
        measure,
        by,
        partner_by: PartnerBy::Reporting,
    }
}

fn row(
    country: &str,
    area: &str,
    partner: &str,
    year: i32,
    currency: &str,
    sum_minor: i64,
    txs: i64,
) -> GroupRow {
    GroupRow {
        country: Some(country.into()),
        area: Some(area.into()),
        partner: Some(partner.into()),
        year: Some(year),
        currency: currency.into(),
        rate_year: year,
        sum_minor,
        transactions: txs,
        activity: None,
    }
}

fn rows() -> Vec<GroupRow> {
    vec![
        // 1 000 000.00 NZD in 2019 → 658 815.78 USD (÷ 1.517875)
        row(
            "TO",
            "renewable-energy",
            "NZ-1",
            2019,
            "NZD",
            100_000_000,
            3,
        ),
        // 1 000 000 JPY in 2019 → 9 173.50 USD (÷ 109.009665900863)
        row(
            "TO",
            "renewable-energy",
            "XM-DAC-701-8",
            2019,
            "JPY",
            100_000_000,
            2,
        ),
        row("TO", "water-security", "NZ-1", 2019, "USD", 12_345, 1),
        // No VUV rate for 2025: listed as unconverted, never zero.
        row("VU", "water-security", "NZ-1", 2025, "VUV", 50_000_000, 4),
        row(
            "889",
            "disaster-risk-reduction",
            "NZ-1",
            2020,
            "USD",
            100_000,
            1,
        ),
    ]
}

#[test]
fn converts_each_group_at_its_rate_year_and_lists_unconverted() {
    let m = Matrix::build(
        &req(
            vec![Dim::Country, Dim::Area, Dim::Partner, Dim::Year],
            MatrixMeasure::Disbursements,
        ),
        &rows(),
        &FxTable::bundled(),
        None,
    )
    .unwrap();
    let values: Vec<(String, String, String, Decimal)> = m
        .cells
        .iter()
        .map(|c| {
            (
                c.label(Dim::Country),
                c.label(Dim::Area),
                c.label(Dim::Partner),
                c.value.unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, String, String, Decimal)> = [
        ("TO", "renewable-energy", "NZ-1", "658815.78"),
        ("TO", "renewable-energy", "XM-DAC-701-8", "9173.50"),
        ("TO", "water-security", "NZ-1", "123.45"),
        ("889", "disaster-risk-reduction", "NZ-1", "1000.00"),
    ]
    .iter()
    .map(|(c, a, p, v)| ((*c).into(), (*a).into(), (*p).into(), d(v)))
    .collect();
    assert_eq!(
        values, want,
        "countries before regions; areas, partners in order"
    );
    assert_eq!(m.unconverted.len(), 1);
    let u = &m.unconverted[0];
    assert_eq!(
        (u.currency.as_str(), u.year, u.amount, u.cells),
        ("VUV", 2025, d("500000.00"), 1)
    );
    assert_eq!(m.totals.grand.value, Some(d("669112.73")));
    assert_eq!(
        m.totals.grand.transactions,
        Some(7),
        "unconverted groups are not counted"
    );
    let rates: Vec<(String, i32)> = m
        .rates_used
        .iter()
        .map(|r| (r.from.clone(), r.year))
        .collect();
    assert_eq!(rates, [("JPY".to_owned(), 2019), ("NZD".to_owned(), 2019)]);
}

#[test]
fn json_has_exactly_the_agreed_shape() {
    let m = Matrix::build(
        &req(
            vec![Dim::Country, Dim::Area, Dim::Partner, Dim::Year],
            MatrixMeasure::Disbursements,
        ),
        &rows()[2..3],
        &FxTable::bundled(),
        None,
    )
    .unwrap();
    assert_eq!(
        m.to_json(),
        json!({
            "cells": [{"country": "TO", "area": "water-security", "partner": "NZ-1", "year": 2019, "value": "123.45", "currency": "USD", "transactions": 1}],
            "totals": {
                "country": [{"country": "TO", "value": "123.45", "currency": "USD", "transactions": 1}],
                "area": [{"area": "water-security", "value": "123.45", "currency": "USD", "transactions": 1}],
                "partner": [{"partner": "NZ-1", "value": "123.45", "currency": "USD", "transactions": 1}],
                "year": [{"year": 2019, "value": "123.45", "currency": "USD", "transactions": 1}],
                "grand": {"value": "123.45", "currency": "USD", "transactions": 1}
            },
            "unconverted": []
        })
    );
    // Key order as agreed.
    let text = serde_json::to_string(&m).unwrap();
    assert!(text.starts_with(r#"{"cells":[{"country":"TO","area":"water-security","partner":"NZ-1","year":2019,"value":"123.45","currency":"USD","transactions":1}]"#), "{text}");
}

#[test]
fn cells_carry_only_the_chosen_keys() {
    let m = Matrix::build(
        &req(vec![Dim::Year], MatrixMeasure::Disbursements),
        &rows(),
        &FxTable::bundled(),
        None,
    )
    .unwrap();
    let j = m.to_json();
    assert_eq!(
        j["cells"],
        json!([
            {"year": 2019, "value": "668112.73", "currency": "USD", "transactions": 6},
            {"year": 2020, "value": "1000.00", "currency": "USD", "transactions": 1}
        ])
    );
    assert!(j["totals"].get("country").is_none());
}

#[test]
fn totals_equal_the_sum_of_cells() {
    let m = Matrix::build(
        &req(vec![Dim::Country, Dim::Area], MatrixMeasure::Disbursements),
        &rows(),
        &FxTable::bundled(),
        Some(&fw()),
    )
    .unwrap();
    let sum: Decimal = m.cells.iter().map(|c| c.value.unwrap()).sum();
    assert_eq!(Some(sum), m.totals.grand.value);
    for t in m.totals.country.as_ref().unwrap() {
        let s: Decimal = m
            .cells
            .iter()
            .filter(|c| c.country == t.country)
            .map(|c| c.value.unwrap())
            .sum();
        assert_eq!(Some(s), t.value, "{:?}", t.country);
    }
}

#[test]
fn framework_rows_and_columns_are_complete_and_ordered() {
    let f = fw();
    let m = Matrix::build(
        &req(vec![Dim::Country, Dim::Area], MatrixMeasure::Disbursements),
        &rows(),
        &FxTable::bundled(),
        Some(&f),
    )
    .unwrap();
    let countries: Vec<String> = m
        .totals
        .country
        .as_ref()
        .unwrap()
        .iter()
        .map(|c| c.label(Dim::Country))
        .collect();
    let mut expected = f.focus_countries.clone();
    expected.push("889".into());
    assert_eq!(
        countries, expected,
        "focus countries in framework order, then regions"
    );
    let areas: Vec<String> = m
        .totals
        .area
        .as_ref()
        .unwrap()
        .iter()
        .map(|c| c.label(Dim::Area))
        .collect();
    assert_eq!(
        areas,
        [
            "renewable-energy",
            "aviation-infrastructure",
            "water-security",
            "medical-infrastructure",
            "disaster-risk-reduction",
            "unclassified"
        ]
    );
    assert_eq!(
        m.cells.len(),
        expected.len() * 6,
        "every country × area cell, zeros included"
    );
    let ck = m
        .cells
        .iter()
        .find(|c| c.label(Dim::Country) == "CK" && c.label(Dim::Area) == "unclassified")
        .unwrap();
    assert_eq!((ck.value, ck.transactions), (Some(d("0.00")), Some(0)));
    assert_eq!(m.to_json()["cells"][0]["value"], json!("0.00"));
}

#[test]
fn converts_to_other_currencies() {
    // 2 500.00 AUD in 2019 → NZD: 2 500 × 1.517875 / 1.43850654421382 = 2 637.94
    let rows = vec![row(
        "TO",
        "renewable-energy",
        "AU-5",
        2019,
        "AUD",
        250_000,
        1,
    )];
    let mut r = req(vec![Dim::Country], MatrixMeasure::Commitments);
    r.currency = "NZD".into();
    let m = Matrix::build(&r, &rows, &FxTable::bundled(), None).unwrap();
    assert_eq!(m.cells[0].value, Some(d("2637.94")));
    assert_eq!(m.cells[0].currency.as_deref(), Some("NZD"));
}

#[test]
fn years_outside_the_range_are_left_out() {
    let mut r = req(vec![Dim::Country], MatrixMeasure::Disbursements);
    r.from_year = Some(2020);
    let m = Matrix::build(&r, &rows(), &FxTable::bundled(), None).unwrap();
    assert_eq!(m.totals.grand.value, Some(d("1000.00")));
    assert_eq!(
        m.unconverted.len(),
        1,
        "2025 is inside the open-ended range"
    );
    r.to_year = Some(2024);
    let m = Matrix::build(&r, &rows(), &FxTable::bundled(), None).unwrap();
    assert_eq!(m.totals.grand.value, Some(d("1000.00")));
    assert!(m.unconverted.is_empty(), "2025 is now outside the range");
}

#[test]
fn activities_measure_counts_distinct_activities() {
    let mk = |country: &str, area: &str, activity: &str| GroupRow {
        country: Some(country.into()),
        area: Some(area.into()),
        activity: Some(activity.into()),
        transactions: 5,
        currency: "USD".into(),
        rate_year: 2019,
        ..GroupRow::default()
    };
    let rows = vec![
        mk("TO", "water-security", "A"),
        mk("TO", "renewable-energy", "A"),
        mk("FJ", "water-security", "B"),
        mk("TO", "water-security", "C"),
    ];
    let m = Matrix::build(
        &req(vec![Dim::Country], MatrixMeasure::Activities),
        &rows,
        &FxTable::default(),
        None,
    )
    .unwrap();
    assert_eq!(
        m.to_json()["cells"],
        json!([{"country": "FJ", "activities": 1}, {"country": "TO", "activities": 2}])
    );
    assert_eq!(m.to_json()["totals"]["grand"], json!({"activities": 3}));
}

#[test]
fn bad_requests_are_errors() {
    let mut r = req(vec![Dim::Country], MatrixMeasure::Disbursements);
    r.currency = "DOLLARS".into();
    assert!(matches!(
        Matrix::build(&r, &[], &FxTable::bundled(), None),
        Err(MatrixError::Currency(_))
    ));
    let r = req(
        vec![Dim::Country, Dim::Country],
        MatrixMeasure::Disbursements,
    );
    assert!(matches!(
        Matrix::build(&r, &[], &FxTable::bundled(), None),
        Err(MatrixError::DuplicateDim(Dim::Country))
    ));
    let ajnz = Framework::bundled_by_id("ajnz-2003").unwrap();
    let r = req(vec![Dim::Country], MatrixMeasure::Disbursements);
    assert!(matches!(
        Matrix::build(&r, &[], &FxTable::bundled(), Some(&ajnz)),
        Err(MatrixError::FrameworkMismatch { .. })
    ));
}

#[test]
fn table_is_aligned_with_thousands_separators() {
    let m = Matrix::build(
        &req(vec![Dim::Country, Dim::Area], MatrixMeasure::Disbursements),
        &rows(),
        &FxTable::bundled(),
        None,
    )
    .unwrap();
    let t = m.to_table();
    let lines: Vec<&str> = t.lines().collect();
    assert!(lines[0].starts_with("country \\ area"), "{t}");
    let to = lines.iter().find(|l| l.starts_with("TO ")).unwrap();
    assert!(to.contains("667,989.28"), "{t}");
    assert!(to.contains("123.45"), "{t}");
    let total = lines.iter().find(|l| l.starts_with("Total")).unwrap();
    assert!(
        total.ends_with("668,112.73") || total.ends_with("669,112.73"),
        "{t}"
    );
    assert!(
        t.contains("not converted: 500,000.00 VUV (2025, no exchange rate)"),
        "{t}"
    );
    // Every grid line has the same width.
    let widths: Vec<usize> = lines.iter().take(4).map(|l| l.chars().count()).collect();
    assert!(widths.windows(2).all(|w| w[0] == w[1] || w[1] == 0), "{t}");

    let long = Matrix::build(
        &req(vec![Dim::Country], MatrixMeasure::Disbursements),
        &rows(),
        &FxTable::bundled(),
        None,
    )
    .unwrap()
    .to_table();
    assert!(
        long.lines().next().unwrap().contains("value (USD)"),
        "{long}"
    );
}

#[test]
fn csv_has_one_line_per_cell() {
    let m = Matrix::build(
        &req(vec![Dim::Country, Dim::Year], MatrixMeasure::Disbursements),
        &rows(),
        &FxTable::bundled(),
        None,
    )
    .unwrap();
    assert_eq!(
        m.to_csv().unwrap(),
        "country,year,value,currency,transactions\nTO,2019,668112.73,USD,6\n889,2020,1000.00,USD,1\n"
    );
}

#[test]
fn xlsx_is_a_workbook() {
    let m = Matrix::build(
        &req(vec![Dim::Country, Dim::Area], MatrixMeasure::Disbursements),
        &rows(),
        &FxTable::bundled(),
        Some(&fw()),
    )
    .unwrap();
    let bytes = to_xlsx(&m).unwrap();
    assert_eq!(&bytes[..4], b"PK\x03\x04", "an XLSX file is a zip archive");
    assert!(bytes.len() > 4000);
    // Sheet names are stored uncompressed in the zip's central directory as
    // file names (xl/worksheets/sheetN.xml): four sheets, Matrix, Totals,
    // Unconverted and Rates.
    let names = String::from_utf8_lossy(&bytes);
    for n in 1..=4 {
        assert!(
            names.contains(&format!("xl/worksheets/sheet{n}.xml")),
            "sheet {n}"
        );
    }
    assert!(!names.contains("xl/worksheets/sheet5.xml"));
}

/// End to end on the real Pacific files: flatten → group → matrix. For every
/// country, the sum over areas (with `unclassified`) equals the country's
/// total, and the grand total equals the sum of the facts.
#[test]
fn real_files_country_rows_sum_over_areas() {
    let f = fw();
    let fx = FxTable::bundled();
    let mut facts = Vec::new();
    for path in common::pacific_files() {
        for a in common::load_activities(&common::read(&path)) {
            let id = a.identifier.clone();
            facts.extend(
                flatten(&a, &f, &Classify::Rules(&NoNames), &fx)
                    .facts
                    .into_iter()
                    .map(move |x| (id.clone(), x)),
            );
        }
    }
    let r = req(vec![Dim::Country, Dim::Area], MatrixMeasure::Disbursements);
    let groups = group_facts(facts.iter().map(|(a, x)| (a.as_str(), x)), &r);
    let m = Matrix::build(&r, &groups, &fx, Some(&f)).unwrap();
    assert!(m.unconverted.is_empty(), "all UNDP values are USD");
    let mut by_country: BTreeMap<String, Decimal> = BTreeMap::new();
    for c in &m.cells {
        *by_country.entry(c.label(Dim::Country)).or_default() += c.value.unwrap();
    }
    for t in m.totals.country.as_ref().unwrap() {
        assert_eq!(
            Some(by_country[&t.label(Dim::Country)]),
            t.value,
            "{:?}",
            t.country
        );
    }
    let fact_total: i64 = facts
        .iter()
        .filter(|(_, x)| x.measure == vaka_analysis::Measure::Disbursement)
        .map(|(_, x)| x.amount_minor)
        .sum();
    assert_eq!(m.totals.grand.value, Some(Decimal::new(fact_total, 2)));
    // The countries with data are the twelve files' countries.
    let with_money: Vec<String> = m
        .totals
        .country
        .as_ref()
        .unwrap()
        .iter()
        .filter(|c| !c.value.unwrap().is_zero())
        .map(|c| c.label(Dim::Country))
        .collect();
    assert_eq!(
        with_money,
        [
            "CK", "FJ", "MH", "FM", "NR", "NU", "PG", "SB", "TO", "TV", "VU", "TK"
        ]
    );
    // Renewable energy, water security and DRR all receive money; aviation does not.
    let area = |id: &str| {
        m.totals
            .area
            .as_ref()
            .unwrap()
            .iter()
            .find(|c| c.label(Dim::Area) == id)
            .unwrap()
            .value
            .unwrap()
    };
    assert!(area("renewable-energy") > Decimal::ZERO);
    assert!(area("water-security") > Decimal::ZERO);
    assert!(area("disaster-risk-reduction") > Decimal::ZERO);
    assert_eq!(area("aviation-infrastructure"), d("0.00"));
}
