//! Exchange rates and conversion, checked against hand-computed values from
//! the shared `fx/annual-rates.csv`.

#![allow(clippy::unwrap_used)] // tests may unwrap, helpers included

mod common;

use std::str::FromStr;

use proptest::prelude::*;
use rust_decimal::Decimal;
use vaka_domain::{FxError, FxTable, round_cents};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn shared_table() -> FxTable {
    FxTable::from_csv_str(
        "annual-rates.csv",
        &common::read_shared("fx/annual-rates.csv"),
    )
    .unwrap()
}

#[test]
fn bundled_table_equals_shared_file() {
    assert_eq!(FxTable::bundled(), shared_table());
}

#[test]
fn rates_are_read_exactly() {
    let t = FxTable::bundled();
    assert_eq!(t.rate("NZD", 2019).unwrap().per_usd, d("1.517875"));
    assert_eq!(t.rate("JPY", 2019).unwrap().per_usd, d("109.009665900863"));
    assert_eq!(t.rate("USD", 2010).unwrap().per_usd, Decimal::ONE);
    assert!(t.rate("NZD", 2019).unwrap().source.contains("PA.NUS.FCRF"));
    assert_eq!(t.currencies().len(), 15);
}

#[test]
fn nzd_to_usd_2019_by_hand() {
    // 1 000 000 / 1.517875 = 658 815.7786… → 658 815.78
    let c = FxTable::bundled()
        .convert(d("1000000"), "NZD", "USD", 2019)
        .unwrap();
    assert_eq!(c.amount, d("658815.78"));
    assert_eq!(c.rate_year, 2019);
    assert_eq!(c.rate, (Decimal::ONE / d("1.517875")).normalize());
}

#[test]
fn jpy_to_nzd_2019_by_hand() {
    // 1 000 000 × 1.517875 / 109.009665900863 = 13 924.2239… → 13 924.22
    let c = FxTable::bundled()
        .convert(d("1000000"), "JPY", "NZD", 2019)
        .unwrap();
    assert_eq!(c.amount, d("13924.22"));
}

#[test]
fn aud_to_nzd_2019_by_hand() {
    // 123 456.78 × 1.43850654421382 / 1.517875 = 117 001.3249 → 117 001.32 (AUD per USD is
    // smaller than NZD per USD, so the NZD figure is larger)
    let c = FxTable::bundled()
        .convert(d("123456.78"), "NZD", "AUD", 2019)
        .unwrap();
    assert_eq!(c.amount, d("117001.32"));
}

#[test]
fn negative_reversal_converts_symmetrically() {
    // -2 500 USD × 2.2683 = -5 670.75 FJD (2024)
    let c = FxTable::bundled()
        .convert(d("-2500"), "USD", "FJD", 2024)
        .unwrap();
    assert_eq!(c.amount, d("-5670.75"));
}

#[test]
fn missing_rate_is_an_error_never_zero() {
    // VUV 2025 is an empty cell in the table.
    let t = FxTable::bundled();
    assert_eq!(t.rate("VUV", 2025), None);
    assert_eq!(
        t.convert(d("100"), "VUV", "USD", 2025),
        Err(FxError::Missing {
            currency: "VUV".into(),
            year: 2025
        })
    );
    assert_eq!(
        t.convert(d("100"), "USD", "NZD", 1999),
        Err(FxError::Missing {
            currency: "USD".into(),
            year: 1999
        })
    );
    assert_eq!(
        t.convert(d("100"), "XYZ", "USD", 2019),
        Err(FxError::Missing {
            currency: "XYZ".into(),
            year: 2019
        })
    );
    let msg = t
        .convert(d("1"), "VUV", "USD", 2025)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("VUV") && msg.contains("2025"), "{msg}");
}

#[test]
fn same_currency_is_identity_even_without_rate() {
    let c = FxTable::default()
        .convert(d("10.005"), "VUV", "VUV", 2025)
        .unwrap();
    assert_eq!(c.amount, d("10.01"));
    assert_eq!(c.rate, Decimal::ONE);
}

proptest! {
    /// Converting there and back lands within a cent per conversion of the start.
    #[test]
    fn round_trip_within_two_cents(cents in -1_000_000_000_000i64..1_000_000_000_000i64, year in 2010i32..2025) {
        let t = FxTable::bundled();
        let a = Decimal::new(cents, 2);
        let there = t.convert(a, "NZD", "JPY", year).unwrap();
        let back = t.convert(there.amount, "JPY", "NZD", year).unwrap();
        prop_assert!((back.amount - a).abs() <= d("0.02"), "{a} -> {} -> {}", there.amount, back.amount);
    }

    /// Rounding never moves a value by more than half a cent and always has 2 decimals.
    #[test]
    fn rounding_bounds(units in any::<i64>(), scale in 0u32..10) {
        let a = Decimal::new(units, scale);
        let r = round_cents(a);
        prop_assert_eq!(r.scale(), 2);
        prop_assert!((r - a).abs() <= d("0.005"));
    }
}
