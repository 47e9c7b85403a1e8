//! Lexical checks for the XML Schema datatypes IATI uses: `xsd:decimal`,
//! `xsd:date`, `xsd:dateTime`, `xsd:boolean` and the integer types.
//!
//! Every function takes the published text and either returns the value or a
//! short reason that completes the sentence "`<text>` is not …". Nothing is
//! guessed: `1,000`, `1e3`, `2019-02-30` and `yes` are all rejected. Leading and
//! trailing XML whitespace is allowed, as the schema's whitespace facet says.
//!
//! This module must not allocate on the success path except for the returned
//! value, and must not know about diagnostics or the activity model.

use rust_decimal::Decimal;

/// XML whitespace: space, tab, carriage return, line feed.
pub(crate) fn trim_xml(s: &str) -> &str {
    let ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let b = s.as_bytes();
    // Most values have nothing to trim.
    if b.first().is_none_or(|c| !ws(c)) && b.last().is_none_or(|c| !ws(c)) {
        return s;
    }
    s.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

/// Check the `xsd:decimal` lexical form without building the value.
pub(crate) fn check_decimal(raw: &str) -> Result<(), &'static str> {
    let s = trim_xml(raw);
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int_part, frac_part) = body.split_once('.').unwrap_or((body, ""));
    if s.is_empty() {
        return Err("an xsd:decimal (it is empty)");
    }
    if int_part.is_empty() && frac_part.is_empty() {
        return Err("an xsd:decimal (no digits)");
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(
            "an xsd:decimal (only digits, one optional `.` and a leading sign are allowed)",
        );
    }
    Ok(())
}

/// Check an `xsd:date` without building the value.
pub(crate) fn check_date(raw: &str) -> Result<(), &'static str> {
    let (_, rest) = split_date(trim_xml(raw))?;
    check_timezone(rest)
}

/// Parse an `xsd:decimal`: optional sign, digits with at most one decimal point,
/// at least one digit. No grouping separators, no exponent.
pub(crate) fn parse_decimal(raw: &str) -> Result<Decimal, &'static str> {
    let s = trim_xml(raw);
    let bytes = s.as_bytes();
    if bytes.is_empty() {
        return Err("an xsd:decimal (it is empty)");
    }
    let (negative, body) = match bytes[0] {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let (int_part, frac_part) = match body.find('.') {
        Some(i) => (&body[..i], &body[i + 1..]),
        None => (body, ""),
    };
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty() && frac_part.is_empty() {
        return Err("an xsd:decimal (no digits)");
    }
    if !all_digits(int_part) || !all_digits(frac_part) {
        return Err(
            "an xsd:decimal (only digits, one optional `.` and a leading sign are allowed)",
        );
    }
    // rust_decimal accepts forms xsd:decimal does not (`1_000`) and rounds long
    // fractions; the checks above keep it to the xsd lexical space and
    // `from_str_exact` refuses silent rounding.
    let int_part = int_part.trim_start_matches('0');
    let frac_part = frac_part.trim_end_matches('0');
    let mut canonical = String::with_capacity(int_part.len() + frac_part.len() + 3);
    if negative {
        canonical.push('-');
    }
    if int_part.is_empty() {
        canonical.push('0');
    } else {
        canonical.push_str(int_part);
    }
    if !frac_part.is_empty() {
        canonical.push('.');
        canonical.push_str(frac_part);
    }
    Decimal::from_str_exact(&canonical)
        .map_err(|_| "a decimal Vaka can hold exactly (more than 28 significant digits)")
}

/// Parse an `xsd:date` and return it as `YYYY-MM-DD`. A timezone suffix (`Z`,
/// `+12:00`) is accepted and dropped. Years must have four digits.
pub(crate) fn parse_date(raw: &str) -> Result<String, &'static str> {
    let s = trim_xml(raw);
    let (date, rest) = split_date(s)?;
    check_timezone(rest)?;
    Ok(date.to_owned())
}

