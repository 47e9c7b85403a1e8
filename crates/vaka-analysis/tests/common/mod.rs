//! Shared test helpers: where the shared data lives, a small IATI loader and an
//! independent text walk over the XML.
//!
//! The loader is a stopgap: `vaka_iati::ActivityReader` is being written in
//! parallel and is still a stub on this branch. It reads only the elements
//! apportioning and classification look at. Replace it with the reader once
//! that lands.

#![allow(dead_code, clippy::unwrap_used)] // each test file uses a subset

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;

use quick_xml::events::Event;
use rust_decimal::Decimal;
use vaka_iati::model::{
    Activity, Budget, Description, Narrative, OrgRef, ParticipatingOrg, PolicyMarker,
    RecipientCountry, RecipientRegion, Sector, Transaction, Value,
};

/// `../shared/data` relative to the repository root, or `$VAKA_SHARED_DATA`.
pub fn shared_data() -> PathBuf {
    match std::env::var_os("VAKA_SHARED_DATA") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

/// The real UNDP Pacific files, sorted by name.
pub fn pacific_files() -> Vec<PathBuf> {
    let dir = shared_data().join("iati/activities/pacific");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (set VAKA_SHARED_DATA)", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    v.sort();
    assert_eq!(
        v.len(),
        12,
        "twelve Pacific files expected in {}",
        dir.display()
    );
    v
}

pub fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| AsRef::<str>::as_ref(&a.key) == name)
        .map(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .unwrap()
                .into_owned()
        })
}

fn dec(s: &str) -> Option<Decimal> {
    Decimal::from_str(s.trim()).ok()
}

