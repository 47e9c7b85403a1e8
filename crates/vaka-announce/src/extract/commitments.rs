//! Candidate commitments: sentences in which partners undertake to do something
//! ("will jointly implement", "commit to", "will provide/fund/support/
//! contribute", "pledge", "announce … funding").
//!
//! Candidates are drafts for a person to confirm; this module only spots the
//! wording. Negated ("will not provide") and question sentences are skipped.
//! It must not attach partners, areas or money itself: the caller does, from the
//! findings of the same sentence.

use std::sync::LazyLock;

use crate::text::{Folded, fold_phrase};

/// A phrase list folded once.
fn folded(list: &'static [&'static str]) -> Vec<(&'static str, Vec<char>)> {
    list.iter().map(|p| (*p, fold_phrase(p))).collect()
}

static TRIGGERS_FOLDED: LazyLock<Vec<(&str, Vec<char>)>> = LazyLock::new(|| folded(TRIGGERS));
static ANNOUNCE_FOLDED: LazyLock<Vec<(&str, Vec<char>)>> = LazyLock::new(|| folded(ANNOUNCE));
static FUNDING_FOLDED: LazyLock<Vec<(&str, Vec<char>)>> = LazyLock::new(|| folded(FUNDING));

/// Verbs that make "will …" an undertaking.
const WILL_VERBS: &[&str] = &[
    "implement",
    "provide",
    "fund",
    "support",
    "contribute",
    "deliver",
    "invest",
    "finance",
    "co-finance",
    "build",
    "establish",
    "work",
    "partner",
    "give",
    "allocate",
    "commit",
];

/// Words allowed between "will" and the verb ("will also provide", "will
/// jointly implement"); any word ending in "-ly" is allowed too.
const WILL_FILLERS: &[&str] = &[
    "also", "now", "further", "again", "together", "each", "continue", "to",
];

/// Other undertaking phrases, folded.
const TRIGGERS: &[&str] = &[
    "commit to",
    "commits to",
    "committed to",
    "are committing",
    "is committing",
    "pledge",
    "pledged",
    "pledges",
    "pledging",
    "agreed to",
    "agree to",
    "agrees to",
    "undertake to",
    "undertook to",
];

/// "will [also|jointly|…] provide" at the earliest place in `sentence`, as written.
fn will_trigger(sentence: &str) -> Option<(usize, String)> {
    let words: Vec<(usize, usize, String)> = {
        let mut v = Vec::new();
        let mut start = None;
        for (i, c) in sentence
            .char_indices()
            .chain(std::iter::once((sentence.len(), ' ')))
        {
            let part = c.is_alphanumeric() || c == '-' || c == '\'' || c == '’';
            match (part, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    v.push((s, i, sentence[s..i].to_lowercase()));
                    start = None;
                }
                _ => {}
            }
        }
        v
    };
    for (k, (s, _, w)) in words.iter().enumerate() {
        if w != "will" {
            continue;
        }
        let mut j = k + 1;
        while j < words.len()
            && j <= k + 3
            && (WILL_FILLERS.contains(&words[j].2.as_str()) || words[j].2.ends_with("ly"))
        {
            j += 1;
        }
        if let Some((_, e, verb)) = words.get(j)
            && WILL_VERBS.contains(&verb.as_str())
        {
            return Some((*s, sentence[*s..*e].to_lowercase()));
        }
    }
    None
}

const ANNOUNCE: &[&str] = &["announce", "announced", "announces", "announcing"];
const FUNDING: &[&str] = &[
    "funding",
    "fund",
    "grant",
    "grants",
    "financing",
    "investment",
];

/// The trigger phrase of `sentence`, if it expresses an undertaking.
/// `has_amount` lets "announced a $3m package" count as "announce … funding".
pub(crate) fn trigger(sentence: &str, has_amount: bool) -> Option<String> {
    if sentence
        .trim_end_matches(['"', '”', '’', '\'', ')'])
        .ends_with('?')
    {
        return None;
    }
    let folded = Folded::new(sentence);
    let negated = |start: usize| {
        let before: String = folded.chars[..start].iter().collect();
        let before = before.trim_end();
        before.ends_with(" not") || before.ends_with(" never") || before.ends_with("n't")
    };
    let mut best = will_trigger(sentence).map(|(b, t)| {
        // Char index of the byte offset, to compare with the folded matches.
        (sentence[..b].chars().count(), t)
    });
    for (t, phrase) in TRIGGERS_FOLDED.iter() {
        if let Some(&(a, _)) = folded
            .find_all(phrase, false)
            .iter()
            .find(|(a, _)| !negated(*a))
            && best.as_ref().is_none_or(|(b, _)| a < *b)
        {
            best = Some((a, (*t).to_owned()));
        }
    }
    if let Some((_, t)) = best {
        return Some(t);
    }
    let announce = ANNOUNCE_FOLDED
        .iter()
        .filter_map(|(_, w)| folded.find_all(w, false).first().copied())
        .filter(|(a, _)| !negated(*a))
        .min();
    if let Some((_, end)) = announce {
        let rest = Folded::new(&sentence[folded.byte(end)..]);
        let funded = FUNDING_FOLDED
            .iter()
            .any(|(_, w)| !rest.find_all(w, true).is_empty());
        if funded || has_amount {
            return Some("announce … funding".to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undertakings_are_spotted() {
        assert_eq!(
            trigger("It includes projects that Japan and New Zealand will jointly implement including in renewable energy.", false).as_deref(),
            Some("will jointly implement")
        );
        assert_eq!(
            trigger("New Zealand will provide $7.9 million.", true).as_deref(),
            Some("will provide")
        );
        assert_eq!(
            trigger("Australia pledged A$10 million.", true).as_deref(),
            Some("pledged")
        );
        assert_eq!(
            trigger("The Minister announced new funding for solar power.", false).as_deref(),
            Some("announce … funding")
        );
        assert_eq!(
            trigger("Leaders commit to closer ties.", false).as_deref(),
            Some("commit to")
        );
    }

    #[test]
    fn statements_negations_and_questions_are_not() {
        assert_eq!(
            trigger(
                "Our joint efforts will be grounded in the principles of the Reset.",
                false
            ),
            None
        );
        assert_eq!(
            trigger(
                "It demonstrates our commitment to delivering on the Pacific Reset.",
                false
            ),
            None
        );
        assert_eq!(trigger("Japan will not provide funding.", false), None);
        assert_eq!(trigger("Will New Zealand provide support?", false), None);
        assert_eq!(trigger("The Minister announced a visit.", false), None);
    }
}
