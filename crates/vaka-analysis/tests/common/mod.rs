//! Shared test helpers: where the shared data lives, a small IATI loader and an
//! independent text walk over the XML.
//!
//! Activities are read with `vaka_iati::ActivityReader`, the reader Vaka imports
//! with; the expected totals come from a plain text walk that shares no code
//! with it.

#![allow(dead_code, clippy::unwrap_used)] // each test file uses a subset

use std::collections::BTreeMap;
use std::path::PathBuf;

use vaka_iati::model::Activity;

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

/// Load the activities of an IATI file with the real streaming reader.
pub fn load_activities(text: &str) -> Vec<Activity> {
    let mut reader =
        vaka_iati::ActivityReader::from_reader(std::io::Cursor::new(text.as_bytes().to_vec()))
            .unwrap();
    let mut out = Vec::new();
    while let Some(parsed) = reader.next_activity().unwrap() {
        out.push(parsed.activity);
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