/// Load the activities of an IATI 2.0x file (the subset Vaka's analysis reads).
pub fn load_activities(text: &str) -> Vec<Activity> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut out: Vec<Activity> = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut buf_text = String::new();
    let line_at = |pos: u64| text[..pos as usize].matches('\n').count() as u64 + 1;
    loop {
        let pos = reader.buffer_position();
        let ev = reader.read_event().unwrap();
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = AsRef::<str>::as_ref(&e.local_name()).to_owned();
                let parent = stack.last().cloned().unwrap_or_default();
                let empty = matches!(ev, Event::Empty(_));
                let a = out.last_mut();
                match (name.as_str(), parent.as_str(), a) {
                    ("iati-activity", _, _) => out.push(Activity {
                        line: line_at(pos),
                        default_currency: attr(e, "default-currency"),
                        lang: attr(e, "xml:lang"),
                        hierarchy: attr(e, "hierarchy").and_then(|h| h.parse().ok()),
                        ..Activity::default()
                    }),
                    ("reporting-org", "iati-activity", Some(a)) => {
                        a.reporting_org = Some(OrgRef {
                            ref_: attr(e, "ref"),
                            type_: attr(e, "type"),
                            ..OrgRef::default()
                        })
                    }
                    ("participating-org", "iati-activity", Some(a)) => {
                        a.participating_orgs.push(ParticipatingOrg {
                            role: attr(e, "role"),
                            ref_: attr(e, "ref"),
                            ..ParticipatingOrg::default()
                        })
                    }
                    ("description", "iati-activity", Some(a)) => a.descriptions.push(Description {
                        type_: attr(e, "type"),
                        narratives: Vec::new(),
                    }),
                    ("narrative", "title" | "description", Some(_)) => buf_text.clear(),
                    ("recipient-country", p @ ("iati-activity" | "transaction"), Some(a)) => {
                        let c = RecipientCountry {
                            code: attr(e, "code").unwrap_or_default(),
                            percentage: attr(e, "percentage").and_then(|p| dec(&p)),
                            ..RecipientCountry::default()
                        };
                        if p == "transaction" {
                            a.transactions
                                .last_mut()
                                .unwrap()
                                .recipient_countries
                                .push(c)
                        } else {
                            a.recipient_countries.push(c)
                        }
                    }
                    ("recipient-region", p @ ("iati-activity" | "transaction"), Some(a)) => {
                        let r = RecipientRegion {
                            code: attr(e, "code").unwrap_or_default(),
                            vocabulary: attr(e, "vocabulary").unwrap_or_else(|| "1".into()),
                            percentage: attr(e, "percentage").and_then(|p| dec(&p)),
                            ..RecipientRegion::default()
                        };
                        if p == "transaction" {
                            a.transactions.last_mut().unwrap().recipient_regions.push(r)
                        } else {
                            a.recipient_regions.push(r)
                        }
                    }
                    ("sector", p @ ("iati-activity" | "transaction"), Some(a)) => {
                        let s = Sector {
                            vocabulary: attr(e, "vocabulary").unwrap_or_else(|| "1".into()),
                            code: attr(e, "code").unwrap_or_default(),
                            percentage: attr(e, "percentage").and_then(|p| dec(&p)),
                            ..Sector::default()
                        };
                        if p == "transaction" {
                            a.transactions.last_mut().unwrap().sectors.push(s)
                        } else {
                            a.sectors.push(s)
                        }
                    }
                    ("policy-marker", "iati-activity", Some(a)) => {
                        a.policy_markers.push(PolicyMarker {
                            vocabulary: attr(e, "vocabulary").unwrap_or_else(|| "1".into()),
                            code: attr(e, "code").unwrap_or_default(),
                            significance: attr(e, "significance"),
                            ..PolicyMarker::default()
                        })
                    }
                    ("budget", "iati-activity", Some(a)) => a.budgets.push(Budget {
                        type_: attr(e, "type").unwrap_or_else(|| "1".into()),
                        status: attr(e, "status").unwrap_or_else(|| "1".into()),
                        ..Budget::default()
                    }),
                    ("period-start", "budget", Some(a)) => {
                        a.budgets.last_mut().unwrap().period_start = attr(e, "iso-date")
                    }
                    ("period-end", "budget", Some(a)) => {
                        a.budgets.last_mut().unwrap().period_end = attr(e, "iso-date")
                    }
                    ("transaction", "iati-activity", Some(a)) => a.transactions.push(Transaction {
                        line: line_at(pos),
                        ..Transaction::default()
                    }),
                    ("transaction-type", "transaction", Some(a)) => {
                        a.transactions.last_mut().unwrap().type_ = attr(e, "code")
                    }
                    ("transaction-date", "transaction", Some(a)) => {
                        a.transactions.last_mut().unwrap().date = attr(e, "iso-date")
                    }
                    ("provider-org", "transaction", Some(a)) => {
                        a.transactions.last_mut().unwrap().provider_org = Some(OrgRef {
                            ref_: attr(e, "ref"),
                            ..OrgRef::default()
                        })
                    }
                    ("value", "transaction" | "budget", Some(a)) => {
                        let v = Value {
                            amount: Decimal::ZERO,
                            currency: attr(e, "currency"),
                            value_date: attr(e, "value-date"),
                        };
                        if parent == "transaction" {
                            a.transactions.last_mut().unwrap().value = Some(v)
                        } else {
                            a.budgets.last_mut().unwrap().value = Some(v)
                        }
                        buf_text.clear();
                    }
                    _ => {}
                }
                if !empty {
                    stack.push(name);
                }
            }
            Event::Text(t) => buf_text.push_str(&t.xml10_content()),
            Event::CData(t) => buf_text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let s: &str = &r;
                let ch = match s {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    _ => r.resolve_char_ref().ok().flatten(),
                };
                if let Some(c) = ch {
                    buf_text.push(c);
                }
            }
            Event::End(_) => {
                let name = stack.pop().unwrap_or_default();
                let parent = stack.last().cloned().unwrap_or_default();
                let grand = stack
                    .len()
                    .checked_sub(2)
                    .and_then(|i| stack.get(i))
                    .cloned()
                    .unwrap_or_default();
                if let Some(a) = out.last_mut() {
                    match (name.as_str(), parent.as_str()) {
                        ("iati-identifier", "iati-activity") => {
                            a.identifier = buf_text.trim().to_owned()
                        }
                        ("narrative", "title") if grand == "iati-activity" => {
                            a.title.push(Narrative {
                                lang: None,
                                text: buf_text.clone(),
                            })
                        }
                        ("narrative", "description") if grand == "iati-activity" => a
                            .descriptions
                            .last_mut()
                            .unwrap()
                            .narratives
                            .push(Narrative {
                                lang: None,
                                text: buf_text.clone(),
                            }),
                        ("value", "transaction") => {
                            a.transactions
                                .last_mut()
                                .unwrap()
                                .value
                                .as_mut()
                                .unwrap()
                                .amount = dec(&buf_text).unwrap()
                        }
                        ("value", "budget") => {
                            a.budgets.last_mut().unwrap().value.as_mut().unwrap().amount =
                                dec(&buf_text).unwrap()
                        }
                        _ => {}
                    }
                }
                if name == "iati-identifier" || name == "narrative" || name == "value" {
                    buf_text.clear();
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// An independent walk over the raw text (no XML parser, no `vaka_iati`
/// types): per activity-level recipient country, the sum in cents of the
/// transaction values of the given transaction types. Assumes what the UNDP
/// Pacific files do: one recipient country per activity, no percentages, no
/// transaction-level countries, values in whole units or with a dot.
pub fn independent_tx_totals(text: &str, types: &[&str]) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for act in text.split("<iati-activity ").skip(1) {
        let act = act.split("</iati-activity>").next().unwrap();
        let country =
            between(act, "<recipient-country code=\"", "\"").expect("one recipient country");
        for tx in act.split("<transaction>").skip(1) {
            let tx = tx.split("</transaction>").next().unwrap();
            let ty = between(tx, "<transaction-type code=\"", "\"").unwrap();
            if !types.contains(&ty) {
                continue;
            }
            let value_tag_end = tx
                .find("<value")
                .map(|i| i + tx[i..].find('>').unwrap() + 1)
                .unwrap();
            let raw =
                &tx[value_tag_end..value_tag_end + tx[value_tag_end..].find("</value>").unwrap()];
            *out.entry(country.to_owned()).or_insert(0) += cents(raw.trim());
        }
    }
    out
}

/// Per recipient country, the cents of the budgets counted: for each period
/// the revised (type 2) budgets if any, else the original ones.
pub fn independent_budget_totals(text: &str) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for act in text.split("<iati-activity ").skip(1) {
        let act = act.split("</iati-activity>").next().unwrap();
        let country = between(act, "<recipient-country code=\"", "\"").unwrap();
        let mut by_period: BTreeMap<String, Vec<(String, i64)>> = BTreeMap::new();
        for b in act.split("<budget ").skip(1) {
            let b = b.split("</budget>").next().unwrap();
            let ty = between(b, "type=\"", "\"").unwrap_or("1").to_owned();
            let start = between(b, "<period-start iso-date=\"", "\"")
                .unwrap()
                .to_owned();
            let v_end = b
                .find("<value")
                .map(|i| i + b[i..].find('>').unwrap() + 1)
                .unwrap();
            let raw = &b[v_end..v_end + b[v_end..].find("</value>").unwrap()];
            by_period
                .entry(start)
                .or_default()
                .push((ty, cents(raw.trim())));
        }
        for (_, list) in by_period {
            let revised: Vec<i64> = list
                .iter()
                .filter(|(t, _)| t == "2")
                .map(|(_, v)| *v)
                .collect();
            let chosen = if revised.is_empty() {
                list.iter().map(|(_, v)| *v).collect()
            } else {
                revised
            };
            *out.entry(country.to_owned()).or_insert(0) += chosen.last().copied().unwrap_or(0);
        }
    }
    out
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = s.find(start)? + start.len();
    let j = s[i..].find(end)?;
    Some(&s[i..i + j])
}

/// Decimal text to cents by string arithmetic, rounding half away from zero.
fn cents(raw: &str) -> i64 {
    let (neg, digits) = raw.strip_prefix('-').map_or((false, raw), |r| (true, r));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let mut frac = frac.to_owned();
    while frac.len() < 3 {
        frac.push('0');
    }
    let mut c = int.parse::<i64>().unwrap() * 100 + frac[..2].parse::<i64>().unwrap();
    if frac.as_bytes()[2] >= b'5' {
        c += 1;
    }
    if neg { -c } else { c }
}
