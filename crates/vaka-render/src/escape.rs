//! Escaping of text for SVG and HTML output.
//!
//! Every caller-supplied string (country names, labels, titles, URLs) goes through [`escape`]
//! before it is written. This module must stay dependency-free and allocation-free on clean
//! input, because it runs for every label of every page.

use std::borrow::Cow;

/// Escapes `&`, `<`, `>`, `"` and `'` so that `s` is safe in XML/HTML text *and* in quoted
/// attribute values.
///
/// Characters that XML 1.0 forbids outright (C0 controls other than tab, newline and carriage
/// return, and U+FFFE/U+FFFF) are dropped: a single such character in a project title would
/// otherwise make the whole inline SVG ill-formed.
///
/// ```
/// assert_eq!(vaka_render::escape("Tonga & Fiji"), "Tonga &amp; Fiji");
/// assert_eq!(vaka_render::escape(r#"<a href="x">'"#), "&lt;a href=&quot;x&quot;&gt;&#39;");
/// ```
pub fn escape(s: &str) -> Cow<'_, str> {
    let Some(first) = s.find(needs_escape) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 16);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_forbidden_in_xml(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    matches!(c, '&' | '<' | '>' | '"' | '\'') || is_forbidden_in_xml(c)
}

fn is_forbidden_in_xml(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// Keeps only `[A-Za-z0-9_-]` so a caller-chosen id prefix is a valid XML id fragment.
pub(crate) fn id_fragment(s: &str) -> String {
    let out: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        format!("v{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(escape("Papua New Guinea"), Cow::Borrowed(_)));
    }

    #[test]
    fn all_five_characters_are_escaped() {
        assert_eq!(
            escape("<script>alert('x&y')</script>\""),
            "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;&quot;"
        );
    }

    #[test]
    fn forbidden_controls_are_dropped_but_whitespace_kept() {
        assert_eq!(escape("a\u{0}b\u{1b}c\td\ne"), "abc\td\ne");
    }

    #[test]
    fn id_fragment_is_a_valid_name() {
        assert_eq!(id_fragment("map 1\"><x"), "map1x");
        assert_eq!(id_fragment(""), "v");
        assert_eq!(id_fragment("9a"), "v9a");
    }
}
