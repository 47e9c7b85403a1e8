//! The IATI-Schemas unit-test fixtures (`tests/activity-tests/should-fail|pass`
//! and the older `tests/should-fail|pass/iati-activities`).
//!
//! The fixtures use placeholder data everywhere (`version="xx"`, codes `xx`,
//! empty identifiers), so every one of them has codelist and identifier
//! findings whatever its point. To make the check mean something, only
//! *structural* findings count here: everything of severity error or critical
//! except invalid codes, the empty-identifier finding and the placeholder
//! version. Each should-fail fixture must have one (or be rejected as not
//! well-formed), except those listed in `UNCAUGHT.md`; should-pass fixtures
//! must have none.

// Test helpers may unwrap: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::*;
use vaka_iati::{Diagnostic, DiagnosticKind, Severity};

fn base() -> PathBuf {
    data("iati/fixtures/iati-schemas-tests/tests")
}

/// All files (any extension: one fixture has none) under the activity test folders.
fn fixtures(kind: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in [
        base().join("activity-tests").join(kind),
        base().join(kind).join("iati-activities"),
    ] {
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p);
                }
            }
        }
    }
    out.sort();
    out
}

fn rel(p: &Path) -> String {
    p.strip_prefix(base())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

fn structural(r: &Read_) -> Vec<&Diagnostic> {
    let placeholder_version = r
        .header
        .as_ref()
        .and_then(|h| h.declared_version.as_deref())
        == Some("xx");
    r.all_diagnostics()
        .filter(|d| d.severity <= Severity::Error)
        .filter(|d| d.kind != DiagnosticKind::InvalidCode)
        .filter(|d| !(d.kind == DiagnosticKind::MissingElement && d.path == "iati-identifier"))
        .filter(|d| !(d.kind == DiagnosticKind::Version && placeholder_version))
        .collect()
}

/// Paths listed in UNCAUGHT.md as "- `relative/path`".
fn listed_uncaught() -> BTreeSet<String> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/UNCAUGHT.md"))
            .unwrap();
    text.lines()
        .filter_map(|l| l.strip_prefix("- `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_owned)
        .collect()
}

/// The kind of finding a fixture's name announces, where it is unambiguous.
fn announced_kind(name: &str) -> Option<DiagnosticKind> {
    use DiagnosticKind as K;
    // Misnamed fixture: its <forecast> has a year; it fails for the empty value.
    if name.ends_with("fss/03-missing-attribute-forecast-year.xml") {
        return Some(K::InvalidDecimal);
    }
    let has = |w: &str| name.contains(w);
    Some(
        if has("forbidden-attribute")
            || has("contains-text")
            || has("extensibility")
            || has("non-allowed-child")
        {
            K::Structure
        } else if has("-two-") || has("/two-") || has("multiple") || has("two-") {
            K::Cardinality
        } else if has("missing-attribute")
            || has("-missing-code")
            || has("-no-code")
            || has("-no-type")
            || has("-no-vocab")
        {
            K::MissingAttribute
        } else if has("non-decimal") || has("empty-decimal") || has("positiveInteger") {
            K::InvalidDecimal
        } else if has("non-iso-date") || has("incorrect-date") || has("datetime") {
            K::InvalidDate
        } else if has("non-boolean") || has("non-boolen") || has("flag-") || has("validation-") {
            K::InvalidBoolean
        } else if has("missing-required-element")
            || has("-missing-") && (has("narrative") || has("title") || has("period"))
        {
            K::MissingElement
        } else {
            return None;
        },
    )
}

#[test]
fn should_fail_fixtures_are_caught() {
    let files = fixtures("should-fail");
    assert!(files.len() > 300, "found only {}", files.len());
    let mut uncaught = BTreeSet::new();
    let (mut by_error, mut by_diag) = (0, 0);
    for f in &files {
        let r = read_path(f);
        if r.error.is_some() {
            by_error += 1;
        } else if structural(&r).is_empty() {
            uncaught.insert(rel(f));
        } else {
            by_diag += 1;
            if let Some(kind) = announced_kind(&rel(f)) {
                let found = structural(&r).iter().any(|d| d.kind == kind);
                assert!(
                    found,
                    "{}: expected a {kind} finding, got {:#?}",
                    rel(f),
                    structural(&r)
                );
            }
        }
    }
    eprintln!(
        "should-fail: {} fixtures, {by_diag} caught by diagnostics, {by_error} rejected as not well-formed, {} uncaught",
        files.len(),
        uncaught.len()
    );
    assert_eq!(
        uncaught,
        listed_uncaught(),
        "UNCAUGHT.md must list exactly the fixtures left uncaught"
    );
}

#[test]
fn should_pass_fixtures_have_no_structural_findings() {
    let files = fixtures("should-pass");
    assert!(files.len() > 200, "found only {}", files.len());
    let mut with_any_error = 0;
    for f in &files {
        let r = read_path(f);
        assert!(r.ok(), "{}: {:?}", rel(f), r.error);
        let s = structural(&r);
        assert!(s.is_empty(), "{}: {s:#?}", rel(f));
        if r.all_diagnostics().any(|d| d.severity <= Severity::Error) {
            with_any_error += 1;
        }
    }
    // For the record (the placeholder codes and empty identifiers cause these).
    eprintln!(
        "should-pass: {} fixtures, {with_any_error} with some error/critical finding, 0 structural",
        files.len()
    );
}
