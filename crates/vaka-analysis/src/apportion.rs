//! Apportioning: turning an activity's transactions and budgets into
//! [`Fact`]s — one per (value, place, area) — that the store keeps as rows and
//! the matrix sums.
//!
//! The rule (from the issue): a transaction's value goes to countries by its
//! own recipient-country or recipient-region if it has one, else by the
//! activity's recipient-country/recipient-region percentages. One entry
//! without a percentage is 100 %; several without are split equally, with a
//! diagnostic; a shortfall below 100 % goes to an explicit `unallocated` line;
//! percentages over 100 % are scaled down, with a diagnostic. Regions (e.g.
//! `889` "Oceania, regional") are their own rows, never spread over
//! countries. Each place's part is then split into priority areas by the
//! classification (transaction-level sectors first, else the activity's).
//!
//! Money is in integer hundredths of the currency unit: the value is rounded
//! half away from zero to cents first, then split in two steps (places, then
//! areas); at each step the parts sum exactly to the whole, and the rounding
//! remainder goes to the largest part (ties: the first in a fixed order — by
//! place kind and code, then by framework area order). So the areas of a
//! country always sum to that country's part, and the parts of a value to the
//! value, to the cent.
//!
//! This module does not convert currencies (the matrix does, per group, at
//! the rate year recorded on each fact); it only warns when no rate exists.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use vaka_domain::{Framework, FxTable, UNCLASSIFIED};
use vaka_iati::model::{Activity, RecipientCountry, RecipientRegion, Value};
use vaka_iati::{Diagnostic, DiagnosticKind, Severity};

use crate::classify::{
    Classification, ClassifyInput, CodeNames, KeywordIndex, classify_indexed, classify_with_names,
    percent,
};

/// What a fact measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// Transaction types 3 (disbursement) and 4 (expenditure).
    Disbursement,
    /// Transaction type 2 (outgoing commitment).
    Commitment,
    /// Activity budgets (revised if published, else original).
    Budget,
}

impl Measure {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Disbursement => "disbursement",
            Self::Commitment => "commitment",
            Self::Budget => "budget",
        }
    }

    pub fn parse(s: &str) -> Option<Measure> {
        match s {
            "disbursement" => Some(Self::Disbursement),
            "commitment" => Some(Self::Commitment),
            "budget" => Some(Self::Budget),
            _ => None,
        }
    }

    /// The measure of a TransactionType code; other types are not counted.
    pub fn of_transaction_type(code: &str) -> Option<Measure> {
        match code.trim() {
            "3" | "4" => Some(Self::Disbursement),
            "2" => Some(Self::Commitment),
            _ => None,
        }
    }
}

/// Where a fact's money goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GeoKind {
    Country,
    Region,
    /// The part of a value that the published percentages leave unassigned.
    Unallocated,
}

impl GeoKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Country => "country",
            Self::Region => "region",
            Self::Unallocated => "unallocated",
        }
    }

    pub fn parse(s: &str) -> Option<GeoKind> {
        match s {
            "country" => Some(Self::Country),
            "region" => Some(Self::Region),
            "unallocated" => Some(Self::Unallocated),
            _ => None,
        }
    }
}

/// One apportioned part of one value. Plain scalars, one row in the store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Fact {
    /// Framework id.
    pub framework: String,
    pub measure: Measure,
    /// Index into `activity.transactions` (`None` for budgets).
    pub tx_index: Option<u32>,
    /// Index into `activity.budgets` (`None` for transactions).
    pub budget_index: Option<u32>,
    /// Transaction-date year, else value-date year; budgets: period-start year.
    pub year: i32,
    /// The exchange-rate year: value-date year, else transaction-date (or
    /// period-start) year.
    pub rate_year: i32,
    pub geo_kind: GeoKind,
    /// ISO 3166-1 alpha-2 code, DAC region code (other region vocabularies as
    /// `vocabulary:code`), or `""` for unallocated.
    pub geo_code: String,
    /// Area id or `unclassified`.
    pub area: String,
    /// Short explanation of the tag that produced this part.
    pub area_rule: String,
    /// Reporting organisation ref, `""` if none.
    pub reporting_org: String,
    /// Transaction provider-org ref, else first funding (role 1) participating
    /// org ref, else the reporting org.
    pub funding_org: String,
    /// Value currency, else activity default, else `""` (unconvertible).
    pub currency: String,
    /// The part, in hundredths of the currency unit.
    pub amount_minor: i64,
}

