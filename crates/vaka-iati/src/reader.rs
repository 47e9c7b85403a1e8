//! The streaming reader: [`ActivityReader`] yields one [`ParsedActivity`] at a
//! time from an IATI activity file.
//!
//! Opening a reader reads up to the root element (and, for the IATI Datastore
//! `<result>` wrapper, up to the inner `<iati-activities>`), so the
//! [`DatasetHeader`] is known before the first activity. From then on memory
//! is bounded by the largest single activity.
//!
//! Two kinds of trouble, kept apart:
//! - a file that cannot be read as IATI at all (not XML, not well-formed,
//!   not an activity file, empty, undecodable) is a [`ReadError`]. It may show
//!   up only after some activities were returned (truncation, a bad tag near
//!   the end); callers that need all-or-nothing roll back;
//! - invalid *data* is a [`Diagnostic`] on the activity (or on the file, see
//!   [`ActivityReader::take_file_diagnostics`]) and never stops the reader.
//!
//! An unbound namespace prefix (`<foo:bar>` with no `xmlns:foo`) is fatal:
//! such a file is not namespace-well-formed, and its extension data cannot be
//! told apart from IATI elements.
//!
//! This module must not interpret activity content; see [`crate::extract`].

use std::fs::File;
use std::io::{BufRead, Read};
use std::path::Path;

use crate::cursor::{Cursor, Step};
use crate::input::{Decoded, Input, Sniffed, Source};
use crate::model::{Activity, DatasetHeader, IatiVersion};
use crate::tags::Tag;
use crate::{Diagnostic, DiagnosticKind, Severity, checks, codelists, extract, lexical};

/// One activity and what the reader found wrong in it.
#[derive(Debug, Clone)]
pub struct ParsedActivity {
    pub activity: Activity,
    pub diagnostics: Vec<Diagnostic>,
}

/// Why a whole file was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadErrorKind {
    /// The file could not be opened, read or decompressed.
    Io,
    /// Zero bytes, or only whitespace.
    Empty,
    /// Not XML at all: text, a spreadsheet or image renamed `.xml`, ….
    NotXml,
    /// XML that is not well-formed (or not namespace-well-formed).
    Malformed,
    /// Well-formed XML that is not an IATI activity file.
    NotIati,
    /// Bytes that cannot be decoded in the file's encoding, or an encoding
    /// Vaka does not support.
    Encoding,
}

