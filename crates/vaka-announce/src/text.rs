//! Low-level text helpers shared by the extractors: a word tokenizer that keeps
//! byte offsets and a case-folded phrase matcher.
//!
//! Tokens are runs of letters and digits (with inner apostrophes, as in
//! "Nuku'alofa" or "d'Ivoire"), dotted abbreviations ("U.S."), and hyphens that
//! join two words ("Ni-Vanuatu" is `Ni`, `-`, `Vanuatu`). A possessive `'s`/`’s`
//! is split off into [`Token::stem`]. This module must not know any vocabulary.

use std::collections::HashMap;

/// Apostrophe-like characters (straight, curly, okina, modifier).
pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʻ' | 'ʼ' | '‘')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑')
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokKind {
    Word,
    Hyphen,
}

/// One token of a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    /// The token as written.
    pub raw: &'a str,
    /// `raw` without a possessive ending (`"Zealand’s"` → `"Zealand"`).
    pub stem: &'a str,
    /// Byte range of `raw` in the sentence.
    pub start: usize,
    pub end: usize,
    pub kind: TokKind,
}

impl Token<'_> {
    /// Starts with an upper-case letter.
    pub fn is_capitalised(&self) -> bool {
        self.stem.chars().next().is_some_and(char::is_uppercase)
    }

    pub fn is_word(&self) -> bool {
        self.kind == TokKind::Word
    }
}

fn possessive_stem(raw: &str) -> &str {
    for suffix in ["'s", "’s", "'S", "’S"] {
        if let Some(stem) = raw.strip_suffix(suffix)
            && !stem.is_empty()
        {
            return stem;
        }
    }
    for suffix in ["s'", "s’"] {
        if raw.ends_with(suffix) {
            return &raw[..raw.len() - suffix.len() + 1];
        }
    }
    raw
}

/// Split `s` into tokens.
pub(crate) fn tokenize(s: &str) -> Vec<Token<'_>> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let byte_at = |i: usize| chars.get(i).map_or(s.len(), |&(b, _)| b);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        if c.is_alphanumeric() {
            let start = i;
            // Dotted abbreviation: letter '.' letter '.' …
            let mut j = i;
            while j + 1 < chars.len() && chars[j].1.is_alphabetic() && chars[j + 1].1 == '.' {
                j += 2;
            }
            if j - i >= 4 && !chars.get(j).is_some_and(|&(_, c)| c.is_alphanumeric()) {
                let raw = &s[byte_at(start)..byte_at(j)];
                out.push(Token {
                    raw,
                    stem: raw,
                    start: byte_at(start),
                    end: byte_at(j),
                    kind: TokKind::Word,
                });
                i = j;
                continue;
            }
            let mut j = i + 1;
            loop {
                match chars.get(j) {
                    Some(&(_, c)) if c.is_alphanumeric() || is_combining_mark(c) => j += 1,
                    Some(&(_, a))
                        if is_apostrophe(a)
                            && chars.get(j + 1).is_some_and(|&(_, n)| n.is_alphabetic()) =>
                    {
                        j += 2
                    }
                    // Plural possessive: "Fijians’ land".
                    Some(&(_, a))
                        if is_apostrophe(a)
                            && chars[j - 1].1 == 's'
                            && !chars.get(j + 1).is_some_and(|&(_, n)| n.is_alphanumeric()) =>
                    {
                        j += 1;
                        break;
                    }
                    _ => break,
                }
            }
            let raw = &s[byte_at(start)..byte_at(j)];
            out.push(Token {
                raw,
                stem: possessive_stem(raw),
                start: byte_at(start),
                end: byte_at(j),
                kind: TokKind::Word,
            });
            i = j;
        } else if is_hyphen(c)
            && i > 0
            && chars[i - 1].1.is_alphanumeric()
            && chars.get(i + 1).is_some_and(|&(_, n)| n.is_alphanumeric())
        {
            let raw = &s[byte_at(i)..byte_at(i + 1)];
            out.push(Token {
                raw,
                stem: raw,
                start: byte_at(i),
                end: byte_at(i + 1),
                kind: TokKind::Hyphen,
            });
            i += 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Combining marks (macrons written as separate code points, as in "Ma\u{304}ori").
fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F)
}

/// Only whitespace between two tokens (no comma, dash or full stop).
pub(crate) fn joined(s: &str, a: &Token<'_>, b: &Token<'_>) -> bool {
    s.get(a.end..b.start)
        .is_some_and(|gap| gap.chars().all(char::is_whitespace))
}

/// Is `c` a CJK ideograph or kana (scripts written without spaces)?
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF66..=0xFF9F)
}

/// A sentence folded for case-insensitive phrase search: one lower-case char per
/// original char, with curly apostrophes and hyphen variants unified, and the
/// byte offset of each char in the original.
pub(crate) struct Folded {
    pub chars: Vec<char>,
    pub offsets: Vec<usize>,
    pub len: usize,
    /// Positions of each char, so a phrase is only tried where its first char is.
    starts: HashMap<char, Vec<usize>>,
}

