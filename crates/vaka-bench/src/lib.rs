//! Benchmark support for Vaka.
//!
//! - [`samples`] loads the real IATI 2.0x files the benchmarks run over: the
//!   bundled Pacific files (`data/iati/pacific`) and, when present, the shared
//!   2.0x files (`../shared/data/iati/activities/v2.0x`).
//! - [`bare_pass`] is the ceiling: a quick-xml event pass that builds nothing.
//!   [`reader_pass`] is the real thing, [`vaka_iati::ActivityReader`] to the end.
//! - [`corpus`] scales the samples to a corpus of any size for end-to-end runs
//!   (`vaka-corpus`), streaming it to disk.
//!
//! The binaries `vaka-corpus` and `vaka-xmlpass` and the criterion bench
//! `benches/reader.rs` are thin wrappers over this library. Nothing here is
//! used by the application itself.

pub mod corpus;

use std::io::BufRead;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// One sample file, held in memory.
#[derive(Debug, Clone)]
pub struct Sample {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The repository's `data/` folder.
pub fn repo_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

/// `../shared/data` next to the repository, or `$VAKA_SHARED_DATA`.
pub fn shared_data() -> PathBuf {
    match std::env::var_os("VAKA_SHARED_DATA") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

/// The folders whose `*.xml` files are the 2.0x samples (those that exist).
pub fn sample_dirs() -> Vec<PathBuf> {
    [
        repo_data().join("iati/pacific"),
        shared_data().join("iati/activities/v2.0x"),
    ]
    .into_iter()
    .filter(|d| d.is_dir())
    .collect()
}

/// Every `*.xml` file directly in `dir`, sorted by name.
pub fn xml_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    Ok(files)
}

/// Load the Pacific and 2.0x sample files.
pub fn samples() -> Result<Vec<Sample>> {
    let mut out = Vec::new();
    for dir in sample_dirs() {
        for path in xml_files(&dir)? {
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push(Sample { name, bytes });
        }
    }
    anyhow::ensure!(
        !out.is_empty(),
        "no sample files found under {}",
        repo_data().display()
    );
    Ok(out)
}

/// A quick-xml pass over every event, building nothing: the practical
/// ceiling for any reader. Returns the number of events.
pub fn bare_pass(input: impl BufRead) -> Result<u64> {
    let mut reader = quick_xml::Reader::from_reader(input);
    let mut buf = Vec::with_capacity(4096);
    let mut events = 0u64;
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf)? {
            quick_xml::events::Event::Eof => return Ok(events),
            _ => events += 1,
        }
    }
}

/// Read every activity with [`vaka_iati::ActivityReader`]. Returns the number
/// of activities and of diagnostics.
pub fn reader_pass(input: impl std::io::Read + Send + 'static) -> Result<(u64, u64)> {
    let mut reader = vaka_iati::ActivityReader::from_reader(input)?;
    let (mut activities, mut diagnostics) = (0u64, reader.take_file_diagnostics().len() as u64);
    while let Some(p) = reader.next_activity()? {
        activities += 1;
        diagnostics += p.diagnostics.len() as u64;
    }
    Ok((activities, diagnostics))
}

/// Parse a size such as `1GB`, `500MB`, `20MiB`, `64k` or `1048576` (bytes).
/// Decimal units (`kB`, `MB`, `GB`) are powers of 1000, binary ones (`KiB`,
/// `MiB`, `GiB`) powers of 1024; a bare `k`/`m`/`g` is decimal.
pub fn parse_size(text: &str) -> Result<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num: f64 = num
        .parse()
        .with_context(|| format!("`{text}` is not a size (try 1GB, 500MB, 64KiB)"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        other => anyhow::bail!(
            "unknown size unit `{other}` in `{text}` (use B, kB, MB, GB, KiB, MiB, GiB)"
        ),
    };
    let bytes = num * mult;
    anyhow::ensure!(
        bytes.is_finite() && bytes >= 1.0,
        "`{text}` is not a positive size"
    );
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1GB").unwrap(), 1_000_000_000);
        assert_eq!(parse_size("500MB").unwrap(), 500_000_000);
        assert_eq!(parse_size("20MiB").unwrap(), 20 * 1024 * 1024);
        assert_eq!(parse_size("1.5k").unwrap(), 1500);
        assert_eq!(parse_size("4096").unwrap(), 4096);
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5 parsecs").is_err());
        assert!(parse_size("0").is_err());
    }

    #[test]
    fn bare_and_reader_pass_agree_on_the_samples() {
        let samples = samples().unwrap();
        assert!(samples.len() >= 12);
        let tonga = samples.iter().find(|s| s.name.contains("Tonga")).unwrap();
        assert!(bare_pass(tonga.bytes.as_slice()).unwrap() > 1000);
        let (acts, _) = reader_pass(std::io::Cursor::new(tonga.bytes.clone())).unwrap();
        assert_eq!(acts, 4);
    }
}
