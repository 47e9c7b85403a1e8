//! Paths to test data: the shared data folder (`../shared/data` beside the
//! repository, or `VAKA_SHARED_DATA`), the repository's bundled `data/`, and
//! this crate's fixtures.

#![allow(dead_code)]

use std::path::PathBuf;

use vaka_announce::{Extraction, Lexicon, Release};

pub fn shared_data() -> PathBuf {
    match std::env::var_os("VAKA_SHARED_DATA") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

pub fn repo_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

pub fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub const FOUNDING: &str = "announcements/2019-10-31-nz-japan-joint-declaration.md";

pub fn founding_text() -> String {
    read(repo_data().join(FOUNDING))
}

pub fn fixture_text(name: &str) -> String {
    read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
}

pub fn parse_and_extract(name: &str, text: &str) -> (Release, Extraction) {
    let release = vaka_announce::parse(name, text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let ex = vaka_announce::extract(&release, &Lexicon::nz_japan_default());
    (release, ex)
}

pub fn ids(list: &[vaka_announce::Finding]) -> Vec<&str> {
    list.iter().map(|f| f.id.as_str()).collect()
}
