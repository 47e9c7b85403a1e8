//! Dates mentioned in a sentence: "31 October 2019", "October 31, 2019",
//! "2019-10-31", "1 November" (year of the release), "October 2019" (month),
//! and the relative phrases whose meaning is fixed by the release date:
//! "yesterday"/"last night" (the day before), "today"/"this morning"/"tonight"
//! (the release date) and "tomorrow" (the day after).
//!
//! Phrases such as "last week" or "on Monday" are left alone: resolving them
//! needs a guess. This module must not read the release's front matter beyond
//! the date it is given.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::text::{TokKind, Token, joined};

/// How precise a date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatePrecision {
    /// `YYYY-MM-DD`.
    Day,
    /// `YYYY-MM`.
    Month,
}

/// One date found in a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawDate {
    /// ISO date (`2019-10-30`) or month (`2019-10`).
    pub iso: String,
    pub precision: DatePrecision,
    /// The relative phrase, when the date was computed from the release date.
    pub relative: Option<String>,
    /// The year was not written and was taken from the release date.
    pub year_inferred: bool,
    pub start: usize,
    pub end: usize,
}

fn month(word: &str) -> Option<Month> {
    let w = word.trim_end_matches('.');
    let m = match w {
        "January" | "Jan" => Month::January,
        "February" | "Feb" => Month::February,
        "March" | "Mar" => Month::March,
        "April" | "Apr" => Month::April,
        "May" => Month::May,
        "June" | "Jun" => Month::June,
        "July" | "Jul" => Month::July,
        "August" | "Aug" => Month::August,
        "September" | "Sep" | "Sept" => Month::September,
        "October" | "Oct" => Month::October,
        "November" | "Nov" => Month::November,
        "December" | "Dec" => Month::December,
        _ => return None,
    };
    Some(m)
}

