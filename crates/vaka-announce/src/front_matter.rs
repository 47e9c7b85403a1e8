//! Front matter: the YAML block between `---` fences at the top of a release.
//!
//! [`split`] finds the fences; [`read_fields`] parses the YAML with
//! `yaml-rust2`'s event parser (which reports positions) into a small tree that
//! remembers the file line of every key and value, then checks each known field.
//! Errors always carry the file line and the field.
//!
//! This module must not look at the Markdown body, and never guesses a value it
//! could not read: a malformed field is an error, not a default.

use std::collections::BTreeMap;

use serde_json::Value as Json;
use time::{Date, Month};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

use crate::error::{AnnounceError, ErrorKind};
use crate::names::split_honorifics;
use crate::release::Minister;

/// Deeper nesting than this is refused: release front matter is flat, and the
/// limit keeps hostile input from exhausting memory.
const MAX_DEPTH: usize = 32;

/// The text of a release cut at its fences.
#[derive(Debug)]
pub(crate) struct Parts<'a> {
    /// The YAML between the fences (lines joined with `\n`).
    pub yaml: String,
    /// File line (1-based) of the opening fence; YAML line `k` is file line `open_line + k`.
    pub open_line: usize,
    /// File line of the closing fence.
    pub close_line: usize,
    /// The Markdown after the closing fence.
    pub body: &'a str,
    /// File line on which the body starts.
    pub body_line: usize,
}

/// Find the front-matter fences in `text` (already normalised to `\n` line ends).
pub(crate) fn split<'a>(source: &str, text: &'a str) -> Result<Parts<'a>, AnnounceError> {
    let mut offset = 0usize;
    let mut open_line = None;
    let mut yaml_lines: Vec<&str> = Vec::new();
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let n = i + 1;
        let content = line.trim_end();
        offset += line.len();
        match open_line {
            None if content.is_empty() => {}
            None if content == "---" => open_line = Some(n),
            None => {
                return Err(AnnounceError::new(
                    source,
                    ErrorKind::MissingOpeningFence,
                    None,
                    n,
                    "a release must start with a `---` line that opens the front matter \
                     (title, date, url, ministers, portfolios)",
                ));
            }
            Some(open) if content == "---" || content == "..." => {
                return Ok(Parts {
                    yaml: yaml_lines.join("\n"),
                    open_line: open,
                    close_line: n,
                    body: &text[offset..],
                    body_line: n + 1,
                });
            }
            Some(_) => yaml_lines.push(content),
        }
    }
    Err(match open_line {
        Some(open) => AnnounceError::new(
            source,
            ErrorKind::UnclosedFrontMatter,
            None,
            open,
            format!(
                "the front matter opened here is never closed; add a `---` line after its last \
                 field (the file has {} lines)",
                text.lines().count()
            ),
        ),
        None => AnnounceError::new(
            source,
            ErrorKind::MissingOpeningFence,
            None,
            1,
            "the text is empty; a release starts with a `---` front matter block",
        ),
    })
}

/// One YAML node with the file line it starts on.
#[derive(Debug, Clone)]
enum Node {
    Scalar {
        value: String,
        quoted: bool,
        line: usize,
    },
    Seq {
        items: Vec<Node>,
        line: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        line: usize,
    },
    /// An alias (`*name`); anchors are not resolved in front matter.
    Alias {
        line: usize,
    },
}

impl Node {
    fn line(&self) -> usize {
        match self {
            Node::Scalar { line, .. }
            | Node::Seq { line, .. }
            | Node::Map { line, .. }
            | Node::Alias { line } => *line,
        }
    }