/// The facts of one activity and what got in the way.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Flattened {
    pub facts: Vec<Fact>,
    pub diagnostics: Vec<Diagnostic>,
}

/// How to classify while flattening.
pub enum Classify<'a> {
    /// The framework's area rules; `names` for explanations.
    Rules(&'a dyn CodeNames),
    /// The same rules with the framework's keywords compiled once (see
    /// [`KeywordIndex`]): for classifying many activities.
    Indexed(&'a dyn CodeNames, &'a KeywordIndex),
    /// A person's override for this activity, used for every value.
    Override(&'a Classification),
}

impl Classify<'_> {
    /// The classification of `input`: by the rules, or the override.
    fn apply(&self, input: &ClassifyInput, framework: &Framework) -> Classification {
        match self {
            Classify::Rules(names) => classify_with_names(input, &framework.areas, *names),
            Classify::Indexed(names, index) => {
                classify_indexed(input, &framework.areas, index, *names)
            }
            Classify::Override(c) => (*c).clone(),
        }
    }
}

/// A place and its share of a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeoShare {
    pub kind: GeoKind,
    pub code: String,
    /// `0..=1`.
    pub share: Decimal,
}

/// Flatten one activity into facts for one framework.
pub fn flatten(
    activity: &Activity,
    framework: &Framework,
    classify: &Classify<'_>,
    fx: &FxTable,
) -> Flattened {
    let mut out = Flattened::default();
    let mut ctx = Ctx {
        activity,
        fx,
        diagnostics: &mut out.diagnostics,
        fx_warned: BTreeSet::new(),
    };

    let base_input = ClassifyInput::from_activity(activity);
    let activity_class = classify.apply(&base_input, framework);
    for n in &activity_class.notes {
        ctx.diag(
            Severity::Warning,
            activity.line,
            "sector/@percentage",
            n.clone(),
        );
    }

    let mut activity_geo: Option<Vec<GeoShare>> = None;
    let reporting_org = activity.reporting_org_ref().trim().to_owned();
    let funding_default = activity
        .participating_orgs
        .iter()
        .filter(|p| p.role.as_deref() == Some("1"))
        .find_map(|p| p.ref_.as_deref().map(str::trim).filter(|r| !r.is_empty()))
        .map(str::to_owned)
        .unwrap_or_else(|| reporting_org.clone());

    for (i, tx) in activity.transactions.iter().enumerate() {
        let Some(measure) = tx.type_.as_deref().and_then(Measure::of_transaction_type) else {
            continue;
        };
        let Some(value) = &tx.value else {
            tracing::debug!(activity = %activity.identifier, tx = i, "transaction without value skipped");
            continue;
        };
        let tx_year = tx.date.as_deref().and_then(year_of);
        let value_year = value.value_date.as_deref().and_then(year_of);
        let (Some(year), Some(rate_year)) = (tx_year.or(value_year), value_year.or(tx_year)) else {
            ctx.diag(
                Severity::Error,
                tx.line,
                "transaction/transaction-date",
                "transaction has neither a date nor a value date: left out of the totals".into(),
            );
            continue;
        };
        let Some(total) = ctx.minor(value, tx.line, "transaction/value") else {
            continue;
        };
        let currency = ctx.currency(value, rate_year, tx.line, "transaction/value/@currency");

        let geo = if !tx.recipient_countries.is_empty() || !tx.recipient_regions.is_empty() {
            geo_split(&tx.recipient_countries, &tx.recipient_regions, &mut |m| {
                ctx.diag(
                    Severity::Warning,
                    tx.line,
                    "transaction/recipient-country",
                    m,
                )
            })
        } else {
            activity_geo
                .get_or_insert_with(|| {
                    geo_split(
                        &activity.recipient_countries,
                        &activity.recipient_regions,
                        &mut |m| ctx.diag(Severity::Warning, activity.line, "recipient-country", m),
                    )
                })
                .clone()
        };

        // Transaction-level sectors classify that value (an override does not look at sectors).
        let by_tx_sectors = match classify {
            Classify::Override(_) => None,
            _ if tx.sectors.is_empty() => None,
            rules => Some(rules.apply(&base_input.with_sectors(&tx.sectors), framework)),
        };
        let class = match by_tx_sectors {
            Some(c) => {
                for n in &c.notes {
                    ctx.diag(
                        Severity::Warning,
                        tx.line,
                        "transaction/sector/@percentage",
                        n.clone(),
                    );
                }
                c
            }
            None => activity_class.clone(),
        };

        let funding_org = tx
            .provider_org
            .as_ref()
            .and_then(|o| o.ref_.as_deref())
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| funding_default.clone());

        let template = Fact {
            framework: framework.id.clone(),
            measure,
            tx_index: u32::try_from(i).ok(),
            budget_index: None,
            year,
            rate_year,
            geo_kind: GeoKind::Unallocated,
            geo_code: String::new(),
            area: String::new(),
            area_rule: String::new(),
            reporting_org: reporting_org.clone(),
            funding_org,
            currency,
            amount_minor: 0,
        };
        push_parts(&mut out.facts, &template, total, &geo, &class);
    }

    // Budgets: per period, the revised budgets if any, else the originals.
    let mut periods: BTreeMap<(Option<&str>, Option<&str>), Vec<usize>> = BTreeMap::new();
    for (i, b) in activity.budgets.iter().enumerate() {
        periods
            .entry((b.period_start.as_deref(), b.period_end.as_deref()))
            .or_default()
            .push(i);
    }
    for ((start, _end), idxs) in periods {
        let revised: Vec<usize> = idxs
            .iter()
            .copied()
            .filter(|&i| activity.budgets[i].type_ == "2")
            .collect();
        let chosen = if revised.is_empty() { idxs } else { revised };
        if chosen.len() > 1 {
            ctx.diag(
                Severity::Warning,
                activity.line,
                "budget",
                format!(
                    "{} budgets of the same type for the period starting {}: only the last is counted",
                    chosen.len(),
                    start.unwrap_or("(none)")
                ),
            );
        }
        let Some(&bi) = chosen.last() else { continue };
        let b = &activity.budgets[bi];
        let Some(value) = &b.value else { continue };
        let Some(year) = start.and_then(year_of) else {
            ctx.diag(
                Severity::Error,
                activity.line,
                "budget/period-start",
                "budget without a period start: left out of the totals".into(),
            );
            continue;
        };
        let rate_year = value
            .value_date
            .as_deref()
            .and_then(year_of)
            .unwrap_or(year);
        let Some(total) = ctx.minor(value, activity.line, "budget/value") else {
            continue;
        };
        let currency = ctx.currency(value, rate_year, activity.line, "budget/value/@currency");
        let geo = activity_geo
            .get_or_insert_with(|| {
                geo_split(
                    &activity.recipient_countries,
                    &activity.recipient_regions,
                    &mut |m| ctx.diag(Severity::Warning, activity.line, "recipient-country", m),
                )
            })
            .clone();
        let template = Fact {
            framework: framework.id.clone(),
            measure: Measure::Budget,
            tx_index: None,
            budget_index: u32::try_from(bi).ok(),
            year,
            rate_year,
            geo_kind: GeoKind::Unallocated,
            geo_code: String::new(),
            area: String::new(),
            area_rule: String::new(),
            reporting_org: reporting_org.clone(),
            funding_org: funding_default.clone(),
            currency,
            amount_minor: 0,
        };
        push_parts(&mut out.facts, &template, total, &geo, &activity_class);
    }
    out
}

