//! Amounts of money in a sentence: "$7.9 million", "NZ$3m", "US$2.5 million",
//! "¥300 million", "JPY 500 million", "1,500,000 euros".
//!
//! Values are exact decimals (never floats). A bare `$` takes the issuing
//! country's dollar (NZD in a New Zealand government release); when no issuing
//! country is known its currency stays unknown rather than guessed. `¥` is read
//! as JPY, the yen being the usual meaning in this domain. This module must not
//! decide what an amount is for; commitments do that.

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::LazyLock;

use rust_decimal::Decimal;

use crate::gazetteer::read_codelist;

const CURRENCY_XML: &str =
    include_str!("../../../../data/iati/codelists/non-embedded/Currency.xml");

/// Active ISO 4217 codes from the embedded IATI Currency codelist.
pub(crate) fn currency_codes() -> &'static HashSet<String> {
    static CODES: LazyLock<HashSet<String>> = LazyLock::new(|| match read_codelist(CURRENCY_XML) {
        Ok(items) => items
            .into_iter()
            .filter(|c| !c.withdrawn)
            .map(|c| c.code)
            .collect(),
        Err(e) => {
            tracing::error!(error = %e, "embedded Currency codelist does not parse");
            HashSet::new()
        }
    });
    &CODES
}

/// How the currency of an amount was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CurrencyBasis {
    /// Written with the amount ("NZ$", "USD", "yen").
    Explicit,
    /// A bare `$`/"dollars", read as the issuing country's dollar.
    IssuingCountry,
    /// A bare `$` with no issuing country: currency unknown.
    Unknown,
}

/// One amount found in a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawAmount {
    pub value: Decimal,
    pub currency: Option<String>,
    pub basis: CurrencyBasis,
    pub qualifier: Option<String>,
    /// Byte range of the amount in the sentence.
    pub start: usize,
    pub end: usize,
}

/// Symbol prefixes, longest first. `None` is a bare dollar.
const PREFIXES: &[(&str, Option<&str>)] = &[
    ("NZD$", Some("NZD")),
    ("USD$", Some("USD")),
    ("AUD$", Some("AUD")),
    ("FJD$", Some("FJD")),
    ("SBD$", Some("SBD")),
    ("WST$", Some("WST")),
    ("CAD$", Some("CAD")),
    ("SAT$", Some("WST")),
    ("NZ$", Some("NZD")),
    ("US$", Some("USD")),
    ("AU$", Some("AUD")),
    ("FJ$", Some("FJD")),
    ("SI$", Some("SBD")),
    ("WS$", Some("WST")),
    ("CA$", Some("CAD")),
    ("SG$", Some("SGD")),
    ("HK$", Some("HKD")),
    ("NT$", Some("TWD")),
    ("A$", Some("AUD")),
    ("F$", Some("FJD")),
    ("T$", Some("TOP")),
    ("C$", Some("CAD")),
    ("S$", Some("SGD")),
    ("$", None),
    ("€", Some("EUR")),
    ("£", Some("GBP")),
    ("¥", Some("JPY")),
    ("￥", Some("JPY")),
    ("₩", Some("KRW")),
];

/// "$NZ3m", "$US5 million": letters after the dollar sign.
const DOLLAR_LETTERS: &[(&str, &str)] = &[
    ("NZ", "NZD"),
    ("US", "USD"),
    ("A", "AUD"),
    ("F", "FJD"),
    ("T", "TOP"),
];

/// Currency words after a number, longest first. `None` is "dollars" alone.
const SUFFIX_WORDS: &[(&str, Option<&str>)] = &[
    ("new zealand dollars", Some("NZD")),
    ("solomon islands dollars", Some("SBD")),
    ("australian dollars", Some("AUD")),
    ("american dollars", Some("USD")),
    ("fijian dollars", Some("FJD")),
    ("fiji dollars", Some("FJD")),
    ("u.s. dollars", Some("USD")),
    ("us dollars", Some("USD")),
    ("nz dollars", Some("NZD")),
    ("pounds sterling", Some("GBP")),
    ("dollars", None),
    ("yen", Some("JPY")),
    ("euros", Some("EUR")),
    ("euro", Some("EUR")),
    ("pa'anga", Some("TOP")),
    ("tala", Some("WST")),
    ("vatu", Some("VUV")),
    ("kina", Some("PGK")),
    ("yuan", Some("CNY")),
    ("renminbi", Some("CNY")),
];