    fn shape(&self) -> &'static str {
        match self {
            Node::Scalar { .. } if self.is_null() => "nothing",
            Node::Scalar { .. } => "a single value",
            Node::Seq { .. } => "a list",
            Node::Map { .. } => "a mapping",
            Node::Alias { .. } => "an alias",
        }
    }

    fn is_null(&self) -> bool {
        matches!(self, Node::Scalar { value, quoted: false, .. }
            if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The node as JSON, for fields this crate does not know (kept verbatim).
    fn to_json(&self) -> Json {
        match self {
            Node::Scalar { .. } if self.is_null() => Json::Null,
            Node::Scalar {
                value,
                quoted: true,
                ..
            } => Json::String(value.clone()),
            Node::Scalar { value, .. } => plain_scalar_json(value),
            Node::Seq { items, .. } => Json::Array(items.iter().map(Node::to_json).collect()),
            Node::Map { entries, .. } => Json::Object(
                entries
                    .iter()
                    .map(|(k, v)| (key_text(k), v.to_json()))
                    .collect(),
            ),
            Node::Alias { .. } => Json::Null,
        }
    }
}

fn key_text(k: &Node) -> String {
    match k {
        Node::Scalar { value, .. } => value.clone(),
        other => other.to_json().to_string(),
    }
}

/// YAML 1.2 core-schema typing of a plain scalar, for extra fields.
fn plain_scalar_json(s: &str) -> Json {
    match s {
        "true" | "True" | "TRUE" => return Json::Bool(true),
        "false" | "False" | "FALSE" => return Json::Bool(false),
        _ => {}
    }
    if let Ok(i) = s.parse::<i64>() {
        return Json::from(i);
    }
    if s.bytes().any(|b| b.is_ascii_digit())
        && let Ok(f) = s.parse::<f64>()
        && f.is_finite()
        && let Some(n) = serde_json::Number::from_f64(f)
    {
        return Json::Number(n);
    }
    Json::String(s.to_owned())
}

enum Frame {
    Seq {
        items: Vec<Node>,
        line: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        line: usize,
    },
}

/// Parse the YAML of `parts` into a tree (None when the block is empty).
fn parse_tree(source: &str, parts: &Parts<'_>) -> Result<Option<Node>, AnnounceError> {
    let file_line = |yaml_line: usize| parts.open_line + yaml_line.max(1);
    let mut parser = Parser::new_from_str(&parts.yaml);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let (event, mark) = parser.next_token().map_err(|e| {
            let field = field_at(&parts.yaml, e.marker().line());
            AnnounceError::new(
                source,
                ErrorKind::Syntax,
                field.as_deref(),
                file_line(e.marker().line()),
                format!(
                    "YAML syntax error: {} (column {}); check quoting, indentation and `- ` list markers",
                    e.info(),
                    e.marker().col() + 1
                ),
            )
        })?;
        let line = file_line(mark.line());
        let finished = match event {
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => None,
            Event::Scalar(value, style, _, _) => Some(Node::Scalar {
                value,
                quoted: !matches!(style, TScalarStyle::Plain),
                line,
            }),
            Event::Alias(_) => Some(Node::Alias { line }),
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(AnnounceError::new(
                        source,
                        ErrorKind::Syntax,
                        None,
                        line,
                        format!("front matter is nested more than {MAX_DEPTH} levels deep"),
                    ));
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        items: Vec::new(),
                        line,
                    }
                } else {
                    Frame::Map {
                        entries: Vec::new(),
                        key: None,
                        line,
                    }
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq { items, line }) => Some(Node::Seq { items, line }),
                Some(Frame::Map { entries, line, .. }) => Some(Node::Map { entries, line }),
                None => None,
            },
        };
        if let Some(node) = finished {
            match stack.last_mut() {
                Some(Frame::Seq { items, .. }) => items.push(node),
                Some(Frame::Map { entries, key, .. }) => match key.take() {
                    Some(k) => entries.push((k, node)),
                    None => *key = Some(node),
                },
                // Only the first document counts; the fences allow just one.
                None if root.is_none() => root = Some(node),
                None => {}
            }
        }
    }
    Ok(root)
}

/// The top-level field whose entry covers YAML line `line` (1-based): the
/// nearest `name:` at column 0 on or above it. Used to name the field in a
/// syntax error.
fn field_at(yaml: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = yaml.lines().collect();
    let upto = line.clamp(1, lines.len().max(1));
    lines.get(..upto)?.iter().rev().find_map(|l| {
        let (name, _) = l.split_once(':')?;
        let ok = !name.is_empty()
            && name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        ok.then(|| name.to_owned())
    })
}

/// The known fields of a release's front matter, checked.
#[derive(Debug)]
pub(crate) struct Fields {
    pub title: String,
    pub date: Date,
    pub url: String,
    pub ministers: Vec<Minister>,
    pub extra: BTreeMap<String, Json>,
}

