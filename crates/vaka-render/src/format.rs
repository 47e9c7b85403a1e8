//! Number formatting for labels, tooltips and tables.
//!
//! Two styles: full figures with thousands separators (`1,234,567`, for tables and tooltips,
//! where the exact number matters) and compact figures (`1.2 M`, for bar and axis labels, where
//! space is short). A unit that looks like an ISO 4217 currency code is written before the number
//! (`USD 1.2 M`), any other unit after it (`12 activities`). This module only formats; it must
//! not round values that are later summed.

/// Formats `v` with `,` thousands separators and exactly `decimals` decimals.
///
/// Non-finite values become `n/a`.
///
/// ```
/// assert_eq!(vaka_render::format_thousands(1234567.0, 0), "1,234,567");
/// assert_eq!(vaka_render::format_thousands(-1234.5, 1), "-1,234.5");
/// ```
pub fn format_thousands(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "n/a".to_owned();
    }
    let decimals = decimals.min(12);
    let raw = format!("{:.*}", decimals, v.abs());
    let (int_part, frac_part) = match raw.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (raw.as_str(), None),
    };
    let is_zero = raw.bytes().all(|b| b == b'0' || b == b'.');
    let mut out = String::with_capacity(raw.len() + raw.len() / 3 + 1);
    if v < 0.0 && !is_zero {
        out.push('-');
    }
    let digits = int_part.len();
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (digits - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac_part {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// Formats `v` compactly: `950`, `7.5`, `12 k`, `1.2 M`, `3.4 B`.
///
/// One decimal below 10 of the chosen unit, none above; a trailing `.0` is dropped. Values
/// that round up to 1000 of a unit move to the next unit (`999,950` is `1 M`, not `1000 k`).
/// Non-finite values become `n/a`.
///
/// ```
/// assert_eq!(vaka_render::format_compact(1_234_567.0), "1.2 M");
/// assert_eq!(vaka_render::format_compact(999_950.0), "1 M");
/// assert_eq!(vaka_render::format_compact(-45_000.0), "-45 k");
/// ```
pub fn format_compact(v: f64) -> String {
    const UNITS: [(&str, f64); 5] = [("", 1.0), ("k", 1e3), ("M", 1e6), ("B", 1e9), ("T", 1e12)];
    if !v.is_finite() {
        return "n/a".to_owned();
    }
    let a = v.abs();
    let mut idx = UNITS.iter().rposition(|(_, d)| a >= *d).unwrap_or(0);
    loop {
        let (suffix, div) = UNITS[idx];
        let scaled = a / div;
        let decimals = usize::from(scaled < 9.95);
        // Round half away from zero (1.25 → 1.3) as readers expect; `{:.1}` alone rounds
        // exactly representable halves to even.
        let factor = if decimals == 1 { 10.0 } else { 1.0 };
        let rounded = (scaled * factor).round() / factor;
        let text = format!("{:.*}", decimals, rounded);
        if rounded >= 1000.0 && idx + 1 < UNITS.len() {
            idx += 1;
            continue;
        }
        let text = text.strip_suffix(".0").unwrap_or(&text);
        let sign = if v < 0.0 && rounded != 0.0 { "-" } else { "" };
        return if suffix.is_empty() {
            format!("{sign}{text}")
        } else {
            format!("{sign}{text} {suffix}")
        };
    }
}

/// Formats a value in full for tooltips and tables: thousands separators, no decimals from 100
/// up, otherwise up to two decimals; with `unit` placed as described in the module docs.
///
/// ```
/// assert_eq!(vaka_render::format_full(2_500_000.0, "USD"), "USD 2,500,000");
/// assert_eq!(vaka_render::format_full(12.5, "projects"), "12.5 projects");
/// ```
pub fn format_full(v: f64, unit: &str) -> String {
    let number = if !v.is_finite() {
        "n/a".to_owned()
    } else if v.abs() >= 100.0 {
        format_thousands(v, 0)
    } else {
        let s = format_thousands(v, 2);
        let s = s.trim_end_matches('0');
        s.trim_end_matches('.').to_owned()
    };
    with_unit(&number, unit, v.is_finite())
}

/// [`format_compact`] with `unit` placed as described in the module docs.
///
/// ```
/// assert_eq!(vaka_render::format_compact_unit(1_250_000.0, "NZD"), "NZD 1.3 M");
/// assert_eq!(vaka_render::format_compact_unit(40.0, "%"), "40%");
/// ```
pub fn format_compact_unit(v: f64, unit: &str) -> String {
    with_unit(&format_compact(v), unit, v.is_finite())
}

fn with_unit(number: &str, unit: &str, finite: bool) -> String {
    let unit = unit.trim();
    if unit.is_empty() || !finite {
        number.to_owned()
    } else if is_currency_code(unit) {
        format!("{unit} {number}")
    } else if unit == "%" {
        format!("{number}%")
    } else {
        format!("{number} {unit}")
    }
}

/// Three ASCII capitals, the shape of an ISO 4217 code; currencies are written first.
fn is_currency_code(unit: &str) -> bool {
    unit.len() == 3 && unit.bytes().all(|b| b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(format_thousands(0.0, 0), "0");
        assert_eq!(format_thousands(999.0, 0), "999");
        assert_eq!(format_thousands(1000.0, 0), "1,000");
        assert_eq!(format_thousands(123_456_789.0, 0), "123,456,789");
        assert_eq!(format_thousands(-0.4, 0), "0");
        assert_eq!(format_thousands(f64::NAN, 0), "n/a");
        assert_eq!(format_thousands(1234.567, 2), "1,234.57");
    }

    #[test]
    fn compact_units_and_rounding() {
        assert_eq!(format_compact(0.0), "0");
        assert_eq!(format_compact(7.46), "7.5");
        assert_eq!(format_compact(1_250_000.0), "1.3 M");
        assert_eq!(format_compact(9.96), "10");
        assert_eq!(format_compact(950.0), "950");
        assert_eq!(format_compact(999.96), "1 k");
        assert_eq!(format_compact(1_000.0), "1 k");
        assert_eq!(format_compact(12_345.0), "12 k");
        assert_eq!(format_compact(340_000.0), "340 k");
        assert_eq!(format_compact(1_200_000.0), "1.2 M");
        assert_eq!(format_compact(2_500_000_000.0), "2.5 B");
        assert_eq!(format_compact(-0.01), "0");
        assert_eq!(format_compact(f64::INFINITY), "n/a");
    }

    #[test]
    fn units_are_placed_by_kind() {
        assert_eq!(format_full(1_234.0, "USD"), "USD 1,234");
        assert_eq!(format_full(0.5, ""), "0.5");
        assert_eq!(format_full(3.0, "activities"), "3 activities");
        assert_eq!(format_full(f64::NAN, "USD"), "n/a");
        assert_eq!(format_compact_unit(3_400_000.0, "Usd"), "3.4 M Usd");
    }
}
