//! ISO code lists that the domain checks against: ISO 3166-1 alpha-2 country
//! codes and ISO 4217 currency codes, taken from the IATI `Country` and
//! `Currency` codelists bundled under `data/iati/codelists/`.
//!
//! This module only answers "is this a known code?". It must not try to be a
//! codelist library (names, statuses, versions belong to `vaka-iati`).

use std::collections::BTreeSet;
use std::sync::LazyLock;

const COUNTRY_XML: &str = include_str!("../../../data/iati/codelists/non-embedded/Country.xml");
const CURRENCY_XML: &str = include_str!("../../../data/iati/codelists/non-embedded/Currency.xml");

/// The `<code>` values of a codelist file. A plain scan is enough: the bundled
/// files are generated, one `<code>` per item, no CDATA or entities in codes.
fn scan_codes(xml: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = xml;
    while let Some(start) = rest.find("<code>") {
        let after = &rest[start + "<code>".len()..];
        let Some(end) = after.find("</code>") else {
            break;
        };
        out.insert(after[..end].trim().to_owned());
        rest = &after[end..];
    }
    out
}

static COUNTRIES: LazyLock<BTreeSet<String>> = LazyLock::new(|| scan_codes(COUNTRY_XML));
static CURRENCIES: LazyLock<BTreeSet<String>> = LazyLock::new(|| scan_codes(CURRENCY_XML));

/// True when `code` is an ISO 3166-1 alpha-2 code in the IATI Country codelist
/// (exact, upper case; the IATI `XA`–`XZ` extension codes count).
pub fn is_iso_country(code: &str) -> bool {
    code.len() == 2 && COUNTRIES.contains(code)
}

/// True when `code` is an ISO 4217 code in the IATI Currency codelist,
/// withdrawn codes included (older data still uses them).
pub fn is_iso_currency(code: &str) -> bool {
    code.len() == 3 && CURRENCIES.contains(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_countries() {
        for c in ["NZ", "JP", "AU", "TO", "FJ", "CK", "NU", "TK", "WF"] {
            assert!(is_iso_country(c), "{c}");
        }
        for c in ["", "nz", "XX1", "QQ", "NZL", "ZZ"] {
            assert!(!is_iso_country(c), "{c}");
        }
        assert!(COUNTRIES.len() > 240, "{}", COUNTRIES.len());
    }

    #[test]
    fn known_and_unknown_currencies() {
        for c in [
            "USD", "NZD", "JPY", "FJD", "TOP", "VUV", "WST", "XPF", "EEK",
        ] {
            assert!(is_iso_currency(c), "{c}");
        }
        for c in ["", "usd", "US", "XYZ", "DOLLAR"] {
            assert!(!is_iso_currency(c), "{c}");
        }
    }
}