fn day(word: &str) -> Option<u8> {
    let digits = word
        .strip_suffix("st")
        .or_else(|| word.strip_suffix("nd"))
        .or_else(|| word.strip_suffix("rd"))
        .or_else(|| word.strip_suffix("th"))
        .unwrap_or(word);
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

fn year(word: &str) -> Option<i32> {
    (word.len() == 4 && word.bytes().all(|b| b.is_ascii_digit()))
        .then(|| word.parse().ok())
        .flatten()
        .filter(|y| (1900..=2100).contains(y))
}

fn iso_day(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Relative phrases (lower case, as word sequences) and their offset in days.
const RELATIVE: &[(&[&str], i64)] = &[
    (&["last", "night"], -1),
    (&["yesterday"], -1),
    (&["today"], 0),
    (&["tonight"], 0),
    (&["this", "morning"], 0),
    (&["this", "afternoon"], 0),
    (&["this", "evening"], 0),
    (&["tomorrow"], 1),
];

/// Find dates in one sentence, given its tokens and the release date.
pub(crate) fn find(s: &str, tokens: &[Token<'_>], release: Date) -> Vec<RawDate> {
    let mut out = Vec::new();
    let word = |i: usize| {
        tokens
            .get(i)
            .filter(|t| t.kind == TokKind::Word)
            .map(|t| t.stem)
    };
    let next_joined = |i: usize| tokens.get(i + 1).is_some_and(|b| joined(s, &tokens[i], b));
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        // ISO: 2019-10-31 (tokens 2019 - 10 - 31).
        if let (Some(y), Some(m), Some(d)) = (word(i).and_then(year), word(i + 2), word(i + 4))
            && tokens.get(i + 1).is_some_and(|h| h.kind == TokKind::Hyphen)
            && tokens.get(i + 3).is_some_and(|h| h.kind == TokKind::Hyphen)
            && m.len() == 2
            && d.len() == 2
            && let Some(date) = crate::front_matter::parse_iso_date(&format!("{y:04}-{m}-{d}"))
        {
            out.push(day_date(date, false, t.start, tokens[i + 4].end));
            i += 5;
            continue;
        }
        // 31 October 2019 / 31 October.
        if let (Some(d), Some(m)) = (word(i).and_then(day), word(i + 1).and_then(month))
            && next_joined(i)
        {
            let y = word(i + 2).and_then(year).filter(|_| next_joined(i + 1));
            let (yv, end, used) = match y {
                Some(y) => (y, tokens[i + 2].end, 3),
                None => (release.year(), tokens[i + 1].end, 2),
            };
            // An impossible date ("31 February") is skipped whole, not read as a month.
            if let Ok(date) = Date::from_calendar_date(yv, m, d) {
                out.push(day_date(date, y.is_none(), t.start, end));
            }
            i += used;
            continue;
        }
        // October 31, 2019 / October 31 / October 2019.
        if let Some(m) = word(i).and_then(month)
            && t.is_capitalised()
            && next_joined(i)
        {
            if let Some(d) = word(i + 1).and_then(day) {
                // The year may follow a comma: "October 31, 2019".
                let y = word(i + 2).and_then(year).filter(|_| {
                    s.get(tokens[i + 1].end..tokens[i + 2].start)
                        .is_some_and(|g| g.trim() == "," || g.trim().is_empty())
                });
                let (yv, end, used) = match y {
                    Some(y) => (y, tokens[i + 2].end, 3),
                    None => (release.year(), tokens[i + 1].end, 2),
                };
                if let Ok(date) = Date::from_calendar_date(yv, m, d) {
                    out.push(day_date(date, y.is_none(), t.start, end));
                    i += used;
                    continue;
                }
            } else if let Some(y) = word(i + 1).and_then(year) {
                out.push(RawDate {
                    iso: format!("{y:04}-{:02}", u8::from(m)),
                    precision: DatePrecision::Month,
                    relative: None,
                    year_inferred: false,
                    start: t.start,
                    end: tokens[i + 1].end,
                });
                i += 2;
                continue;
            }
        }
        // Relative phrases.
        let mut matched = false;
        for (words, offset) in RELATIVE {
            let n = words.len();
            let ok = (0..n).all(|k| {
                word(i + k).is_some_and(|w| w.eq_ignore_ascii_case(words[k]))
                    && (k == 0 || joined(s, &tokens[i + k - 1], &tokens[i + k]))
            });
            if !ok {
                continue;
            }
            let date = match offset {
                -1 => release.previous_day(),
                1 => release.next_day(),
                _ => Some(release),
            };
            if let Some(date) = date {
                let end = tokens[i + n - 1].end;
                // Without a possessive: "Yesterday’s announcement" → "Yesterday".
                let end = end - (tokens[i + n - 1].raw.len() - tokens[i + n - 1].stem.len());
                out.push(RawDate {
                    iso: iso_day(date),
                    precision: DatePrecision::Day,
                    relative: Some(s[t.start..end].to_lowercase()),
                    year_inferred: false,
                    start: t.start,
                    end,
                });
                i += n;
                matched = true;
            }
            break;
        }
        if !matched {
            i += 1;
        }
    }
    out
}

fn day_date(date: Date, year_inferred: bool, start: usize, end: usize) -> RawDate {
    RawDate {
        iso: iso_day(date),
        precision: DatePrecision::Day,
        relative: None,
        year_inferred,
        start,
        end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;
    use time::macros::date;

    fn dates(s: &str) -> Vec<(String, Option<String>, bool)> {
        find(s, &tokenize(s), date!(2019 - 10 - 31))
            .into_iter()
            .map(|d| (d.iso, d.relative, d.year_inferred))
            .collect()
    }

    #[test]
    fn absolute_forms() {
        assert_eq!(
            dates("on 31 October 2019"),
            vec![("2019-10-31".into(), None, false)]
        );
        assert_eq!(
            dates("on October 31, 2019"),
            vec![("2019-10-31".into(), None, false)]
        );
        assert_eq!(
            dates("dated 2019-11-01."),
            vec![("2019-11-01".into(), None, false)]
        );
        assert_eq!(
            dates("from 1 November"),
            vec![("2019-11-01".into(), None, true)]
        );
        assert_eq!(
            dates("in October 2019"),
            vec![("2019-10".into(), None, false)]
        );
    }

    #[test]
    fn relative_forms_resolve_against_the_release_date() {
        assert_eq!(
            dates("announced a plan last night. Yesterday’s announcement"),
            vec![
                ("2019-10-30".into(), Some("last night".into()), false),
                ("2019-10-30".into(), Some("yesterday".into()), false),
            ]
        );
        assert_eq!(
            dates("tomorrow"),
            vec![("2019-11-01".into(), Some("tomorrow".into()), false)]
        );
    }

    #[test]
    fn impossible_or_vague_dates_are_skipped() {
        assert!(dates("on 31 February 2019, last week, in May we will").is_empty());
        assert!(dates("the 2030 Agenda").is_empty());
    }
}