/// Words in front of an amount that qualify it, longest first.
const QUALIFIERS: &[&str] = &[
    "in excess of",
    "more than",
    "less than",
    "at least",
    "up to",
    "an estimated",
    "a total of",
    "approximately",
    "around",
    "about",
    "almost",
    "nearly",
    "over",
    "some",
    "roughly",
];

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn char_before(s: &str, i: usize) -> Option<char> {
    s[..i].chars().next_back()
}

/// A number at `i`: digits with optional `,ddd` groups and a decimal part.
/// Returns the digits without separators and the end byte.
fn number_at(s: &str, i: usize) -> Option<(String, usize)> {
    let b = s.as_bytes();
    let mut j = i;
    let mut digits = String::new();
    while j < b.len() && b[j].is_ascii_digit() {
        digits.push(b[j] as char);
        j += 1;
    }
    if digits.is_empty() {
        return None;
    }
    // Thousands groups: exactly three digits after each comma.
    while j + 3 < b.len() + 1
        && b.get(j) == Some(&b',')
        && b.get(j + 1..j + 4)
            .is_some_and(|g| g.iter().all(u8::is_ascii_digit))
        && !b.get(j + 4).is_some_and(u8::is_ascii_digit)
    {
        digits.push_str(&s[j + 1..j + 4]);
        j += 4;
    }
    if b.get(j) == Some(&b'.') && b.get(j + 1).is_some_and(u8::is_ascii_digit) {
        digits.push('.');
        j += 1;
        while j < b.len() && b[j].is_ascii_digit() {
            digits.push(b[j] as char);
            j += 1;
        }
    }
    Some((digits, j))
}

/// A scale word after the number at `j`: multiplier and end byte.
fn scale_at(s: &str, j: usize) -> (Decimal, usize) {
    let rest = &s[j..];
    let spaced = rest.trim_start_matches([' ', '\u{a0}']);
    let gap = rest.len() - spaced.len();
    let words: &[(&str, i64, bool)] = &[
        ("trillion", 1_000_000_000_000, true),
        ("billion", 1_000_000_000, true),
        ("million", 1_000_000, true),
        ("thousand", 1_000, true),
        ("bn", 1_000_000_000, true),
        ("mn", 1_000_000, true),
        ("m", 1_000_000, false),
        ("b", 1_000_000_000, false),
        ("k", 1_000, false),
    ];
    for &(w, mult, may_space) in words {
        // ASCII comparison on the original text: lower-casing can change byte
        // lengths (the Kelvin sign lower-cases to `k`).
        if (gap == 0 || may_space)
            && spaced
                .get(..w.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(w))
            && !spaced[w.len()..].chars().next().is_some_and(is_word_char)
        {
            return (Decimal::from(mult), j + gap + w.len());
        }
    }
    (Decimal::ONE, j)
}

/// A currency written after the amount ending at `j`.
fn suffix_at(s: &str, j: usize) -> Option<(Option<String>, usize)> {
    let rest = &s[j..];
    let spaced = rest.trim_start_matches([' ', '\u{a0}']);
    let gap = rest.len() - spaced.len();
    if gap == 0 {
        return None;
    }
    let code: String = spaced
        .chars()
        .take_while(char::is_ascii_uppercase)
        .collect();
    if code.len() == 3
        && !spaced[3..].chars().next().is_some_and(is_word_char)
        && currency_codes().contains(&code)
    {
        return Some((Some(code), j + gap + 3));
    }
    let folded: String = spaced.chars().map(crate::text::fold_char).collect();
    for &(w, cur) in SUFFIX_WORDS {
        if folded.starts_with(w)
            && folded.is_char_boundary(w.len())
            && !folded[w.len()..].chars().next().is_some_and(is_word_char)
        {
            // `folded` and `spaced` differ only in apostrophes, so count chars.
            let n = w.chars().count();
            let bytes: usize = spaced.chars().take(n).map(char::len_utf8).sum();
            return Some((cur.map(str::to_owned), j + gap + bytes));
        }
    }
    None
}

