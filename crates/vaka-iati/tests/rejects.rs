//! Files that are not IATI activity files, or not XML at all, are rejected as
//! a whole with the right kind and a position; well-formed files that merely
//! hold bad data are not.

// Test helpers may unwrap: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use vaka_iati::{DiagnosticKind, ReadError, ReadErrorKind};

fn error_of(r: &Read_) -> &ReadError {
    r.error.as_ref().unwrap_or_else(|| {
        panic!(
            "expected a ReadError, read {} activities",
            r.activities.len()
        )
    })
}

fn fixture_error(rel: &str) -> ReadError {
    let r = read_path(&data(rel));
    error_of(&r).clone()
}

fn bytes_error(xml: &str) -> ReadError {
    error_of(&read_bytes(xml.as_bytes().to_vec())).clone()
}

#[track_caller]
fn assert_kind(e: &ReadError, kind: ReadErrorKind, line: Option<u64>) {
    assert_eq!(e.kind, kind, "{e}");
    if line.is_some() {
        assert_eq!(e.line, line, "{e}");
    }
    let shown = e.to_string();
    assert!(!shown.contains('\n'), "Display must be one line: {shown:?}");
}

#[test]
fn validator_fixtures() {
    let dir = "iati/fixtures/data4development-validator";
    assert_kind(
        &fixture_error(&format!("{dir}/broken-xml.xml")),
        ReadErrorKind::Malformed,
        Some(4),
    );
    assert_kind(
        &fixture_error(&format!("{dir}/iati-with-xml-errors.xml")),
        ReadErrorKind::Malformed,
        Some(7),
    );
    assert_kind(
        &fixture_error(&format!("{dir}/iati-with-xml-and-schema-errors.xml")),
        ReadErrorKind::Malformed,
        Some(7),
    );
    assert_kind(
        &fixture_error(&format!("{dir}/not-xml.xml")),
        ReadErrorKind::NotXml,
        Some(1),
    );
    assert_kind(
        &fixture_error(&format!("{dir}/xlsx-spreadsheet-with-extension.xml")),
        ReadErrorKind::NotXml,
        Some(1),
    );
    let e = fixture_error(&format!("{dir}/xml-but-not-iati.xml"));
    assert_kind(&e, ReadErrorKind::NotIati, Some(1));
    assert!(e.message.contains("`<tag>`"), "{e}");
    let e = fixture_error(&format!("{dir}/iati-org-no-errors.xml"));
    assert_kind(&e, ReadErrorKind::NotIati, None);
    assert!(e.message.contains("organisation file"), "{e}");

    // Schema errors are data problems: read, with diagnostics.
    let r = read_path(&data(&format!("{dir}/iati-with-schema-errors.xml")));
    assert!(r.ok());
    assert_eq!(r.activities.len(), 1);
    assert!(
        r.activities[0]
            .diagnostics
            .iter()
            .any(|d| d.path == "reporting-org/@ref")
    );
    let r = read_path(&data(&format!("{dir}/iati-act-no-errors.xml")));
    assert!(r.ok() && r.activities.len() == 1);
}

#[test]
fn datastore_fixtures() {
    let e = fixture_error("iati/fixtures/iati-datastore/broken.xml");
    assert_kind(&e, ReadErrorKind::Malformed, Some(4));
    assert!(e.message.contains("truncated"), "{e}");
    // The datastore failed on this file's data (`<transaction-date>2010</transaction-date>`),
    // not its form: Vaka reads it and reports the date.
    let r = read_path(&data("iati/fixtures/iati-datastore/broken_activity_01.xml"));
    assert!(r.ok());
    let p = &r.activities[0];
    assert_eq!(p.activity.identifier, "41114-00073223");
    assert_eq!(p.activity.transactions[0].date, None);
    assert!(
        p.diagnostics
            .iter()
            .any(|d| d.kind == DiagnosticKind::InvalidDate
                && d.path == "transaction/transaction-date")
    );
}

