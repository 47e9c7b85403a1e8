//! Checks that need the whole activity: required elements, percentages that
//! must add up, dates in order, the identifier's prefix.
//!
//! These run after the extractor, on the model, for every IATI version (the
//! schema walk in the cursor only runs for 2.0x files). They must not change
//! the activity, only describe it.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::cursor::Cursor;
use crate::extract::Seen;
use crate::model::Activity;
use crate::{DiagnosticKind as K, Severity as S};

pub(crate) fn activity(c: &mut Cursor, a: &Activity, seen: &Seen) {
    // The activity's own frame is the one that just closed.
    match seen.identifier_line {
        None => c.diag_closed(
            S::Critical,
            K::MissingElement,
            "iati-identifier",
            "the activity has no `iati-identifier`, which is required; it cannot be told apart from others".to_owned(),
        ),
        Some(line) if a.identifier.is_empty() => c.diag_at(
            S::Critical,
            K::MissingElement,
            line,
            "iati-identifier",
            "the `iati-identifier` is empty; give the activity its unique identifier".to_owned(),
        ),
        Some(line) => {
            let org = a.reporting_org_ref();
            if !org.is_empty() && !a.identifier.starts_with(org) {
                c.diag_at(
                    S::Warning,
                    K::InvalidIdentifier,
                    line,
                    "iati-identifier",
                    format!(
                        "`{}` does not start with the reporting organisation's identifier `{org}`",
                        a.identifier
                    ),
                );
            }
        }
    }
    if a.reporting_org.is_none() {
        c.diag_closed(
            S::Critical,
            K::MissingElement,
            "reporting-org",
            "the activity has no `reporting-org`, which is required; it is not known who published it".to_owned(),
        );
    }
    if !seen.title {
        c.diag_closed(
            S::Error,
            K::MissingElement,
            "title",
            "the activity has no `title` element, which is required".to_owned(),
        );
    } else if a.title.is_empty() {
        c.diag_at(
            S::Error,
            K::MissingElement,
            seen.title_line,
            "title/narrative",
            "the title has no text".to_owned(),
        );
    }
    if !seen.status && !c.version().is_v1() {
        c.diag_closed(
            S::Error,
            K::MissingElement,
            "activity-status",
            "the activity has no `activity-status` element, which is required".to_owned(),
        );
    }
    percentages(c, a);
    date_order(c, a);
}

fn percentages(c: &mut Cursor, a: &Activity) {
    let geo: Vec<Option<Decimal>> = a
        .recipient_countries
        .iter()
        .map(|r| r.percentage)
        .chain(a.recipient_regions.iter().map(|r| r.percentage))
        .collect();
    if geo.iter().any(Option::is_some) {
        let sum: Decimal = geo.iter().flatten().sum();
        if sum != Decimal::ONE_HUNDRED {
            c.diag_closed(
                S::Warning,
                K::PercentageSum,
                "recipient-country",
                format!(
                    "recipient-country and recipient-region percentages add up to {sum}, not 100"
                ),
            );
        }
    }
    let mut by_vocab: BTreeMap<&str, (usize, usize, Decimal)> = BTreeMap::new();
    for s in &a.sectors {
        let e = by_vocab
            .entry(s.vocabulary.as_str())
            .or_insert((0, 0, Decimal::ZERO));
        e.0 += 1;
        if let Some(p) = s.percentage {
            e.1 += 1;
            e.2 += p;
        }
    }
    for (vocab, (n, with_pct, sum)) in by_vocab {
        if with_pct == 0 && n > 1 {
            c.diag_closed(
                S::Warning,
                K::PercentageSum,
                "sector",
                format!("{n} sectors of vocabulary {vocab} have no percentages; give each its share so they add up to 100"),
            );
        } else if with_pct > 0 && sum != Decimal::ONE_HUNDRED {
            c.diag_closed(
                S::Warning,
                K::PercentageSum,
                "sector",
                format!(
                    "percentages of the sectors of vocabulary {vocab} add up to {sum}, not 100"
                ),
            );
        }
    }
}

fn date_order(c: &mut Cursor, a: &Activity) {
    let date = |t: &str| {
        a.dates
            .iter()
            .find(|d| d.type_ == t)
            .and_then(|d| d.iso_date.as_deref())
    };
    for (start, end, what) in [("1", "3", "planned"), ("2", "4", "actual")] {
        if let (Some(s), Some(e)) = (date(start), date(end))
            && e < s
        {
            let message = format!("the {what} end date {e} is before the {what} start date {s}");
            c.diag_closed(S::Warning, K::DateOrder, "activity-date", message);
        }
    }
}
