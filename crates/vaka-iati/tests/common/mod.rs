//! Helpers shared by the integration tests: where the shared data lives and
//! how to read a whole file through the public API.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::path::{Path, PathBuf};

use vaka_iati::{ActivityReader, DatasetHeader, Diagnostic, ParsedActivity, ReadError};

/// `../shared/data` next to the repository, or `$VAKA_SHARED_DATA`.
pub fn shared_data() -> PathBuf {
    match std::env::var_os("VAKA_SHARED_DATA") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

pub fn data(rel: &str) -> PathBuf {
    shared_data().join(rel)
}

/// Everything a reader produced for one input.
#[derive(Debug)]
pub struct Read_ {
    pub header: Option<DatasetHeader>,
    pub activities: Vec<ParsedActivity>,
    pub file_diagnostics: Vec<Diagnostic>,
    pub error: Option<ReadError>,
}

impl Read_ {
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }

    pub fn all_diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.file_diagnostics
            .iter()
            .chain(self.activities.iter().flat_map(|a| a.diagnostics.iter()))
    }

    pub fn activity(&self, id: &str) -> &ParsedActivity {
        self.activities
            .iter()
            .find(|a| a.activity.identifier == id)
            .unwrap_or_else(|| panic!("no activity {id}"))
    }
}

fn drain(opened: Result<ActivityReader, ReadError>) -> Read_ {
    let mut r = match opened {
        Ok(r) => r,
        Err(e) => {
            return Read_ {
                header: None,
                activities: vec![],
                file_diagnostics: vec![],
                error: Some(e),
            };
        }
    };
    let header = Some(r.header().clone());
    let mut file_diagnostics = r.take_file_diagnostics();
    let mut activities = Vec::new();
    let error = loop {
        match r.next_activity() {
            Ok(Some(a)) => activities.push(a),
            Ok(None) => break None,
            Err(e) => break Some(e),
        }
    };
    file_diagnostics.extend(r.take_file_diagnostics());
    Read_ {
        header,
        activities,
        file_diagnostics,
        error,
    }
}

pub fn read_path(path: &Path) -> Read_ {
    drain(ActivityReader::open(path))
}

pub fn read_bytes(bytes: Vec<u8>) -> Read_ {
    drain(ActivityReader::from_reader(std::io::Cursor::new(bytes)))
}

pub fn read_from(r: impl Read + Send + 'static) -> Read_ {
    drain(ActivityReader::from_reader(r))
}

/// All files under `dir` (recursively) with extension `ext`, sorted.
pub fn files_under(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
