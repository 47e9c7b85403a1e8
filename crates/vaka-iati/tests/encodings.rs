//! Encodings and compression: every declared or detectable encoding decodes
//! to the same text, and a gzipped file reads exactly like the plain one.

// Test helpers may unwrap: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;

use common::*;
use vaka_iati::{ActivityReader, DiagnosticKind};

const CJK: &str = "䶌乨伶侗倗傈儈剉唙謜谋";

fn reporting_org_name(r: &Read_, i: usize) -> String {
    r.activities[i]
        .activity
        .reporting_org
        .as_ref()
        .unwrap()
        .name[0]
        .text
        .clone()
}

#[test]
fn pyiati_encoding_fixtures_decode() {
    let dir = data("iati/fixtures/pyiati-test-data/version_independent/dataset-encoding");
    let utf8 = read_path(&dir.join("valid-UTF-8.xml"));
    assert!(utf8.ok());
    assert_eq!(utf8.activities.len(), 4);
    // The fixture's text is these CJK characters followed by private-use ones.
    let name = reporting_org_name(&utf8, 0);
    assert!(
        name.starts_with(CJK) && name.chars().count() == 75,
        "{name:?}"
    );
    assert!(utf8.activities[0].activity.title[0].text.starts_with(CJK));

    // UTF-16 (LE with BOM), UTF-16BE (a BOM plus a second U+FEFF), UTF-16LE, UTF-32:
    // identical activities to the UTF-8 original.
    for (file, encoding) in [
        ("valid-UTF-16.xml", "UTF-16LE"),
        ("valid-UTF-16BE.xml", "UTF-16BE"),
        ("valid-UTF-16LE.xml", "UTF-16LE"),
        ("valid-UTF-32.xml", "UTF-32LE"),
    ] {
        let r = read_path(&dir.join(file));
        assert!(r.ok(), "{file}: {:?}", r.error);
        assert_eq!(r.header.as_ref().unwrap().encoding, encoding, "{file}");
        let got: Vec<_> = r.activities.iter().map(|a| &a.activity).collect();
        let want: Vec<_> = utf8.activities.iter().map(|a| &a.activity).collect();
        assert_eq!(got, want, "{file}");
    }

    // No BOM, no declaration, `<\0?\0`: UTF-16LE by the XML spec's detection table.
    let r = read_path(&dir.join("valid-undetectable-encoding.xml"));
    assert!(r.ok());
    assert_eq!(r.header.as_ref().unwrap().encoding, "UTF-16LE");
    assert!(reporting_org_name(&r, 0).starts_with(CJK));

    // No declaration and not UTF-8: read as windows-1252, with a note on the file.
    let r = read_path(&dir.join("valid-windows-1252.xml"));
    assert!(r.ok());
    assert_eq!(reporting_org_name(&r, 0), "Ÿ");
    assert_eq!(
        r.header.as_ref().unwrap().encoding,
        "UTF-8",
        "known only once the byte is reached"
    );
    assert!(
        r.file_diagnostics
            .iter()
            .any(|d| d.path == "encoding" && d.message.contains("windows-1252"))
    );
}

#[test]
fn declared_legacy_encodings() {
    let mut doc = b"<?xml version='1.0' encoding='ISO-8859-1'?>\n<iati-activities version='2.03'><iati-activity>".to_vec();
    doc.extend_from_slice(b"<iati-identifier>XM-1</iati-identifier><title><narrative>Caf\xe9 \xe0 Nuku\xb4alofa</narrative></title>");
    doc.extend_from_slice(b"</iati-activity></iati-activities>");
    let r = read_bytes(doc);
    assert!(r.ok(), "{:?}", r.error);
    assert_eq!(r.header.as_ref().unwrap().encoding, "windows-1252");
    assert_eq!(r.activities[0].activity.title[0].text, "Café à Nuku´alofa");

    // Shift_JIS through encoding_rs.
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><iati-activities version=\"2.03\"><iati-activity><iati-identifier>JP-8-1</iati-identifier><title><narrative xml:lang=\"ja\">太平洋</narrative></title></iati-activity></iati-activities>");
    let r = read_bytes(sjis.into_owned());
    assert!(r.ok(), "{:?}", r.error);
    assert_eq!(r.activities[0].activity.title_in("ja"), Some("太平洋"));
}

#[test]
fn gzip_gives_identical_results() {
    let dir = tempfile::tempdir().unwrap();
    for rel in [
        "iati/activities/pacific/undp-open-undp-org_Tonga_projects.xml",
        "iati/activities/legacy-1.0x/d-portal_test_activities.xml",
        "iati/fixtures/pyiati-test-data/version_independent/dataset-encoding/valid-UTF-16BE.xml",
    ] {
        let plain_path = data(rel);
        let bytes = std::fs::read(&plain_path).unwrap();
        let gz_path = dir.path().join("copy.xml.gz");
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz_path).unwrap(),
            flate2::Compression::default(),
        );
        enc.write_all(&bytes).unwrap();
        enc.finish().unwrap();

        let plain = read_path(&plain_path);
        let gz = read_path(&gz_path);
        assert!(gz.ok(), "{rel}: {:?}", gz.error);
        let mut want = plain.header.clone().unwrap();
        want.gzipped = true;
        assert_eq!(gz.header.unwrap(), want, "{rel}");
        assert_eq!(gz.activities.len(), plain.activities.len());
        for (a, b) in gz.activities.iter().zip(&plain.activities) {
            assert_eq!(a.activity, b.activity);
            assert_eq!(a.diagnostics, b.diagnostics);
        }
        assert_eq!(gz.file_diagnostics, plain.file_diagnostics);

        // Progress counts compressed bytes: all of them by the end.
        let mut r = ActivityReader::open(&gz_path).unwrap();
        while r.next_activity().unwrap().is_some() {}
        assert_eq!(
            r.bytes_consumed(),
            std::fs::metadata(&gz_path).unwrap().len(),
            "{rel}"
        );
    }
}

#[test]
fn concatenated_gzip_members_are_read() {
    let xml = "<iati-activities version=\"2.03\"><iati-activity><iati-identifier>XM-DAC-41114-1</iati-identifier></iati-activity></iati-activities>";
    let (a, b) = xml.split_at(40);
    let mut out = Vec::new();
    for part in [a, b] {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(part.as_bytes()).unwrap();
        out.extend(enc.finish().unwrap());
    }
    let r = read_bytes(out);
    assert!(r.ok(), "{:?}", r.error);
    assert_eq!(r.activities[0].activity.identifier, "XM-DAC-41114-1");
}

#[test]
fn bytes_consumed_grows_to_the_file_size() {
    let path = data("iati/activities/pacific/undp-open-undp-org_Fiji_projects.xml");
    let size = std::fs::metadata(&path).unwrap().len();
    let mut r = ActivityReader::open(&path).unwrap();
    let mut seen = vec![r.bytes_consumed()];
    while r.next_activity().unwrap().is_some() {
        seen.push(r.bytes_consumed());
    }
    assert!(seen.windows(2).all(|w| w[0] <= w[1]));
    assert!(seen[0] < size, "opening reads a buffer, not the file");
    assert_eq!(*seen.last().unwrap(), size);
    assert!(
        r.take_file_diagnostics()
            .iter()
            .all(|d| d.kind != DiagnosticKind::Structure)
    );
}