#[test]
fn pyiati_and_schema_test_fixtures() {
    let dir = "iati/fixtures/pyiati-test-data";
    assert_kind(
        &fixture_error(&format!("{dir}/2-02/invalid.xml")),
        ReadErrorKind::NotXml,
        Some(1),
    );
    assert_kind(
        &fixture_error(&format!("{dir}/version_independent/invalid.xml")),
        ReadErrorKind::NotXml,
        Some(1),
    );
    assert_kind(
        &fixture_error(&format!("{dir}/version_independent/valid_not_iati.xml")),
        ReadErrorKind::NotIati,
        Some(3),
    );
    // Every organisation and registry test file: not an activity file (or not well-formed).
    let base = data("iati/fixtures/iati-schemas-tests/tests");
    let mut files = files_under(&base.join("organisation-tests"), "xml");
    files.extend(files_under(&base.join("registry-tests"), "xml"));
    assert!(files.len() > 100);
    for f in files {
        let r = read_path(&f);
        let e = r
            .error
            .as_ref()
            .unwrap_or_else(|| panic!("{} was accepted", f.display()));
        assert!(
            matches!(e.kind, ReadErrorKind::NotIati | ReadErrorKind::Malformed),
            "{}: {e}",
            f.display()
        );
        assert!(r.activities.is_empty());
    }
}

#[test]
fn empty_dataset_is_zero_activities_not_an_error() {
    let r = read_path(&data(
        "iati/fixtures/edge-cases/iati-cloud_empty-iati-activities-2.01.xml",
    ));
    assert!(r.ok());
    assert!(r.activities.is_empty());
    assert_eq!(r.header.unwrap().declared_version.as_deref(), Some("2.01"));
}

#[test]
fn unbound_prefix_is_fatal_after_the_good_activities() {
    let r = read_path(&data("iati/fixtures/synthetic/d-portal_frankenstein.xml"));
    assert_eq!(
        r.activities.len(),
        1,
        "the first activity precedes the fault"
    );
    let e = error_of(&r);
    assert_kind(e, ReadErrorKind::Malformed, Some(2299));
    assert!(
        e.message.contains("`iati-activities`") && e.message.contains("not bound"),
        "{e}"
    );
}

#[test]
fn empty_and_binary_inputs() {
    assert_kind(error_of(&read_bytes(vec![])), ReadErrorKind::Empty, None);
    assert_kind(
        error_of(&read_bytes(b" \n\t\r\n ".to_vec())),
        ReadErrorKind::Empty,
        None,
    );
    let png = [
        0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R',
    ];
    assert_kind(
        error_of(&read_bytes(png.to_vec())),
        ReadErrorKind::NotXml,
        Some(1),
    );
    assert_kind(&bytes_error("just text"), ReadErrorKind::NotXml, Some(1));
    // A corrupt gzip stream.
    assert_kind(
        error_of(&read_bytes(vec![
            0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff,
        ])),
        ReadErrorKind::Io,
        None,
    );
}