fn qualifier_before(s: &str, start: usize) -> Option<String> {
    let before = s[..start].trim_end().to_lowercase();
    QUALIFIERS
        .iter()
        .find(|q| {
            before.ends_with(*q)
                && !before[..before.len() - q.len()]
                    .chars()
                    .next_back()
                    .is_some_and(is_word_char)
        })
        .map(|q| (*q).to_owned())
}

/// Find every amount in `s`. `dollar` is the issuing country's dollar, if any.
pub(crate) fn find(s: &str, dollar: Option<&str>) -> Vec<RawAmount> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        if !s.is_char_boundary(i) {
            i += 1;
            continue;
        }
        match amount_at(s, i, dollar) {
            Some(a) => {
                i = a.end.max(i + 1);
                out.push(a);
            }
            None => i += s[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    out
}

fn amount_at(s: &str, i: usize, dollar: Option<&str>) -> Option<RawAmount> {
    if char_before(s, i).is_some_and(|c| is_word_char(c) || c == '.' || c == ',') {
        return None;
    }
    let rest = &s[i..];
    // (1) symbol prefix, (2) ISO code prefix, (3) bare number with a suffix.
    let mut prefix: Option<(Option<String>, usize)> = None;
    for &(p, cur) in PREFIXES {
        if rest.starts_with(p) {
            let mut j = i + p.len();
            let mut cur = cur;
            if p == "$" {
                for &(letters, code) in DOLLAR_LETTERS {
                    if s[j..].starts_with(letters)
                        && s[j + letters.len()..].starts_with(|c: char| c.is_ascii_digit())
                    {
                        cur = Some(code);
                        j += letters.len();
                        break;
                    }
                }
            }
            prefix = Some((cur.map(str::to_owned), j));
            break;
        }
    }
    if prefix.is_none() {
        let code: String = rest.chars().take_while(char::is_ascii_uppercase).collect();
        if code.len() == 3 && currency_codes().contains(&code) {
            let after = &rest[3..];
            let trimmed = after.trim_start_matches([' ', '\u{a0}']);
            if trimmed.len() < after.len() && trimmed.starts_with(|c: char| c.is_ascii_digit()) {
                prefix = Some((Some(code), i + 3));
            }
        }
    }
    let has_prefix = prefix.is_some();
    let (explicit, bare_dollar, num_start) = match prefix {
        Some((cur, j)) => {
            let after = &s[j..];
            let trimmed = after.trim_start_matches([' ', '\u{a0}']);
            // At most one space between symbol and number.
            if after.len() - trimmed.len() > 1 {
                return None;
            }
            let bare = cur.is_none();
            (cur, bare, j + (after.len() - trimmed.len()))
        }
        None => (None, false, i),
    };
    let (digits, num_end) = number_at(s, num_start)?;
    let (scale, scale_end) = scale_at(s, num_end);
    if s[scale_end..].chars().next().is_some_and(is_word_char) {
        return None;
    }
    let suffix = suffix_at(s, scale_end);
    let (currency, basis, end) = match (has_prefix, explicit, suffix) {
        (true, Some(c), _) => (Some(c), CurrencyBasis::Explicit, scale_end),
        // "$5 million NZD": the code says which dollar.
        (true, None, Some((Some(c), e))) | (false, _, Some((Some(c), e))) => {
            (Some(c), CurrencyBasis::Explicit, e)
        }
        (true, None, suffix) | (false, _, suffix @ Some((None, _))) => {
            let end = match suffix {
                Some((None, e)) if !bare_dollar => e,
                _ => scale_end,
            };
            match dollar {
                Some(d) => (Some(d.to_owned()), CurrencyBasis::IssuingCountry, end),
                None => (None, CurrencyBasis::Unknown, end),
            }
        }
        (false, _, None) => return None,
    };
    let value = Decimal::from_str(&digits)
        .ok()?
        .checked_mul(scale)?
        .normalize();
    Some(RawAmount {
        value,
        currency,
        basis,
        qualifier: qualifier_before(s, i),
        start: i,
        end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amounts(
        s: &str,
        dollar: Option<&str>,
    ) -> Vec<(String, Option<String>, Option<String>, String)> {
        find(s, dollar)
            .into_iter()
            .map(|a| {
                (
                    a.value.to_string(),
                    a.currency,
                    a.qualifier,
                    s[a.start..a.end].to_owned(),
                )
            })
            .collect()
    }

    fn one(s: &str, dollar: Option<&str>) -> (String, Option<String>) {
        let mut v = amounts(s, dollar);
        assert_eq!(v.len(), 1, "{s}: {v:?}");
        let (value, cur, _, _) = v.remove(0);
        (value, cur)
    }

    #[test]
    fn symbols_codes_and_words() {
        assert_eq!(
            one("a $7.9 million fund", Some("NZD")),
            ("7900000".into(), Some("NZD".into()))
        );
        assert_eq!(
            one("up to NZ$3m.", None),
            ("3000000".into(), Some("NZD".into()))
        );
        assert_eq!(
            one("US$2.5 million", Some("NZD")),
            ("2500000".into(), Some("USD".into()))
        );
        assert_eq!(
            one("¥300 million", None),
            ("300000000".into(), Some("JPY".into()))
        );
        assert_eq!(
            one("JPY 500 million", None),
            ("500000000".into(), Some("JPY".into()))
        );
        assert_eq!(
            one("NZD 3 million", None),
            ("3000000".into(), Some("NZD".into()))
        );
        assert_eq!(
            one("A$10 million", None),
            ("10000000".into(), Some("AUD".into()))
        );
        assert_eq!(one("€4.25m", None), ("4250000".into(), Some("EUR".into())));
        assert_eq!(
            one("F$1,500,000", None),
            ("1500000".into(), Some("FJD".into()))
        );
        assert_eq!(
            one("T$2 million", None),
            ("2000000".into(), Some("TOP".into()))
        );
        assert_eq!(
            one("SBD 12 million", None),
            ("12000000".into(), Some("SBD".into()))
        );
        assert_eq!(
            one("1 billion yen", None),
            ("1000000000".into(), Some("JPY".into()))
        );
        assert_eq!(
            one("1,500,000 euros", None),
            ("1500000".into(), Some("EUR".into()))
        );
        assert_eq!(
            one("$US5 million", None),
            ("5000000".into(), Some("USD".into()))
        );
        assert_eq!(
            one("5 million dollars", Some("AUD")),
            ("5000000".into(), Some("AUD".into()))
        );
        assert_eq!(
            one("2 million pa’anga", None),
            ("2000000".into(), Some("TOP".into()))
        );
    }

    #[test]
    fn qualifiers_and_surfaces() {
        let v = amounts(
            "contributing up to NZ$3m and more than $1.2 billion",
            Some("NZD"),
        );
        assert_eq!(
            v[0],
            (
                "3000000".into(),
                Some("NZD".into()),
                Some("up to".into()),
                "NZ$3m".into()
            )
        );
        assert_eq!(
            v[1],
            (
                "1200000000".into(),
                Some("NZD".into()),
                Some("more than".into()),
                "$1.2 billion".into()
            )
        );
    }

    #[test]
    fn bare_dollar_without_issuing_country_is_unknown() {
        let a = find("$5 million", None);
        assert_eq!(a[0].currency, None);
        assert_eq!(a[0].basis, CurrencyBasis::Unknown);
    }

    #[test]
    fn plain_numbers_years_and_codes_without_numbers_are_not_money() {
        assert!(
            find(
                "In 2019, 1,500 people and 3 million tonnes; the USD rose; TOP priorities",
                None
            )
            .is_empty()
        );
        assert!(find("version 7.9 of AUD2", None).is_empty());
    }

    #[test]
    fn case_folding_that_changes_byte_length_does_not_panic() {
        // U+212A KELVIN SIGN lower-cases to ASCII `k`.
        assert!(
            find("$3\u{212a} and €5\u{130}", Some("NZD"))
                .iter()
                .all(|a| a.value.to_string() != "3000")
        );
    }

    #[test]
    fn currency_codelist_is_embedded() {
        assert!(currency_codes().contains("NZD"));
        assert!(currency_codes().contains("TOP"));
        assert!(currency_codes().len() > 150);
    }
}
