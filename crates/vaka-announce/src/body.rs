//! The Markdown body as plain text: paragraphs, then sentences.
//!
//! Markdown is read with `pulldown-cmark`; link and emphasis markup is dropped
//! and its text kept, code blocks and raw HTML are skipped, line breaks become
//! spaces. Sentences are split on `.`, `!`, `?` and `…` followed by a capital,
//! a digit or an opening quote, except after honorifics, initials and common
//! abbreviations ("Mr", "U.S.", "e.g."). Quote marks, straight or curly, stay
//! with the sentence they belong to.
//!
//! This module must not interpret the text; extraction works on its output.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};

/// One sentence of the body, as plain text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    /// Index of the paragraph it belongs to (into [`crate::Release::paragraphs`]).
    pub paragraph: usize,
    /// The sentence, whitespace collapsed.
    pub text: String,
}

/// Turn Markdown into plain-text paragraphs.
pub(crate) fn paragraphs(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut skip_depth = 0usize;
    let flush = |buf: &mut String, out: &mut Vec<String>| {
        let text = buf.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            out.push(text);
        }
        buf.clear();
    };
    for event in Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    ) {
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock | Tag::MetadataBlock(_)) => {
                skip_depth += 1;
            }
            Event::End(TagEnd::CodeBlock | TagEnd::HtmlBlock | TagEnd::MetadataBlock(_)) => {
                skip_depth = skip_depth.saturating_sub(1);
            }
            _ if skip_depth > 0 => {}
            Event::Start(
                Tag::Paragraph
                | Tag::Heading { .. }
                | Tag::Item
                | Tag::BlockQuote(_)
                | Tag::TableCell
                | Tag::FootnoteDefinition(_),
            )
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::TableCell
                | TagEnd::FootnoteDefinition,
            )
            | Event::Rule => flush(&mut buf, &mut out),
            Event::Text(t) | Event::Code(t) => buf.push_str(&t),
            Event::SoftBreak | Event::HardBreak => buf.push(' '),
            _ => {}
        }
    }
    flush(&mut buf, &mut out);
    out
}

/// Words after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "hon", "rt", "st", "prof", "sr", "jr", "no", "nos", "vs", "etc",
    "gen", "col", "lt", "capt", "sgt", "rev", "inc", "ltd", "co", "corp", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "est", "fig",
];

fn is_closing(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»')
}

fn is_opening(c: char) -> bool {
    matches!(c, '"' | '\'' | '“' | '‘' | '(' | '[' | '«')
}

/// Does the full stop at byte `dot` in `p` end an abbreviation?
fn is_abbreviation(p: &str, dot: usize) -> bool {
    let word_start = p[..dot]
        .rfind(|c: char| c.is_whitespace() || is_opening(c))
        .map_or(0, |i| i + p[i..].chars().next().map_or(1, char::len_utf8));
    let word = &p[word_start..dot];
    if word.contains('.') {
        // "U.S." or "e.g."
        return true;
    }
    let mut chars = word.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        // An initial ("J. Smith").
        return c.is_uppercase();
    }
    let lower = word.to_lowercase();
    ABBREVIATIONS.contains(&lower.as_str())
}

/// Split one plain-text paragraph into sentences.
pub(crate) fn sentences(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let chars: Vec<(usize, char)> = p.char_indices().collect();
    let mut i = 0usize;
    while i < chars.len() {
        let (pos, c) = chars[i];
        if !matches!(c, '.' | '!' | '?' | '…') {
            i += 1;
            continue;
        }
        // Absorb runs of terminators and closing quotes/brackets.
        let mut j = i + 1;
        while j < chars.len()
            && (matches!(chars[j].1, '.' | '!' | '?' | '…') || is_closing(chars[j].1))
        {
            j += 1;
        }
        let end = chars.get(j).map_or(p.len(), |&(b, _)| b);
        let boundary = match chars.get(j) {
            None => true,
            Some(&(_, ws)) if ws.is_whitespace() => {
                let next = chars[j..]
                    .iter()
                    .map(|&(_, c)| c)
                    .find(|c| !c.is_whitespace());
                next.is_some_and(|n| n.is_uppercase() || n.is_ascii_digit() || is_opening(n))
                    && !(c == '.' && is_abbreviation(p, pos))
            }
            Some(_) => false,
        };
        if boundary {
            let s = p[start..end].trim();
            if !s.is_empty() {
                out.push(s.to_owned());
            }
            start = end;
        }
        i = j;
    }
    let rest = p[start..].trim();
    if !rest.is_empty() {
        out.push(rest.to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_plain_paragraphs() {
        let md = "# Head\n\nA [link text](https://x.org) and *emph*  \nnext line.\n\n```\ncode. Skipped.\n```\n\n- item one\n- item two\n";
        assert_eq!(
            paragraphs(md),
            vec![
                "Head",
                "A link text and emph next line.",
                "item one",
                "item two"
            ]
        );
    }

    #[test]
    fn sentences_keep_quotes_and_respect_abbreviations() {
        let p = "“Japan is one of New Zealand’s partners. My talks with Mr. Motegi went well,” Mr Peters said. It cost $7.9 million. The U.S. Government agreed.";
        assert_eq!(
            sentences(p),
            vec![
                "“Japan is one of New Zealand’s partners.",
                "My talks with Mr. Motegi went well,” Mr Peters said.",
                "It cost $7.9 million.",
                "The U.S. Government agreed.",
            ]
        );
    }

    #[test]
    fn terminal_quote_stays_with_its_sentence() {
        let p = "He said “we will.” Then he left.";
        assert_eq!(sentences(p), vec!["He said “we will.”", "Then he left."]);
    }

    #[test]
    fn lowercase_after_a_stop_does_not_split() {
        assert_eq!(
            sentences("It was approx. ten. ok then"),
            vec!["It was approx. ten. ok then"]
        );
    }
}