struct Ctx<'a> {
    activity: &'a Activity,
    fx: &'a FxTable,
    diagnostics: &'a mut Vec<Diagnostic>,
    fx_warned: BTreeSet<(String, i32)>,
}

impl Ctx<'_> {
    fn diag(&mut self, severity: Severity, line: u64, path: &str, message: String) {
        self.diagnostics.push(Diagnostic {
            severity,
            kind: DiagnosticKind::Apportioning,
            activity: Some(self.activity.identifier.clone()),
            line,
            path: path.to_owned(),
            message,
        });
    }

    /// The value in hundredths, rounded half away from zero.
    fn minor(&mut self, value: &Value, line: u64, path: &str) -> Option<i64> {
        let m = to_minor(value.amount);
        if m.is_none() {
            self.diag(
                Severity::Error,
                line,
                path,
                format!(
                    "value {} is too large to add up: left out of the totals",
                    value.amount
                ),
            );
        }
        m
    }

    fn currency(&mut self, value: &Value, rate_year: i32, line: u64, path: &str) -> String {
        let currency = self.activity.currency_of(value).trim().to_owned();
        if currency.is_empty() {
            self.diag(
                Severity::Warning,
                line,
                path,
                "value has no currency and the activity no default-currency: it cannot be converted".into(),
            );
        } else if self.fx.rate(&currency, rate_year).is_none()
            && self.fx_warned.insert((currency.clone(), rate_year))
        {
            // Only a warning: the fact keeps its own currency and the matrix
            // lists it as unconverted until a rate is added.
            self.diag(
                Severity::Warning,
                line,
                path,
                format!("no {currency} exchange rate for {rate_year}: amounts stay unconverted in other currencies"),
            );
        }
        currency
    }
}