/// Parse and check the front matter of `parts`.
pub(crate) fn read_fields(source: &str, parts: &Parts<'_>) -> Result<Fields, AnnounceError> {
    let err = |kind, field: Option<&str>, line, msg: String| {
        AnnounceError::new(source, kind, field, line, msg)
    };
    let entries = match parse_tree(source, parts)? {
        None => Vec::new(),
        Some(n) if n.is_null() => Vec::new(),
        Some(Node::Map { entries, .. }) => entries,
        Some(other) => {
            return Err(err(
                ErrorKind::NotAMapping,
                None,
                other.line(),
                format!(
                    "front matter must be `field: value` lines, found {}",
                    other.shape()
                ),
            ));
        }
    };

    let mut fields: BTreeMap<String, (usize, Node)> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (k, v) in entries {
        let (name, key_line) = match &k {
            Node::Scalar { value, line, .. } if !k.is_null() => (value.clone(), *line),
            other => {
                return Err(err(
                    ErrorKind::NotAMapping,
                    None,
                    other.line(),
                    format!("a field name must be plain text, found {}", other.shape()),
                ));
            }
        };
        if let Some((first, _)) = fields.get(&name) {
            return Err(err(
                ErrorKind::DuplicateField,
                Some(&name),
                key_line,
                format!("given twice (first on line {first}); keep one"),
            ));
        }
        order.push(name.clone());
        fields.insert(name, (key_line, v));
    }

    let missing = |field: &str, hint: &str| {
        err(
            ErrorKind::MissingField,
            Some(field),
            parts.close_line,
            format!("required field is missing; add `{field}: {hint}` before this closing `---`"),
        )
    };

    let title = match fields.remove("title") {
        None => return Err(missing("title", "\"…\"")),
        Some((line, node)) => {
            let t = scalar_text(source, "title", line, &node, "a string")?;
            if t.trim().is_empty() {
                return Err(err(
                    ErrorKind::MissingField,
                    Some("title"),
                    line,
                    "is empty; give the release's headline".into(),
                ));
            }
            t.trim().to_owned()
        }
    };
    let date = match fields.remove("date") {
        None => return Err(missing("date", "YYYY-MM-DD")),
        Some((line, node)) => {
            let raw = scalar_text(source, "date", line, &node, "a date (YYYY-MM-DD)")?;
            parse_iso_date(raw.trim()).ok_or_else(|| {
                err(
                    ErrorKind::InvalidDate,
                    Some("date"),
                    node.line(),
                    format!("`{raw}` is not a valid date (expected YYYY-MM-DD)"),
                )
            })?
        }
    };
    let url = match fields.remove("url") {
        None => return Err(missing("url", "https://…")),
        Some((line, node)) => {
            let raw = scalar_text(source, "url", line, &node, "a URL")?;
            check_url(raw.trim()).map_err(|why| {
                err(
                    ErrorKind::InvalidUrl,
                    Some("url"),
                    node.line(),
                    format!("`{raw}` is not an http(s) URL: {why}"),
                )
            })?;
            raw.trim().to_owned()
        }
    };
    let mut ministers = match fields.remove("ministers") {
        None => Vec::new(),
        Some((line, node)) => read_ministers(source, line, &node)?,
    };
    let portfolios = match fields.remove("portfolios") {
        None => Vec::new(),
        Some((line, node)) => string_list(source, "portfolios", line, &node)?,
    };
    if !portfolios.is_empty() {
        // The founding format lists portfolios once for the release; they belong
        // to the first minister named (documented on `Release::ministers`).
        match ministers.first_mut() {
            Some(first) => first.portfolios.extend(portfolios),
            None => {
                let line = parts.close_line;
                return Err(err(
                    ErrorKind::MissingField,
                    Some("ministers"),
                    line,
                    "`portfolios` is given but no minister is listed; add `ministers:` with the \
                     minister who holds them"
                        .into(),
                ));
            }
        }
    }

    let extra = order
        .into_iter()
        .filter_map(|name| fields.remove(&name).map(|(_, n)| (name, n.to_json())))
        .collect();
    Ok(Fields {
        title,
        date,
        url,
        ministers,
        extra,
    })
}

fn scalar_text(
    source: &str,
    field: &str,
    key_line: usize,
    node: &Node,
    expected: &str,
) -> Result<String, AnnounceError> {
    match node {
        Node::Scalar { value, .. } if !node.is_null() => Ok(value.clone()),
        Node::Scalar { .. } => Err(AnnounceError::new(
            source,
            ErrorKind::MissingField,
            Some(field),
            key_line,
            format!("has no value; expected {expected}"),
        )),
        other => Err(AnnounceError::new(
            source,
            ErrorKind::WrongType,
            Some(field),
            key_line,
            format!("expected {expected}, found {}", other.shape()),
        )),
    }
}

