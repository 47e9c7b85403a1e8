//! A parsed release: checked front matter plus the body as paragraphs and sentences.
//!
//! [`parse`] normalises line endings and trailing whitespace first, so a file
//! saved with CRLF or stray trailing spaces parses to the same [`Release`].
//! This module must not extract anything from the text.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::body::{self, Sentence};
use crate::error::AnnounceError;
use crate::front_matter;

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// A minister named in the front matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Minister {
    /// The name without honorifics (`"Winston Peters"`).
    pub name: String,
    /// Honorifics removed from the written name, in order (`["Rt Hon"]`).
    pub honorifics: Vec<String>,
    /// Portfolios held (`["Deputy Prime Minister", "Foreign Affairs"]`).
    pub portfolios: Vec<String>,
    /// The entry as written, whitespace collapsed (`"Rt Hon Winston Peters"`).
    pub written: String,
}

/// Where a finding was made: the title or one body sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// The release's title.
    Title,
    /// Body sentence `n` (index into [`Release::sentences`]).
    Sentence(usize),
}

/// One ministerial release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// The name the caller gave the text (usually the file name).
    pub source_name: String,
    /// Headline (`title`).
    pub title: String,
    /// Release date (`date`), serialised as `YYYY-MM-DD`.
    #[serde(with = "iso_date")]
    pub date: Date,
    /// Canonical URL (`url`), as written.
    pub url: String,
    /// Ministers (`ministers`). A single `portfolios` list in the front matter
    /// belongs to the *first* minister: that is how the founding document reads
    /// (one minister, his portfolios). Ministers given as mappings
    /// (`- name: …` with their own `portfolios:`) keep their own lists.
    pub ministers: Vec<Minister>,
    /// Front-matter fields this crate does not know, kept as JSON values.
    pub extra: BTreeMap<String, serde_json::Value>,
    /// The Markdown body as written (line endings normalised).
    pub body: String,
    /// File line on which the body starts.
    pub body_line: usize,
    /// The body as plain-text paragraphs.
    pub paragraphs: Vec<String>,
    /// The body as sentences, in order.
    pub sentences: Vec<Sentence>,
}

impl Release {
    /// The host of [`Release::url`], lower-cased.
    pub fn host(&self) -> Option<String> {
        url::Url::parse(&self.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
    }

    /// The text at `loc`: the title or a body sentence.
    pub fn text_at(&self, loc: Location) -> Option<&str> {
        match loc {
            Location::Title => Some(&self.title),
            Location::Sentence(i) => self.sentences.get(i).map(|s| s.text.as_str()),
        }
    }
}

/// Normalise line endings to `\n`, drop a BOM and trailing whitespace on every line.
/// Markdown hard breaks (two trailing spaces) become soft breaks, which the body
/// reader turns into spaces anyway.
pub(crate) fn normalise(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(unified.len());
    for line in unified.split('\n') {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

/// Parse a release: YAML front matter between `---` fences, then a Markdown body.
///
/// `source_name` names the text in errors (usually the file name).
///
/// # Errors
/// [`AnnounceError`] naming the line and field when the fences are missing, the
/// YAML does not parse, or a required field (`title`, `date`, `url`) is missing
/// or malformed, or `ministers`/`portfolios` are not lists.
pub fn parse(source_name: &str, text: &str) -> Result<Release, AnnounceError> {
    let text = normalise(text);
    let parts = front_matter::split(source_name, &text)?;
    let fields = front_matter::read_fields(source_name, &parts)?;
    let paragraphs = body::paragraphs(parts.body);
    let sentences = paragraphs
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            body::sentences(p)
                .into_iter()
                .map(move |text| Sentence { paragraph: i, text })
        })
        .collect();
    tracing::debug!(
        source = source_name,
        title = %fields.title,
        paragraphs = paragraphs.len(),
        "parsed release"
    );
    Ok(Release {
        source_name: source_name.to_owned(),
        title: fields.title,
        date: fields.date,
        url: fields.url,
        ministers: fields.ministers,
        extra: fields.extra,
        body: parts.body.trim_matches('\n').to_owned(),
        body_line: parts.body_line,
        paragraphs,
        sentences,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_unifies_line_ends_and_trailing_space() {
        assert_eq!(normalise("\u{feff}a  \r\nb\t\rc\n\n\n"), "a\nb\nc\n");
        assert_eq!(normalise("a\nb"), normalise("a \r\nb \r\n"));
    }
}