/// Check an `xsd:dateTime` (`YYYY-MM-DDThh:mm:ss[.fff][timezone]`) and return
/// it trimmed, as published.
pub(crate) fn check_datetime(raw: &str) -> Result<&str, &'static str> {
    let s = trim_xml(raw);
    let (_, rest) = split_date(s)?;
    let rest = rest
        .strip_prefix('T')
        .ok_or("an xsd:dateTime (expected `T` and a time after the date)")?;
    let b = rest.as_bytes();
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return Err("an xsd:dateTime (expected a time `hh:mm:ss`)");
    }
    let hh = two_digits(&b[0..2]).ok_or("an xsd:dateTime (bad hour)")?;
    let mm = two_digits(&b[3..5]).ok_or("an xsd:dateTime (bad minute)")?;
    let ss = two_digits(&b[6..8]).ok_or("an xsd:dateTime (bad second)")?;
    let mut i = 8;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return Err("an xsd:dateTime (no digits after the decimal point of the seconds)");
        }
    }
    let end_of_day = hh == 24 && mm == 0 && ss == 0;
    if !(hh < 24 || end_of_day) || mm > 59 || ss > 59 {
        return Err("an xsd:dateTime (time out of range)");
    }
    check_timezone(&rest[i..])?;
    Ok(s)
}

/// Parse an `xsd:boolean`: `true`, `false`, `1` or `0`.
pub(crate) fn parse_bool(raw: &str) -> Result<bool, &'static str> {
    match trim_xml(raw) {
        "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        _ => Err("an xsd:boolean (use 1, 0, true or false)"),
    }
}

/// Parse an integer (`xsd:int`, `xsd:integer`): optional sign and digits.
pub(crate) fn parse_int(raw: &str) -> Result<i64, &'static str> {
    let s = trim_xml(raw);
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("an integer");
    }
    s.strip_prefix('+')
        .unwrap_or(s)
        .parse::<i64>()
        .map_err(|_| "an integer in range")
}

/// Split `YYYY-MM-DD` off the front of `s` and check it is a real calendar day.
fn split_date(s: &str) -> Result<(&str, &str), &'static str> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return Err("a date in the form YYYY-MM-DD");
    }
    let year = four_digits(&b[0..4]).ok_or("a date in the form YYYY-MM-DD (bad year)")?;
    let month = two_digits(&b[5..7]).ok_or("a date in the form YYYY-MM-DD (bad month)")?;
    let day = two_digits(&b[8..10]).ok_or("a date in the form YYYY-MM-DD (bad day)")?;
    if year == 0 {
        return Err("a valid date (year 0000 does not exist)");
    }
    if !(1..=12).contains(&month) {
        return Err("a valid date (month out of range)");
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err("a valid date (no such day in that month)");
    }
    // Slicing at 10 is safe: the first ten bytes are ASCII.
    Ok((&s[..10], &s[10..]))
}

fn check_timezone(tz: &str) -> Result<(), &'static str> {
    if tz.is_empty() || tz == "Z" {
        return Ok(());
    }
    let b = tz.as_bytes();
    if b.len() == 6 && (b[0] == b'+' || b[0] == b'-') && b[3] == b':' {
        let hh = two_digits(&b[1..3]);
        let mm = two_digits(&b[4..6]);
        if let (Some(hh), Some(mm)) = (hh, mm)
            && (hh < 14 && mm < 60 || hh == 14 && mm == 0)
        {
            return Ok(());
        }
    }
    Err(
        "a date (unexpected text after YYYY-MM-DD; only a timezone such as `Z` or `+12:00` may follow)",
    )
}

fn two_digits(b: &[u8]) -> Option<u32> {
    match b {
        [a, c] if a.is_ascii_digit() && c.is_ascii_digit() => {
            Some(u32::from(a - b'0') * 10 + u32::from(c - b'0'))
        }
        _ => None,
    }
}