/// A list of non-empty strings (`- item` lines or `[a, b]`). `field:` with no
/// value is an empty list.
fn string_list(
    source: &str,
    field: &str,
    key_line: usize,
    node: &Node,
) -> Result<Vec<String>, AnnounceError> {
    let items = match node {
        Node::Seq { items, .. } => items,
        n if n.is_null() => return Ok(Vec::new()),
        other => {
            return Err(AnnounceError::new(
                source,
                ErrorKind::WrongType,
                Some(field),
                key_line,
                format!(
                    "expected a list (one `- item` per line), found {}",
                    other.shape()
                ),
            ));
        }
    };
    items
        .iter()
        .map(|item| {
            let s = scalar_text(source, field, item.line(), item, "text for each list item")?;
            let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
            if s.is_empty() {
                return Err(AnnounceError::new(
                    source,
                    ErrorKind::MissingField,
                    Some(field),
                    item.line(),
                    "list item is empty",
                ));
            }
            Ok(s)
        })
        .collect()
}

/// `ministers`: a list whose items are names (`- Rt Hon Winston Peters`) or
/// mappings with their own portfolios (`- name: …` / `  portfolios: [...]`).
fn read_ministers(
    source: &str,
    key_line: usize,
    node: &Node,
) -> Result<Vec<Minister>, AnnounceError> {
    let items = match node {
        Node::Seq { items, .. } => items,
        n if n.is_null() => return Ok(Vec::new()),
        other => {
            return Err(AnnounceError::new(
                source,
                ErrorKind::WrongType,
                Some("ministers"),
                key_line,
                format!(
                    "expected a list of names (one `- name` per line), found {}",
                    other.shape()
                ),
            ));
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let (written, portfolios) = match item {
            Node::Map { entries, line } => {
                let mut name = None;
                let mut portfolios = Vec::new();
                for (k, v) in entries {
                    match key_text(k).as_str() {
                        "name" => {
                            name = Some(scalar_text(source, "ministers", v.line(), v, "a name")?)
                        }
                        "portfolios" => {
                            portfolios = string_list(source, "ministers", v.line(), v)?;
                        }
                        _ => {}
                    }
                }
                let Some(name) = name else {
                    return Err(AnnounceError::new(
                        source,
                        ErrorKind::MissingField,
                        Some("ministers"),
                        *line,
                        "a minister given as a mapping needs a `name:`",
                    ));
                };
                (name, portfolios)
            }
            other => (
                scalar_text(source, "ministers", other.line(), other, "a name")?,
                Vec::new(),
            ),
        };
        let split = split_honorifics(&written);
        if split.name.is_empty() {
            return Err(AnnounceError::new(
                source,
                ErrorKind::MissingField,
                Some("ministers"),
                item.line(),
                "list item is empty; give the minister's name",
            ));
        }
        out.push(Minister {
            name: split.name,
            honorifics: split.honorifics,
            portfolios,
            written: written.split_whitespace().collect::<Vec<_>>().join(" "),
        });
    }
    Ok(out)
}

/// `YYYY-MM-DD`, a real calendar date.
pub(crate) fn parse_iso_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    let year: i32 = s.get(0..4)?.parse().ok()?;
    let month: u8 = s.get(5..7)?.parse().ok()?;
    let day: u8 = s.get(8..10)?.parse().ok()?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// An absolute `http`/`https` URL with a host.
fn check_url(s: &str) -> Result<(), &'static str> {
    let lower = s.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err("it must start with `https://` or `http://`");
    }
    if s.chars().any(char::is_whitespace) {
        return Err("it contains spaces");
    }
    let url = url::Url::parse(s).map_err(|_| "it does not parse as a URL")?;
    match url.host_str() {
        Some(h) if h.contains('.') || h == "localhost" => Ok(()),
        _ => Err("it has no host name"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_are_checked_against_the_calendar() {
        assert!(parse_iso_date("2019-10-31").is_some());
        assert!(parse_iso_date("2020-02-29").is_some());
        assert!(parse_iso_date("2019-02-29").is_none());
        assert!(parse_iso_date("2019-13-01").is_none());
        assert!(parse_iso_date("2019-1-01").is_none());
        assert!(parse_iso_date("31/10/2019").is_none());
    }

    #[test]
    fn urls_must_be_http_with_a_host() {
        assert!(check_url("https://www.beehive.govt.nz/release/x").is_ok());
        assert!(check_url("ftp://example.org/x").is_err());
        assert!(check_url("beehive.govt.nz/release").is_err());
        assert!(check_url("https://").is_err());
        assert!(check_url("https://exa mple.org").is_err());
    }

    #[test]
    fn yaml_lines_map_to_file_lines() {
        let text = "\n---\ntitle: x\n\ndate: [\n---\nbody";
        let parts = split("t", text).unwrap();
        assert_eq!(parts.open_line, 2);
        let e = read_fields("t", &parts).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Syntax);
        assert!(e.line >= 5, "{e}");
    }
}
