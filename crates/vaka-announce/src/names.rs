//! Personal names: honorifics ("Rt Hon", "Mr", "Dame", …) split off a written name.
//!
//! Shared by the front-matter reader (the `ministers` list) and the people
//! extractor ("Mr Peters said"). It must not guess who a person is; that is the
//! extractor's job.

/// Honorifics as word sequences, longest first so "The Rt Hon" wins over "Hon".
/// Compared without a trailing `.` and ignoring ASCII case.
const HONORIFICS: &[&[&str]] = &[
    &["The", "Right", "Honourable"],
    &["Right", "Honourable"],
    &["The", "Rt", "Hon"],
    &["His", "Excellency"],
    &["Her", "Excellency"],
    &["The", "Honourable"],
    &["The", "Hon"],
    &["Rt", "Hon"],
    &["Right", "Hon"],
    &["Honourable"],
    &["Hon"],
    &["Dr"],
    &["Mr"],
    &["Mrs"],
    &["Ms"],
    &["Miss"],
    &["Mx"],
    &["Sir"],
    &["Dame"],
    &["Prof"],
    &["Professor"],
    &["H.E"],
];

fn word_eq(written: &str, honorific: &str) -> bool {
    written
        .trim_end_matches('.')
        .eq_ignore_ascii_case(honorific)
}

/// How many leading words of `words` form one honorific (0 when none does).
pub(crate) fn honorific_len(words: &[&str]) -> usize {
    HONORIFICS
        .iter()
        .find(|h| h.len() <= words.len() && h.iter().zip(words).all(|(h, w)| word_eq(w, h)))
        .map_or(0, |h| h.len())
}

/// A written name split into its honorifics and the bare name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SplitName {
    /// Honorifics as written (`"Rt Hon"`, `"Dr"`), in order.
    pub honorifics: Vec<String>,
    /// The name without honorifics, words joined by single spaces.
    pub name: String,
}

/// Split leading honorifics off `written`. At least one word is always left as
/// the name, so "Sir" alone stays a name rather than becoming empty.
pub(crate) fn split_honorifics(written: &str) -> SplitName {
    let words: Vec<&str> = written.split_whitespace().collect();
    let mut honorifics = Vec::new();
    let mut i = 0;
    loop {
        let n = honorific_len(&words[i..]);
        if n == 0 || i + n >= words.len() {
            break;
        }
        honorifics.push(words[i..i + n].join(" "));
        i += n;
    }
    SplitName {
        honorifics,
        name: words[i..].join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_stacked_honorifics() {
        let s = split_honorifics("Rt Hon Winston Peters");
        assert_eq!(s.name, "Winston Peters");
        assert_eq!(s.honorifics, vec!["Rt Hon"]);
        let s = split_honorifics("The Rt. Hon. Sir John  Key");
        assert_eq!(s.name, "John Key");
        assert_eq!(s.honorifics, vec!["The Rt. Hon.", "Sir"]);
        let s = split_honorifics("Dame Meg Taylor");
        assert_eq!(s.name, "Meg Taylor");
    }

    #[test]
    fn keeps_a_name_that_is_only_an_honorific_word() {
        assert_eq!(split_honorifics("Sir").name, "Sir");
        assert_eq!(split_honorifics("").name, "");
    }

    #[test]
    fn does_not_strip_inside_a_name() {
        let s = split_honorifics("Toshimitsu Motegi");
        assert!(s.honorifics.is_empty());
        assert_eq!(s.name, "Toshimitsu Motegi");
    }
}
