//! The streaming reader. (Implementation in progress.)

use std::io::Read;
use std::path::Path;

use crate::Diagnostic;
use crate::model::{Activity, DatasetHeader};

/// One activity and what the reader found wrong in it.
#[derive(Debug, Clone)]
pub struct ParsedActivity {
    pub activity: Activity,
    pub diagnostics: Vec<Diagnostic>,
}

/// Why a whole file was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadErrorKind {
    Io,
    Empty,
    NotXml,
    Malformed,
    NotIati,
    Encoding,
}

/// A file that cannot be read as IATI at all. `Display` is one line:
/// the reason and, where known, the position.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ReadError {
    pub kind: ReadErrorKind,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
}

/// Streams activities out of one IATI file.
pub struct ActivityReader {
    header: DatasetHeader,
}

impl ActivityReader {
    pub fn open(path: &Path) -> Result<Self, ReadError> {
        let _ = path;
        Err(ReadError {
            kind: ReadErrorKind::Io,
            line: None,
            column: None,
            message: "not implemented".into(),
        })
    }

    pub fn from_reader(input: impl Read + Send + 'static) -> Result<Self, ReadError> {
        let _ = input;
        Err(ReadError {
            kind: ReadErrorKind::Io,
            line: None,
            column: None,
            message: "not implemented".into(),
        })
    }

    pub fn header(&self) -> &DatasetHeader {
        &self.header
    }

    pub fn take_file_diagnostics(&mut self) -> Vec<Diagnostic> {
        Vec::new()
    }

    pub fn next_activity(&mut self) -> Result<Option<ParsedActivity>, ReadError> {
        Ok(None)
    }

    pub fn bytes_consumed(&self) -> u64 {
        0
    }
}
