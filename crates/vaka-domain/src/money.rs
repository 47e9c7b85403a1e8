//! Money and exchange rates: ISO 4217 currencies, annual rates against the US
//! dollar, exact conversion.
//!
//! Rates are the World Bank WDI series `PA.NUS.FCRF` (national currency per
//! US dollar, annual average) from `data/fx/annual-rates.csv`. Conversion is
//! exact decimal arithmetic: `amount × per_usd[to][year] / per_usd[from][year]`,
//! then rounded **half away from zero to 2 decimals** (cents) — the rounding
//! people expect on a statement, and symmetric for negative (reversal) values.
//! Banker's rounding is not used: over many small values it is fairer, but
//! here each converted group is shown and summed as displayed.
//!
//! A missing rate is an error ([`FxError::Missing`]), never zero and never a
//! neighbouring year. This module must not fetch rates from anywhere.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::codes::is_iso_currency;

const RATES_CSV: &str = include_str!("../../../data/fx/annual-rates.csv");

/// Round to cents, half away from zero (`0.005 → 0.01`, `-0.005 → -0.01`).
pub fn round_cents(amount: Decimal) -> Decimal {
    let mut d = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    d.rescale(2);
    d
}

/// An ISO 4217 currency code, checked against the IATI Currency codelist
/// (withdrawn codes included, since older data uses them).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

impl Currency {
    /// Accepts upper- or lower-case input and stores it upper-cased.
    pub fn parse(code: &str) -> Result<Currency, FxError> {
        let c = code.trim().to_ascii_uppercase();
        if is_iso_currency(&c) {
            Ok(Currency(c))
        } else {
            Err(FxError::InvalidCurrency {
                code: code.to_owned(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when `code` (exactly as given) is a known ISO 4217 code.
    pub fn is_iso4217(code: &str) -> bool {
        is_iso_currency(code)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Currency {
    type Err = FxError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::parse(s)
    }
}

impl TryFrom<String> for Currency {
    type Error = FxError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Currency::parse(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.0
    }
}

/// One annual rate: units of the currency per US dollar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    pub per_usd: Decimal,
    /// Where the figure comes from (series and dataset).
    pub source: String,
}

/// The result of a conversion, with what was used to get it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Converted {
    /// Rounded half away from zero to cents.
    pub amount: Decimal,
    /// Units of the target currency per unit of the source currency (unrounded
    /// quotient of the two annual rates; `1` for a same-currency "conversion").
    pub rate: Decimal,
    pub rate_year: i32,
    /// The sources of both rates (one when they are the same).
    pub source: String,
}

/// Why an amount could not be converted, or a rate table not loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FxError {
    #[error(
        "no {currency} exchange rate for {year}: add it to the rates table (national currency per US dollar) or report in another currency"
    )]
    Missing { currency: String, year: i32 },
    #[error("`{code}` is not an ISO 4217 currency code")]
    InvalidCurrency { code: String },
    #[error("converting {amount} {from} to {to} overflows")]
    Overflow {
        amount: Decimal,
        from: String,
        to: String,
    },
    #[error("{file}:{line}: {message}")]
    Table {
        file: String,
        line: u64,
        message: String,
    },
}

/// Annual exchange rates by currency and year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FxTable {
    rates: BTreeMap<(String, i32), Rate>,
}

#[derive(Deserialize)]
struct RawRate {
    currency: String,
    year: i32,
    national_currency_per_usd: String,
    source_indicator: String,
    source: String,
}

impl FxTable {
    /// The bundled table (`data/fx/annual-rates.csv`), parsed once per process.
    pub fn bundled() -> FxTable {
        static BUNDLED_TABLE: std::sync::LazyLock<FxTable> = std::sync::LazyLock::new(|| {
            FxTable::from_csv_str("annual-rates.csv", RATES_CSV).unwrap_or_else(|e| {
                tracing::error!(error = %e, "bundled exchange rates do not parse");
                FxTable::default()
            })
        });
        BUNDLED_TABLE.clone()
    }