#[test]
fn every_malformation_is_detected() {
    let act = r#"<iati-activity><iati-identifier>A-1</iati-identifier></iati-activity>"#;
    let doc = |body: &str| {
        format!(
            "<?xml version=\"1.0\"?>\n<iati-activities version=\"2.03\">\n{body}\n</iati-activities>\n"
        )
    };
    let cases: Vec<(String, u64, &str)> = vec![
        (
            doc(&format!("{act}\n<iati-activity><title></iati-activity>")),
            4,
            "expected `</title>`",
        ),
        (
            format!("<iati-activities version=\"2.03\">\n{act}\n<iati-activity>"),
            3,
            "truncated",
        ),
        (
            format!("<iati-activities version=\"2.03\">\n{act}\n<iati-activity><title>x"),
            3,
            "truncated",
        ),
        (
            doc("<iati-activity><iati-identifier>&nbsp;</iati-identifier></iati-activity>"),
            3,
            "`&nbsp;` is not defined",
        ),
        (
            doc("<iati-activity><iati-identifier>a & b</iati-identifier></iati-activity>"),
            3,
            "",
        ),
        (
            doc("<iati-activity><iati-identifier>&#0;</iati-identifier></iati-activity>"),
            3,
            "",
        ),
        (
            doc("<iati-activity default-currency=\"USD\" default-currency=\"NZD\"/>"),
            3,
            "duplicated attribute",
        ),
        (
            doc("<iati-activity xmlns:a=\"u\" xmlns:a=\"v\"/>"),
            3,
            "duplicated attribute",
        ),
        (
            doc("<iati-activity><foo:bar/></iati-activity>"),
            3,
            "prefix `foo`",
        ),
        (doc("<iati-activity x:y=\"1\"/>"), 3, "prefix `x`"),
        (doc("<iati-activity a=\"<\"/>"), 3, "`<`"),
        (doc("<iati-activity a=b/>"), 3, ""),
        (
            doc("<iati-activity><1bad/></iati-activity>"),
            3,
            "not a valid element name",
        ),
        (
            doc("<iati-activity><iati-identifier>a\u{1}b</iati-identifier></iati-activity>"),
            3,
            "U+0001",
        ),
        (doc("<!-- a -- b -->"), 3, ""),
        (
            format!(
                "<iati-activities version=\"2.03\">{act}</iati-activities>\n<iati-activities/>"
            ),
            2,
            "second root",
        ),
        (
            format!("<iati-activities version=\"2.03\">{act}</iati-activities>\ntrailing"),
            2,
            "after the root",
        ),
        (
            "<!-- c -->\n<?xml version=\"1.0\"?><iati-activities version=\"2.03\"/>".to_owned(),
            2,
            "declaration",
        ),
        (
            "<?xml version=\"1.0\"?>\n<!-- only a comment -->\n".to_owned(),
            0,
            "no root",
        ),
        (doc(&format!("{act}</iati-activity>")), 3, ""),
    ];
    for (xml, line, needle) in cases {
        let e = bytes_error(&xml);
        assert_eq!(e.kind, ReadErrorKind::Malformed, "{xml:?} → {e}");
        if line > 0 {
            assert_eq!(e.line, Some(line), "{xml:?} → {e}");
        }
        assert!(e.message.contains(needle), "{xml:?} → {e}");
    }
}

#[test]
fn invalid_utf8_and_unsupported_encodings() {
    let mut bytes = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<iati-activities version=\"2.03\">\n<iati-activity>".to_vec();
    bytes.extend_from_slice(
        b"<iati-identifier>\xff\xfe</iati-identifier></iati-activity></iati-activities>",
    );
    let e = error_of(&read_bytes(bytes)).clone();
    assert_kind(&e, ReadErrorKind::Encoding, Some(3));
    let e = bytes_error(
        "<?xml version=\"1.0\" encoding=\"x-klingon\"?><iati-activities version=\"2.03\"/>",
    );
    assert_kind(&e, ReadErrorKind::Encoding, Some(1));
    assert!(e.message.contains("x-klingon"), "{e}");
    // EBCDIC `<?xm`
    assert_kind(
        error_of(&read_bytes(vec![0x4C, 0x6F, 0xA7, 0x94, 0x40])),
        ReadErrorKind::Encoding,
        Some(1),
    );
    // UTF-16 with an unpaired surrogate.
    let mut u16 = vec![0xFF, 0xFE];
    for u in "<iati-activities version=\"2.03\"><iati-activity>".encode_utf16() {
        u16.extend_from_slice(&u.to_le_bytes());
    }
    u16.extend_from_slice(&0xD800u16.to_le_bytes());
    u16.extend_from_slice(&u16::from(b'x').to_le_bytes());
    assert_kind(error_of(&read_bytes(u16)), ReadErrorKind::Encoding, None);
}

#[test]
fn errors_repeat_after_failure() {
    let xml = "<iati-activities version=\"2.03\"><iati-activity><iati-identifier>A</iati-identifier></iati-activity><x></y></iati-activities>";
    let mut r =
        vaka_iati::ActivityReader::from_reader(std::io::Cursor::new(xml.as_bytes().to_vec()))
            .unwrap();
    assert!(r.next_activity().unwrap().is_some());
    let first = r.next_activity().unwrap_err();
    let again = r.next_activity().unwrap_err();
    assert_eq!(first.to_string(), again.to_string());
}
