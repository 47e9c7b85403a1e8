//! The one error type of this crate: a release whose front matter cannot be read.
//!
//! Every error names the line in the file (1-based, counting the opening `---` as
//! line 1 when the file starts with it) and, when it is about one field, that
//! field. This module must not decide *whether* something is an error; the
//! front-matter reader does that.

use thiserror::Error;

/// What went wrong, for callers that branch on it (the message is for people).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file does not start with a `---` line.
    MissingOpeningFence,
    /// The front matter is opened but never closed by a `---` line.
    UnclosedFrontMatter,
    /// The YAML between the fences does not parse.
    Syntax,
    /// The front matter is valid YAML but not a mapping of field names to values.
    NotAMapping,
    /// The same field is given twice.
    DuplicateField,
    /// A required field is absent (or empty).
    MissingField,
    /// A field has the wrong shape (a list where a string is expected, …).
    WrongType,
    /// `date` is not a real `YYYY-MM-DD` calendar date.
    InvalidDate,
    /// `url` is not an absolute `http`/`https` URL.
    InvalidUrl,
}

/// A release that cannot be parsed, with the place and the fix.
///
/// Display: `front matter line 3: `date`: `2019-13-40` is not a valid date (expected YYYY-MM-DD)`.
/// The file name is kept in [`AnnounceError::source_name`] and left out of the
/// message so callers can prefix it the way their layer reports files.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("front matter line {line}: {}{message}", field_prefix(.field))]
pub struct AnnounceError {
    /// The name the caller gave the text (usually its file name).
    pub source_name: String,
    /// The field concerned, when the fault is about one field.
    pub field: Option<String>,
    /// 1-based line in the file.
    pub line: usize,
    /// What kind of fault this is.
    pub kind: ErrorKind,
    /// What is wrong and how to fix it.
    pub message: String,
}

fn field_prefix(field: &Option<String>) -> String {
    match field {
        Some(f) => format!("`{f}`: "),
        None => String::new(),
    }
}

impl AnnounceError {
    pub(crate) fn new(
        source_name: &str,
        kind: ErrorKind,
        field: Option<&str>,
        line: usize,
        message: impl Into<String>,
    ) -> Self {
        Self {
            source_name: source_name.to_owned(),
            field: field.map(str::to_owned),
            line,
            kind,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_line_and_field() {
        let e = AnnounceError::new(
            "x.md",
            ErrorKind::InvalidDate,
            Some("date"),
            3,
            "`2019-13-40` is not a valid date (expected YYYY-MM-DD)",
        );
        assert_eq!(
            e.to_string(),
            "front matter line 3: `date`: `2019-13-40` is not a valid date (expected YYYY-MM-DD)"
        );
        let e = AnnounceError::new("x.md", ErrorKind::Syntax, None, 4, "bad YAML");
        assert_eq!(e.to_string(), "front matter line 4: bad YAML");
    }
}