pub(crate) fn fold_char(c: char) -> char {
    match c {
        '’' | '‘' | 'ʼ' => '\'',
        '‐' | '‑' => '-',
        '\u{a0}' => ' ',
        c => c.to_lowercase().next().unwrap_or(c),
    }
}

impl Folded {
    pub fn new(s: &str) -> Self {
        let (offsets, chars): (Vec<usize>, Vec<char>) =
            s.char_indices().map(|(b, c)| (b, fold_char(c))).unzip();
        let mut starts: HashMap<char, Vec<usize>> = HashMap::new();
        for (i, &c) in chars.iter().enumerate() {
            starts.entry(c).or_default().push(i);
        }
        Self {
            chars,
            offsets,
            len: s.len(),
            starts,
        }
    }

    /// Byte offset of char index `i` (or the end).
    pub fn byte(&self, i: usize) -> usize {
        self.offsets.get(i).copied().unwrap_or(self.len)
    }

    /// Every match of `phrase` (already folded, whitespace collapsed to single
    /// spaces) at word boundaries, as char ranges. An English plural `s`/`es` on
    /// the last word is allowed when `plural` is set.
    pub fn find_all(&self, phrase: &[char], plural: bool) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        if phrase.is_empty() || phrase.len() > self.chars.len() {
            return out;
        }
        let needs_boundary = |c: char| c.is_alphanumeric() && !is_cjk(c);
        let first = phrase[0];
        let last = phrase[phrase.len() - 1];
        let candidates = self.starts.get(&first).map_or(&[][..], Vec::as_slice);
        for &start in candidates {
            if start + phrase.len() > self.chars.len() || !self.matches_at(start, phrase) {
                continue;
            }
            if needs_boundary(first) && start > 0 && self.chars[start - 1].is_alphanumeric() {
                continue;
            }
            let mut end = start + phrase.len();
            if needs_boundary(last) {
                let boundary = |e: usize| !self.chars.get(e).is_some_and(|c| c.is_alphanumeric());
                if !boundary(end) {
                    if plural && self.chars.get(end) == Some(&'s') && boundary(end + 1) {
                        end += 1;
                    } else if plural
                        && self.chars.get(end) == Some(&'e')
                        && self.chars.get(end + 1) == Some(&'s')
                        && boundary(end + 2)
                    {
                        end += 2;
                    } else {
                        continue;
                    }
                }
            }
            out.push((start, end));
        }
        out
    }

    fn matches_at(&self, start: usize, phrase: &[char]) -> bool {
        // A space in the phrase matches one or more whitespace chars in the text
        // only in the sense of a single space: sentences are already collapsed.
        self.chars[start..start + phrase.len()]
            .iter()
            .zip(phrase)
            .all(|(a, b)| a == b || (*b == ' ' && a.is_whitespace()))
    }
}

/// Fold a lexicon phrase the same way as [`Folded`], collapsing whitespace.
pub(crate) fn fold_phrase(p: &str) -> Vec<char> {
    p.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .map(fold_char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raws(s: &str) -> Vec<&str> {
        tokenize(s).iter().map(|t| t.raw).collect()
    }

    #[test]
    fn tokens_split_hyphens_and_keep_inner_apostrophes() {
        assert_eq!(
            raws("Ni-Vanuatu and I-Kiribati"),
            vec!["Ni", "-", "Vanuatu", "and", "I", "-", "Kiribati"]
        );
        assert_eq!(
            raws("Nuku'alofa, Côte d'Ivoire."),
            vec!["Nuku'alofa", "Côte", "d'Ivoire"]
        );
        assert_eq!(
            raws("the U.S. and U.K. - ok"),
            vec!["the", "U.S.", "and", "U.K.", "ok"]
        );
        assert_eq!(raws("New Zealand–Japan"), vec!["New", "Zealand", "Japan"]);
    }

    #[test]
    fn possessives_are_stemmed() {
        let t = tokenize("New Zealand’s and Fijians’ land");
        assert_eq!(t[1].stem, "Zealand");
        assert_eq!(t[3].raw, "Fijians’");
        assert_eq!(t[3].stem, "Fijians");
    }

    #[test]
    fn folded_search_respects_word_boundaries_and_plurals() {
        let f = Folded::new("Airports and the airport’s Solar-power; solarium");
        assert_eq!(f.find_all(&fold_phrase("airport"), true).len(), 2);
        assert_eq!(f.find_all(&fold_phrase("solar"), true).len(), 1);
        let f = Folded::new("再生可能エネルギーの導入");
        assert_eq!(
            f.find_all(&fold_phrase("再生可能エネルギー"), false),
            vec![(0, 9)]
        );
    }
}