    /// Parse a table laid out like `data/fx/annual-rates.csv`. An empty rate
    /// cell means "no rate" and is skipped; a zero, negative or non-numeric
    /// rate is an error naming the line.
    pub fn from_csv_str(file: &str, text: &str) -> Result<FxTable, FxError> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut rates = BTreeMap::new();
        for (i, row) in reader.deserialize::<RawRate>().enumerate() {
            let line = i as u64 + 2;
            let table_err = |message: String| FxError::Table {
                file: file.to_owned(),
                line,
                message,
            };
            let raw = row.map_err(|e| table_err(e.to_string()))?;
            let cell = raw.national_currency_per_usd.trim();
            if cell.is_empty() {
                tracing::debug!(currency = %raw.currency, year = raw.year, "no rate in table");
                continue;
            }
            let currency = Currency::parse(&raw.currency).map_err(|e| table_err(e.to_string()))?;
            let per_usd = Decimal::from_str(cell)
                .or_else(|_| Decimal::from_scientific(cell))
                .map_err(|_| table_err(format!("rate `{cell}` is not a decimal number")))?;
            if per_usd <= Decimal::ZERO {
                return Err(table_err(format!("rate `{cell}` must be positive")));
            }
            let source = if raw.source_indicator.is_empty() {
                raw.source
            } else {
                format!("{} ({})", raw.source, raw.source_indicator)
            };
            if rates
                .insert((currency.0, raw.year), Rate { per_usd, source })
                .is_some()
            {
                return Err(table_err(format!(
                    "{} {} is listed twice",
                    raw.currency, raw.year
                )));
            }
        }
        Ok(FxTable { rates })
    }

    /// Add or replace a rate (for tests and user-supplied tables).
    pub fn insert(&mut self, currency: &str, year: i32, rate: Rate) {
        self.rates.insert((currency.to_owned(), year), rate);
    }

    /// The rate of `currency` in `year`, if the table has one.
    pub fn rate(&self, currency: &str, year: i32) -> Option<Rate> {
        self.rates.get(&(currency.to_owned(), year)).cloned()
    }

    /// The currencies the table has at least one rate for.
    pub fn currencies(&self) -> Vec<String> {
        let mut v: Vec<String> = self.rates.keys().map(|(c, _)| c.clone()).collect();
        v.dedup();
        v
    }

    /// Convert `amount` from one currency to another at `year`'s annual rates.
    /// The same currency converts to itself at rate 1 even without a table entry.
    pub fn convert(
        &self,
        amount: Decimal,
        from: &str,
        to: &str,
        year: i32,
    ) -> Result<Converted, FxError> {
        if from == to {
            return Ok(Converted {
                amount: round_cents(amount),
                rate: Decimal::ONE,
                rate_year: year,
                source: "same currency".into(),
            });
        }
        let missing = |currency: &str| FxError::Missing {
            currency: currency.to_owned(),
            year,
        };
        let r_from = self
            .rates
            .get(&(from.to_owned(), year))
            .ok_or_else(|| missing(from))?;
        let r_to = self
            .rates
            .get(&(to.to_owned(), year))
            .ok_or_else(|| missing(to))?;
        let overflow = || FxError::Overflow {
            amount,
            from: from.to_owned(),
            to: to.to_owned(),
        };
        // Multiply before dividing: one rounding (in the division) instead of two.
        let converted = amount
            .checked_mul(r_to.per_usd)
            .and_then(|x| x.checked_div(r_from.per_usd))
            .ok_or_else(overflow)?;
        let rate = r_to
            .per_usd
            .checked_div(r_from.per_usd)
            .ok_or_else(overflow)?;
        let source = if r_from.source == r_to.source {
            r_from.source.clone()
        } else {
            format!("{}; {}", r_from.source, r_to.source)
        };
        Ok(Converted {
            amount: round_cents(converted),
            rate: rate.normalize(),
            rate_year: year,
            source,
        })
    }
}

/// Convert with the bundled table. See [`FxTable::convert`].
pub fn convert(amount: Decimal, from: &str, to: &str, year: i32) -> Result<Converted, FxError> {
    FxTable::bundled().convert(amount, from, to, year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal")
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_cents(d("0.005")), d("0.01"));
        assert_eq!(round_cents(d("0.015")), d("0.02"));
        assert_eq!(round_cents(d("0.025")), d("0.03"));
        assert_eq!(round_cents(d("-0.005")), d("-0.01"));
        assert_eq!(round_cents(d("1.004999")), d("1.00"));
        assert_eq!(round_cents(d("7")).to_string(), "7.00");
    }

    #[test]
    fn currency_parse() {
        assert_eq!(
            Currency::parse("nzd").map(|c| c.to_string()),
            Ok("NZD".to_owned())
        );
        assert!(matches!(
            Currency::parse("XYZ"),
            Err(FxError::InvalidCurrency { .. })
        ));
        assert!(Currency::is_iso4217("JPY"));
        assert!(!Currency::is_iso4217("jpy"));
    }

    #[test]
    fn table_rejects_zero_and_duplicate_rates() {
        let head = "currency,year,national_currency_per_usd,source_series_country_code,source_series_country_name,source_indicator,source\n";
        let zero = format!("{head}NZD,2019,0,NZL,New Zealand,X,Y\n");
        assert!(matches!(
            FxTable::from_csv_str("t.csv", &zero),
            Err(FxError::Table { line: 2, .. })
        ));
        let dup =
            format!("{head}NZD,2019,1.5,NZL,New Zealand,X,Y\nNZD,2019,1.6,NZL,New Zealand,X,Y\n");
        assert!(matches!(
            FxTable::from_csv_str("t.csv", &dup),
            Err(FxError::Table { line: 3, .. })
        ));
        let bad = format!("{head}NZD,2019,abc,NZL,New Zealand,X,Y\n");
        assert!(matches!(
            FxTable::from_csv_str("t.csv", &bad),
            Err(FxError::Table { line: 2, .. })
        ));
        let empty = format!("{head}NZD,2019,,NZL,New Zealand,X,Y\n");
        let t = FxTable::from_csv_str("t.csv", &empty).expect("empty cell is a gap");
        assert_eq!(t.rate("NZD", 2019), None);
    }
}