fn four_digits(b: &[u8]) -> Option<u32> {
    Some(two_digits(&b[0..2])? * 100 + two_digits(&b[2..4])?)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        _ => 28,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    #[test]
    fn decimals_follow_the_xsd_lexical_space() {
        for (text, want) in [
            ("1000", "1000"),
            (" 12.50\n", "12.5"),
            ("-335", "-335"),
            ("+7", "7"),
            (".5", "0.5"),
            ("5.", "5"),
            ("000123.4500", "123.45"),
        ] {
            assert_eq!(parse_decimal(text).unwrap().to_string(), want, "{text:?}");
        }
        for bad in [
            "", " ", "1,000", "1e3", "1_000", "12.5.1", "-", ".", "abc", "1 000", "NaN", "0x10",
        ] {
            assert!(parse_decimal(bad).is_err(), "{bad:?} should be rejected");
        }
        // Beyond what a 96-bit decimal holds: refused, not rounded.
        assert!(parse_decimal("123456789012345678901234567890123").is_err());
    }

    #[test]
    fn dates_are_real_calendar_days() {
        assert_eq!(parse_date("2017-06-30").unwrap(), "2017-06-30");
        assert_eq!(parse_date(" 2016-02-29Z ").unwrap(), "2016-02-29");
        assert_eq!(parse_date("2016-02-29+12:00").unwrap(), "2016-02-29");
        assert_eq!(parse_date("2000-02-29-05:00").unwrap(), "2000-02-29");
        for bad in [
            "2017-02-29",
            "1900-02-29",
            "2017-13-01",
            "2017-00-10",
            "2017-04-31",
            "17-04-01",
            "2017/04/01",
            "2017-04-01T00:00:00",
            "0000-01-01",
            "2017-4-1",
            "",
            "2017-04-01 x",
            "2017-04-01+15:00",
        ] {
            assert!(parse_date(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn datetimes() {
        for ok in [
            "2017-07-10T12:40:06",
            "2013-11-26T18:21:18+00:00",
            "2013-04-30T16:49:24Z",
            "2014-01-22T13:56:04.838825",
            "2014-01-22T24:00:00",
        ] {
            assert!(check_datetime(ok).is_ok(), "{ok:?}");
        }
        for bad in [
            "2011-06-01",
            "2011-06-01T25:00:00",
            "2011-06-01T12:00",
            "2011-06-01T12:00:00.",
            "2011-06-31T00:00:00",
        ] {
            assert!(check_datetime(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn booleans_and_integers() {
        assert_eq!(parse_bool(" 1 "), Ok(true));
        assert_eq!(parse_bool("false"), Ok(false));
        assert!(parse_bool("yes").is_err());
        assert!(parse_bool("").is_err());
        assert_eq!(parse_int("+2"), Ok(2));
        assert_eq!(parse_int("-1"), Ok(-1));
        assert!(parse_int("string").is_err());
        assert!(parse_int("1.0").is_err());
    }

    proptest! {
        #[test]
        fn decimal_round_trips_its_canonical_form(int in 0u64..10_000_000_000, frac in 0u32..10_000) {
            let text = format!("{int}.{frac:04}");
            let d = parse_decimal(&text).unwrap();
            prop_assert_eq!(d, Decimal::from_str(&text).unwrap());
        }

        #[test]
        fn any_valid_day_parses(y in 1u32..9999, m in 1u32..=12, d in 1u32..=31) {
            let text = format!("{y:04}-{m:02}-{d:02}");
            prop_assert_eq!(parse_date(&text).is_ok(), d <= days_in_month(y, m));
        }

        #[test]
        fn checks_agree_with_parsers(s in "[-+ .0-9a-z:TZ]{0,14}") {
            // The cheap checks accept exactly what the parsers accept (the
            // parser may still refuse a decimal too large to hold).
            if parse_decimal(&s).is_ok() { prop_assert!(check_decimal(&s).is_ok()); }
            if check_decimal(&s).is_err() { prop_assert!(parse_decimal(&s).is_err()); }
            prop_assert_eq!(check_date(&s).is_ok(), parse_date(&s).is_ok());
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = parse_decimal(&s);
            let _ = parse_date(&s);
            let _ = check_datetime(&s);
            let _ = parse_int(&s);
            let _ = check_decimal(&s);
            let _ = check_date(&s);
        }
    }
}
