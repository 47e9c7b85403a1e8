//! Rough throughput of parse + extract on the bundled founding document and the
//! test fixtures: `cargo run --release -p vaka-announce --example throughput`.

use std::path::PathBuf;
use std::time::Instant;

use vaka_announce::{Lexicon, extract, parse};

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files =
        vec![dir.join("../../data/announcements/2019-10-31-nz-japan-joint-declaration.md")];
    for name in [
        "nz-tonga-fiji-energy-water.md",
        "jp-palau-aviation.md",
        "au-kiribati-water.md",
        "news-unknown-dollar.md",
        "two-ministers.md",
    ] {
        files.push(dir.join("tests/fixtures").join(name));
    }
    let texts: Vec<String> = files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let lexicon = Lexicon::nz_japan_default();
    // Warm up the embedded codelists.
    let mut found = 0usize;
    for t in &texts {
        if let Ok(r) = parse("warm", t) {
            found += extract(&r, &lexicon).countries.len();
        }
    }
    let rounds = 2000;
    let start = Instant::now();
    for _ in 0..rounds {
        for t in &texts {
            if let Ok(r) = parse("bench", t) {
                found += extract(&r, &lexicon).countries.len();
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let releases = (rounds * texts.len()) as f64;
    println!(
        "{} releases ({} bytes each round) x {rounds}: {:.0} releases/s, {:.2} MB/s (checksum {found})",
        texts.len(),
        bytes,
        releases / secs,
        (bytes * rounds) as f64 / secs / 1e6
    );
}
