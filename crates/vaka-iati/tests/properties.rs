//! Properties of the reader that must hold for any input: it never panics,
//! and what it reads does not depend on how the bytes arrive.

// Test helpers may unwrap: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Read;

use common::*;
use proptest::prelude::*;

/// Everything observable about one read, for comparison.
fn outcome(r: &Read_) -> String {
    let mut s = format!("{:?}\n{:?}\n", r.header, r.file_diagnostics);
    for a in &r.activities {
        s.push_str(&serde_json::to_string(&a.activity).unwrap());
        s.push_str(&format!("{:?}\n", a.diagnostics));
    }
    s.push_str(&format!(
        "{:?}",
        r.error
            .as_ref()
            .map(|e| (e.kind, e.line, e.column, e.message.clone()))
    ));
    s
}

/// A reader that hands out the input in the given chunk sizes (cycled).
struct Chunked {
    data: Vec<u8>,
    pos: usize,
    sizes: Vec<usize>,
    turn: usize,
}

impl Read for Chunked {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let size = self.sizes[self.turn % self.sizes.len()].max(1);
        self.turn += 1;
        let n = size.min(buf.len()).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn samples() -> Vec<Vec<u8>> {
    let gz = {
        use std::io::Write;
        let bytes = std::fs::read(data(
            "iati/activities/pacific/undp-open-undp-org_Tokelau_projects.xml",
        ))
        .unwrap();
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&bytes).unwrap();
        enc.finish().unwrap()
    };
    let mut out: Vec<Vec<u8>> = [
        "iati/activities/pacific/undp-open-undp-org_Tonga_projects.xml",
        "iati/activities/legacy-1.0x/d-portal_test_activities3.xml",
        "iati/activities/examples/iati-cloud_activity-standard-example-annotated-203.xml",
        "iati/fixtures/pyiati-test-data/version_independent/dataset-encoding/valid-UTF-16BE.xml",
        "iati/fixtures/pyiati-test-data/version_independent/dataset-encoding/valid-UTF-32.xml",
        "iati/fixtures/pyiati-test-data/version_independent/dataset-encoding/valid-windows-1252.xml",
        "iati/fixtures/iati-datastore/broken.xml",
        "iati/fixtures/data4development-validator/iati-with-xml-errors.xml",
    ]
    .iter()
    .map(|rel| std::fs::read(data(rel)).unwrap())
    .collect();
    // The frankenstein file is large; its tail (with the unbound prefix) suffices.
    let frank = std::fs::read(data("iati/fixtures/synthetic/d-portal_frankenstein.xml")).unwrap();
    out.push(frank);
    out.push(gz);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn reader_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = read_bytes(bytes);
    }

    #[test]
    fn reader_never_panics_on_xmlish_text(text in "(<[a-z:-]{0,12}( [a-z:-]{1,8}=\"[^\"<]{0,6}\")?/?>|</[a-z-]{0,10}>|&[a-z#0-9]{0,5};?|[a-z0-9 .\n]{0,10}|<!--|-->|<\\?xml|\\?>){0,40}") {
        let _ = read_bytes(format!("<iati-activities version=\"2.03\"><iati-activity>{text}").into_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn reader_never_panics_on_mutated_real_files(
        which in 0usize..10,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<u8>(), 0usize..40), 1..8),
    ) {
        let mut bytes = samples().swap_remove(which);
        for (at, op, byte, len) in edits {
            if bytes.is_empty() { break; }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => { let end = (i + len).min(bytes.len()); bytes.drain(i..end); }
                2 => bytes.insert(i, byte),
                _ => { let end = (i + len).min(bytes.len()); let dup: Vec<u8> = bytes[i..end].to_vec(); bytes.splice(i..i, dup); }
            }
        }
        let _ = read_bytes(bytes);
    }

    #[test]
    fn results_do_not_depend_on_chunking(
        which in 0usize..10,
        sizes in proptest::collection::vec(1usize..5000, 1..12),
        tiny in any::<bool>(),
    ) {
        let bytes = samples().swap_remove(which);
        let whole = outcome(&read_bytes(bytes.clone()));
        // Sometimes feed 1–3 bytes at a time to hit every boundary.
        let sizes = if tiny { sizes.iter().map(|s| s % 3 + 1).collect() } else { sizes };
        let chunked = outcome(&read_from(Chunked { data: bytes, pos: 0, sizes, turn: 0 }));
        prop_assert_eq!(whole, chunked);
    }
}