/// A published percentage held to `0..=100` (the reader already rejects
/// others; this keeps hand-built input from overflowing sums).
pub(crate) fn clamp_pct(p: Decimal) -> Decimal {
    p.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED)
}

/// The year of an ISO date (`YYYY-MM-DD…`).
fn year_of(date: &str) -> Option<i32> {
    date.get(..4).and_then(|y| y.parse().ok())
}

/// `amount` in hundredths, rounded half away from zero; `None` if it does not fit in `i64`.
pub fn to_minor(amount: Decimal) -> Option<i64> {
    amount
        .checked_mul(Decimal::ONE_HUNDRED)?
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
}

/// Split `total` hundredths by `weights` so the parts sum exactly to `total`.
/// Each part is `total × w / Σw` truncated toward zero; the remainder (a few
/// hundredths, same sign as `total`) goes to the part with the largest weight
/// (ties: the first). Zero or negative weights get nothing.
pub fn allocate(total: i64, weights: &[Decimal]) -> Vec<i64> {
    let sum: Decimal = weights.iter().copied().filter(|w| *w > Decimal::ZERO).sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if sum.is_zero() {
        // Nothing to weigh by: everything to the first part.
        let mut v = vec![0; weights.len()];
        v[0] = total;
        return v;
    }
    let t = Decimal::from(total);
    let exact: Vec<Decimal> = weights
        .iter()
        .map(|w| {
            if *w > Decimal::ZERO {
                // Multiply first for precision; w/sum <= 1 keeps the fallback in range.
                t.checked_mul(*w)
                    .and_then(|x| x.checked_div(sum))
                    .unwrap_or_else(|| t * (*w / sum))
            } else {
                Decimal::ZERO
            }
        })
        .collect();
    let mut parts: Vec<i64> = exact
        .iter()
        .map(|e| e.trunc().to_i64().unwrap_or(0))
        .collect();
    let diff = total - parts.iter().sum::<i64>();
    if diff != 0 {
        let mut best = 0;
        for (i, e) in exact.iter().enumerate() {
            if e.abs() > exact[best].abs() {
                best = i;
            }
        }
        parts[best] += diff;
    }
    parts
}

/// Split a value over places and, within each place, over areas.
fn push_parts(
    facts: &mut Vec<Fact>,
    template: &Fact,
    total: i64,
    geo: &[GeoShare],
    class: &Classification,
) {
    let geo_parts = allocate(total, &geo.iter().map(|g| g.share).collect::<Vec<_>>());
    // Area parts: tags in classification order, then the unclassified rest.
    let mut areas: Vec<(&str, String, Decimal)> = class
        .tags
        .iter()
        .map(|t| (t.area_id.as_str(), t.rule.explanation.clone(), t.share))
        .collect();
    if class.unclassified > Decimal::ZERO || areas.is_empty() {
        let why = if class.overridden.is_some() {
            "override: not assigned to an area"
        } else {
            "not claimed by any rule"
        };
        let share = if areas.is_empty() {
            Decimal::ONE
        } else {
            class.unclassified
        };
        areas.push((UNCLASSIFIED, why.to_owned(), share));
    }
    let weights: Vec<Decimal> = areas.iter().map(|a| a.2).collect();
    for (g, g_minor) in geo.iter().zip(geo_parts) {
        for ((area, rule, _), a_minor) in areas.iter().zip(allocate(g_minor, &weights)) {
            facts.push(Fact {
                geo_kind: g.kind,
                geo_code: g.code.clone(),
                area: (*area).to_owned(),
                area_rule: rule.clone(),
                amount_minor: a_minor,
                ..template.clone()
            });
        }
    }
}

