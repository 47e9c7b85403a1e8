//! Shared test helpers: where the shared data lives.

use std::path::PathBuf;

/// `../shared/data` relative to the repository root, or `$VAKA_SHARED_DATA`.
pub fn shared_data() -> PathBuf {
    match std::env::var_os("VAKA_SHARED_DATA") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

pub fn read_shared(rel: &str) -> String {
    let p = shared_data().join(rel);
    std::fs::read_to_string(&p)
        .unwrap_or_else(|e| panic!("{}: {e} (set VAKA_SHARED_DATA)", p.display()))
}