/// A file that cannot be read as IATI at all. `Display` is one line: the
/// position when known, then the reason (the caller prefixes the file path).
#[derive(Debug, Clone, thiserror::Error)]
pub struct ReadError {
    pub kind: ReadErrorKind,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            (Some(l), None) => write!(f, "line {l}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl ReadError {
    fn at_start(kind: ReadErrorKind, message: impl Into<String>) -> Self {
        ReadError {
            kind,
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    /// `<iati-activities>`: activities are its children.
    Activities,
    /// `<result>` (IATI Datastore API output): activities anywhere inside.
    ResultWrapper,
    /// A lone `<iati-activity>` as the root (seen in old test fixtures and exports).
    Bare,
}

/// Streams activities out of one IATI file.
///
/// ```no_run
/// # fn main() -> Result<(), vaka_iati::ReadError> {
/// let mut reader = vaka_iati::ActivityReader::open("Tonga_projects.xml".as_ref())?;
/// while let Some(parsed) = reader.next_activity()? {
///     println!("{} ({} findings)", parsed.activity.identifier, parsed.diagnostics.len());
/// }
/// for d in reader.take_file_diagnostics() {
///     println!("{d}");
/// }
/// # Ok(()) }
/// ```
pub struct ActivityReader {
    cursor: Cursor,
    header: DatasetHeader,
    file_diagnostics: Vec<Diagnostic>,
    root: Root,
    /// The start tag of an `iati-activity` was read while opening.
    pending: bool,
    header_from_wrapper: bool,
    done: bool,
    failed: Option<ReadError>,
    fallback_reported: bool,
}

impl std::fmt::Debug for ActivityReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActivityReader")
            .field("header", &self.header)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl ActivityReader {
    /// Open a `.xml` or `.xml.gz` file (gzip is recognised by its content, not its name).
    pub fn open(path: &Path) -> Result<Self, ReadError> {
        let file = File::open(path).map_err(|e| {
            ReadError::at_start(ReadErrorKind::Io, format!("cannot open the file: {e}"))
        })?;
        Self::from_reader(file)
    }

    /// Read from any byte stream (plain or gzip-compressed XML).
    pub fn from_reader(input: impl Read + Send + 'static) -> Result<Self, ReadError> {
        let source = Source::new(Box::new(input)).map_err(|e| {
            ReadError::at_start(ReadErrorKind::Io, format!("cannot read the file: {e}"))
        })?;
        let gzipped = source.is_gzip();
        let decoded = Decoded::new(source).map_err(|e| {
            let what = if gzipped {
                "cannot decompress the gzip file"
            } else {
                "cannot read the file"
            };
            ReadError::at_start(ReadErrorKind::Io, format!("{what}: {e}"))
        })?;
        if decoded.source_was_empty() {
            return Err(ReadError::at_start(
                ReadErrorKind::Empty,
                "the file is empty (0 bytes)",
            ));
        }
        let note = match decoded.sniffed() {
            Sniffed::Unsupported(why) => {
                return Err(ReadError {
                    kind: ReadErrorKind::Encoding,
                    line: Some(1),
                    column: Some(1),
                    message: why.clone(),
                });
            }
            Sniffed::Text { note, .. } => note.clone(),
        };
        let mut input = Input::new(decoded);
        skip_leading_space(&mut input)?;

        let cursor = Cursor::new(input);
        let header = DatasetHeader {
            encoding: cursor.input().decoded().encoding().to_owned(),
            gzipped,
            ..DatasetHeader::default()
        };
        let mut reader = ActivityReader {
            cursor,
            header,
            file_diagnostics: Vec::new(),
            root: Root::Activities,
            pending: false,
            header_from_wrapper: false,
            done: false,
            failed: None,
            fallback_reported: false,
        };
        if let Some(note) = note {
            reader.file_diag(
                Severity::Warning,
                DiagnosticKind::Structure,
                1,
                "encoding",
                note,
            );
        }
        reader.read_root()?;
        Ok(reader)
    }

    /// Facts from the root element; filled by the time `open` returns.
    pub fn header(&self) -> &DatasetHeader {
        &self.header
    }

    /// Findings about the file rather than one activity (missing or unknown
    /// version, encoding notes, unexpected elements between activities).
    /// Most are known once the reader is open; call again after the last
    /// activity to collect any found on the way.
    pub fn take_file_diagnostics(&mut self) -> Vec<Diagnostic> {
        self.note_encoding_fallback();
        std::mem::take(&mut self.file_diagnostics)
    }

    /// The next activity, `Ok(None)` at the end of the file. After an error
    /// every further call returns the same error.
    pub fn next_activity(&mut self) -> Result<Option<ParsedActivity>, ReadError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.done {
            return Ok(None);
        }
        match self.find_and_read() {
            Ok(r) => Ok(r),
            Err(e) => {
                tracing::debug!(error = %e, "IATI file rejected");
                self.failed = Some(e.clone());
                Err(e)
            }
        }
    }

    /// Raw input bytes consumed so far (compressed bytes for gzip), for progress bars.
    pub fn bytes_consumed(&self) -> u64 {
        self.cursor.input().decoded().source().raw_bytes()
    }

    fn file_diag(
        &mut self,
        severity: Severity,
        kind: DiagnosticKind,
        line: u64,
        path: &str,
        message: String,
    ) {
        self.file_diagnostics.push(Diagnostic {
            severity,
            kind,
            activity: None,
            line,
            path: path.to_owned(),
            message,
        });
    }

    fn note_encoding_fallback(&mut self) {
        if !self.fallback_reported && self.cursor.input().decoded().fell_back_to_windows_1252() {
            self.fallback_reported = true;
            self.header.encoding = "windows-1252".to_owned();
            self.file_diag(
                Severity::Warning,
                DiagnosticKind::Structure,
                1,
                "encoding",
                "the file declares no encoding and is not UTF-8; it was read as windows-1252. Declare the encoding in the XML declaration".to_owned(),
            );
        }
    }

    /// Read up to the root element and fill the header.
    fn read_root(&mut self) -> Result<(), ReadError> {
        let tag = match self.cursor.step()? {
            Step::Start(tag) => tag,
            // Not reachable: the cursor reports a missing root itself.
            Step::End | Step::Eof => {
                return Err(ReadError::at_start(
                    ReadErrorKind::Malformed,
                    "there is no root element",
                ));
            }
        };
        let line = self.cursor.line();
        match tag {
            Tag::IatiActivities => {
                self.root = Root::Activities;
                self.read_header_attrs();
                Ok(())
            }
            Tag::Result => {
                self.root = Root::ResultWrapper;
                self.header.version = IatiVersion::PreV1;
                // Look ahead for the inner <iati-activities> that carries the version.
                loop {
                    match self.cursor.step()? {
                        Step::Start(Tag::IatiActivities) => {
                            self.header_from_wrapper = true;
                            self.read_header_attrs();
                            return Ok(());
                        }
                        Step::Start(Tag::IatiActivity) => {
                            self.read_header_attrs_absent();
                            self.pending = true;
                            return Ok(());
                        }
                        Step::Start(_) | Step::End => {}
                        Step::Eof => {
                            self.read_header_attrs_absent();
                            self.done = true;
                            return Ok(());
                        }
                    }
                }
            }
            Tag::IatiOrganisations | Tag::IatiOrganisation => Err(self.not_iati(
                line,
                "this is an IATI organisation file (`<iati-organisations>`), not an activity file"
                    .to_owned(),
            )),
            Tag::IatiActivity => {
                self.root = Root::Bare;
                self.read_header_attrs_absent();
                self.file_diag(
                    Severity::Warning,
                    DiagnosticKind::Structure,
                    line,
                    "iati-activity",
                    "the root element is a single `<iati-activity>`; IATI files wrap activities in `<iati-activities version=\"…\">`".to_owned(),
                );
                self.pending = true;
                Ok(())
            }
            _ => {
                let name = self.cursor.name().to_owned();
                Err(self.not_iati(
                    line,
                    format!("not an IATI activity file: the root element is `<{name}>`, expected `<iati-activities>`"),
                ))
            }
        }
    }

    /// A file that is neither IATI nor well-formed is reported as malformed:
    /// read it to the end before saying it is not IATI.
    fn not_iati(&mut self, line: u64, message: String) -> ReadError {
        match self.scan_to_end() {
            Ok(()) => ReadError {
                kind: ReadErrorKind::NotIati,
                line: Some(line),
                column: None,
                message,
            },
            Err(e) => e,
        }
    }

    /// Walk the rest of the document for well-formedness only.
    fn scan_to_end(&mut self) -> Result<(), ReadError> {
        loop {
            if self.cursor.step()? == Step::Eof {
                return Ok(());
            }
        }
    }

    /// `@version`, `@generated-datetime`, `@linked-data-default` of the current element.
    fn read_header_attrs(&mut self) {
        let line = self.cursor.line();
        let declared = self.cursor.attr("version").map(str::to_owned);
        self.header.declared_version = declared.clone();
        self.header.version = match declared.as_deref().map(str::trim) {
            Some(v) if !v.is_empty() => match IatiVersion::from_declared(v) {
                Some(known) => {
                    if known == IatiVersion::PreV1 {
                        self.file_diag(
                            Severity::Warning,
                            DiagnosticKind::Version,
                            line,
                            "iati-activities/@version",
                            format!("version `{v}` is a pre-1.01 draft of the standard; it was read leniently"),
                        );
                    } else if !codelists::contains("Version", v) {
                        tracing::debug!(version = v, "version not in the Version codelist");
                    }
                    known
                }
                None => {
                    self.file_diag(
                        Severity::Error,
                        DiagnosticKind::Version,
                        line,
                        "iati-activities/@version",
                        format!("`{v}` is not an IATI version (1.01–1.05, 2.01–2.03); the file was read as 2.03"),
                    );
                    IatiVersion::V2_03
                }
            },
            _ => {
                self.read_header_attrs_absent();
                IatiVersion::PreV1
            }
        };
        self.cursor.set_version(self.header.version);
        if let Some(raw) = self.cursor.attr("generated-datetime").map(str::to_owned) {
            match lexical::check_datetime(&raw) {
                Ok(dt) => self.header.generated_datetime = Some(dt.to_owned()),
                Err(why) => self.file_diag(
                    Severity::Error,
                    DiagnosticKind::InvalidDate,
                    line,
                    "iati-activities/@generated-datetime",
                    format!("`{raw}` is not {why}"),
                ),
            }
        }
        self.header.linked_data_default = self
            .cursor
            .attr("linked-data-default")
            .filter(|v| !v.is_empty())
            .map(str::to_owned);
    }

    fn read_header_attrs_absent(&mut self) {
        let line = self.cursor.line();
        self.header.version = IatiVersion::PreV1;
        self.cursor.set_version(IatiVersion::PreV1);
        self.file_diag(
            Severity::Error,
            DiagnosticKind::Version,
            line,
            "iati-activities/@version",
            "the file declares no IATI version (`iati-activities/@version`, required since 1.01); it was read as a pre-1.01 draft".to_owned(),
        );
    }

    fn find_and_read(&mut self) -> Result<Option<ParsedActivity>, ReadError> {
        loop {
            if self.pending {
                self.pending = false;
                return self.read_activity().map(Some);
            }
            match self.cursor.step()? {
                Step::Start(Tag::IatiActivity)
                    if self.root == Root::ResultWrapper || self.cursor.depth() == 2 =>
                {
                    return self.read_activity().map(Some);
                }
                Step::Start(tag) => match self.root {
                    Root::Activities | Root::Bare => {
                        if !self.header.version.is_v1() && !self.cursor.is_foreign() {
                            let line = self.cursor.line();
                            let name = self.cursor.name().to_owned();
                            self.file_diag(
                                Severity::Error,
                                DiagnosticKind::Structure,
                                line,
                                &format!("iati-activities/{name}"),
                                format!("`{name}` is not allowed in `iati-activities` (extensions must use their own XML namespace); it was skipped"),
                            );
                        }
                        self.cursor.skip()?;
                    }
                    Root::ResultWrapper => {
                        if tag == Tag::IatiActivities && !self.header_from_wrapper {
                            self.header_from_wrapper = true;
                            self.read_header_attrs();
                        }
                    }
                },
                Step::End => {}
                Step::Eof => {
                    self.done = true;
                    self.note_encoding_fallback();
                    return Ok(None);
                }
            }
        }
    }

    fn read_activity(&mut self) -> Result<ParsedActivity, ReadError> {
        self.cursor.diags.clear();
        self.cursor.begin_activity();
        let (activity, seen) = extract::activity(&mut self.cursor)?;
        checks::activity(&mut self.cursor, &activity, &seen);
        self.cursor.end_activity();
        let mut diagnostics = std::mem::take(&mut self.cursor.diags);
        // The schema walk and the extractor may report the same fault.
        diagnostics.sort_by(|a, b| (a.line, &a.path, a.kind).cmp(&(b.line, &b.path, b.kind)));
        diagnostics.dedup_by(|a, b| a.line == b.line && a.path == b.path && a.kind == b.kind);
        let id = (!activity.identifier.is_empty()).then(|| activity.identifier.clone());
        for d in &mut diagnostics {
            d.activity.clone_from(&id);
        }
        self.cursor.shrink_buffers();
        self.note_encoding_fallback();
        Ok(ParsedActivity {
            activity,
            diagnostics,
        })
    }
}

/// Skip byte-order marks and whitespace before the first markup, and reject
/// what is empty or plainly not XML.
fn skip_leading_space(input: &mut Input) -> Result<(), ReadError> {
    loop {
        let chunk = match input.fill_buf() {
            Ok(c) => c,
            Err(e) => return Err(io_to_read_error(&e, input.position())),
        };
        if chunk.is_empty() {
            return Err(ReadError::at_start(
                ReadErrorKind::Empty,
                "the file contains only whitespace",
            ));
        }
        if chunk.starts_with(&[0xEF, 0xBB, 0xBF]) {
            input.consume(3);
            continue;
        }
        let ws = chunk
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .count();
        if ws > 0 {
            input.consume(ws);
            continue;
        }
        if chunk[0] == b'<' {
            return Ok(());
        }
        let shown: String = String::from_utf8_lossy(&chunk[..chunk.len().min(12)])
            .chars()
            .map(|c| if c.is_control() { '.' } else { c })
            .collect();
        let pos = input.position();
        return Err(ReadError {
            kind: ReadErrorKind::NotXml,
            line: Some(pos.line),
            column: Some(pos.column),
            message: format!(
                "not XML: the file starts with `{shown}` instead of `<` (is it a spreadsheet, image or text file?)"
            ),
        });
    }
}

fn io_to_read_error(e: &std::io::Error, pos: crate::input::Position) -> ReadError {
    let decode = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<crate::input::DecodeError>());
    let (kind, message) = match decode {
        Some(d) => (ReadErrorKind::Encoding, format!("the text contains {d}")),
        None => (ReadErrorKind::Io, format!("cannot read the file: {e}")),
    };
    ReadError {
        kind,
        line: Some(pos.line),
        column: Some(pos.column),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>() {}

    #[test]
    fn reader_is_send() {
        assert_send::<ActivityReader>();
    }

    #[test]
    fn display_is_one_line_with_position() {
        let e = ReadError {
            kind: ReadErrorKind::Malformed,
            line: Some(4),
            column: Some(3),
            message: "bad".into(),
        };
        assert_eq!(e.to_string(), "line 4, column 3: bad");
    }
}