/// Shares of the places in a list of recipient countries and regions, in a
/// fixed order (countries, regions, unallocated; by code), summing to 1.
/// Problems are reported through `warn`.
pub fn geo_split(
    countries: &[RecipientCountry],
    regions: &[RecipientRegion],
    warn: &mut dyn FnMut(String),
) -> Vec<GeoShare> {
    let hundred = Decimal::ONE_HUNDRED;
    let mut entries: Vec<(GeoKind, String, Option<Decimal>)> = Vec::new();
    for c in countries {
        entries.push((
            GeoKind::Country,
            c.code.trim().to_ascii_uppercase(),
            c.percentage,
        ));
    }
    for r in regions {
        let code = match r.vocabulary.trim() {
            "" | "1" => r.code.trim().to_owned(),
            v => format!("{v}:{}", r.code.trim()),
        };
        entries.push((GeoKind::Region, code, r.percentage));
    }
    entries.retain(|e| !e.1.is_empty());
    if entries.is_empty() {
        warn("no recipient country or region: the whole value is unallocated".into());
        return vec![GeoShare {
            kind: GeoKind::Unallocated,
            code: String::new(),
            share: Decimal::ONE,
        }];
    }

    let n = entries.len();
    let missing = entries.iter().filter(|e| e.2.is_none()).count();
    let mut pcts: Vec<Decimal> = if missing == n {
        if n > 1 {
            warn(format!(
                "{n} recipient countries/regions without percentages: split equally"
            ));
        }
        vec![hundred / Decimal::from(n); n]
    } else {
        let given: Decimal = entries.iter().filter_map(|e| e.2).map(clamp_pct).sum();
        let left = (hundred - given).max(Decimal::ZERO);
        if missing > 0 {
            warn(format!(
                "{missing} recipient countries/regions without a percentage share the {}% the others leave",
                left.normalize()
            ));
        }
        let each = if missing > 0 {
            left / Decimal::from(missing)
        } else {
            Decimal::ZERO
        };
        entries
            .iter()
            .map(|e| e.2.map(clamp_pct).unwrap_or(each))
            .collect()
    };

    let total: Decimal = pcts.iter().copied().sum();
    if total > hundred {
        warn(format!(
            "recipient percentages add up to {}%: scaled down to 100%",
            total.normalize()
        ));
        for p in &mut pcts {
            *p = *p * hundred / total;
        }
    }

    // Merge duplicates and order by kind and code, so input order never matters.
    let mut merged: BTreeMap<(GeoKind, String), Decimal> = BTreeMap::new();
    for ((kind, code, _), p) in entries.into_iter().zip(pcts) {
        *merged.entry((kind, code)).or_default() += p;
    }
    let mut out: Vec<GeoShare> = merged
        .into_iter()
        .filter(|(_, p)| *p > Decimal::ZERO)
        .map(|((kind, code), p)| GeoShare {
            kind,
            code,
            share: crate::classify::fix_share(p / hundred),
        })
        .collect();
    let assigned: Decimal = out.iter().map(|g| g.share).sum();
    if assigned < Decimal::ONE {
        let rest = Decimal::ONE - assigned;
        // Equal splits leave a few units in the last share digit; that is not a shortfall.
        if rest > Decimal::new(1, crate::classify::SHARE_DP - 2) {
            warn(format!(
                "recipient percentages leave {} unallocated",
                percent(rest)
            ));
            out.push(GeoShare {
                kind: GeoKind::Unallocated,
                code: String::new(),
                share: rest,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn allocate_sums_and_rounds() {
        assert_eq!(allocate(100, &[d("1"), d("1"), d("1")]), vec![34, 33, 33]);
        assert_eq!(
            allocate(-100, &[d("1"), d("1"), d("1")]),
            vec![-34, -33, -33]
        );
        assert_eq!(allocate(1, &[d("0.5"), d("0.5")]), vec![1, 0]);
        assert_eq!(allocate(-1, &[d("0.5"), d("0.5")]), vec![-1, 0]);
        assert_eq!(allocate(10, &[d("0.2"), d("0.8")]), vec![2, 8]);
        assert_eq!(allocate(7, &[d("0"), d("1")]), vec![0, 7]);
        assert_eq!(allocate(5, &[]), Vec::<i64>::new());
        // Largest part takes the remainder, not the first.
        assert_eq!(
            allocate(100, &[d("1"), d("2"), d("2"), d("2")]),
            vec![14, 30, 28, 28]
        );
        assert_eq!(allocate(0, &[d("1"), d("3")]), vec![0, 0]);
    }

    #[test]
    fn minor_units_round_half_away() {
        assert_eq!(to_minor(d("1.005")), Some(101));
        assert_eq!(to_minor(d("-1.005")), Some(-101));
        assert_eq!(to_minor(d("1274343")), Some(127_434_300));
        assert_eq!(to_minor(Decimal::MAX), None);
    }
}
