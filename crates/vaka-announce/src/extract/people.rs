//! People and their roles: "Foreign Minister Winston Peters", "his Japanese
//! counterpart Toshimitsu Motegi", "Mr Peters", "Ministers Peters and Motegi",
//! "Japan's Prime Minister Shinzo Abe", "Minister of Foreign Affairs of Japan
//! Taro Kono".
//!
//! A full name (two words or more) makes a person; a single word after a role or
//! an honorific ("Mr Peters", "Minister Motegi") refers back to the person with
//! that surname, or makes a surname-only person when there is none yet. A
//! counterpart takes the role of the person named before them and the country of
//! the adjective in front ("Japanese" → JP). This module must not decide the
//! release's issuing country; it is given it.

use crate::gazetteer::{GazMatch, Target};
use crate::names::honorific_len;
use crate::release::Location;
use crate::text::{Token, joined};

use super::{Mention, Person};

/// One sentence prepared for the extractors.
pub(crate) struct Prepared<'a> {
    pub location: Location,
    pub text: &'a str,
    pub tokens: Vec<Token<'a>>,
    pub gaz: Vec<GazMatch>,
}

/// Roles, lower case, longest first within a shared start.
const ROLES: &[&[&str]] = &[
    &["deputy", "prime", "minister"],
    &["prime", "minister"],
    &["chief", "minister"],
    &["foreign", "affairs", "minister"],
    &["foreign", "minister"],
    &["trade", "minister"],
    &["defence", "minister"],
    &["defense", "minister"],
    &["finance", "minister"],
    &["climate", "change", "minister"],
    &["development", "minister"],
    &["associate", "minister"],
    &["deputy", "minister"],
    &["state", "minister"],
    &["minister", "of", "state"],
    &["minister"],
    &["vice", "president"],
    &["vice", "-", "president"],
    &["president"],
    &["ambassador"],
    &["high", "commissioner"],
    &["secretary", "-", "general"],
    &["secretary", "general"],
    &["secretary", "of", "state"],
    &["governor", "-", "general"],
    &["director", "-", "general"],
    &["director", "general"],
    &["chief", "executive"],
    &["premier"],
    &["senator"],
    &["speaker"],
    &["crown", "prince"],
    &["king"],
    &["queen"],
    &["mayor"],
    &["commissioner"],
];

const PLURAL_ROLES: &[&[&str]] = &[
    &["foreign", "ministers"],
    &["prime", "ministers"],
    &["ministers"],
    &["leaders"],
    &["presidents"],
];

/// Words that can make up a portfolio after "Minister for/of".
const PORTFOLIO_WORDS: &[&str] = &[
    "Foreign",
    "Affairs",
    "Trade",
    "Export",
    "Growth",
    "Pacific",
    "Peoples",
    "Development",
    "Finance",
    "Health",
    "Climate",
    "Change",
    "Defence",
    "Energy",
    "Resources",
    "Infrastructure",
    "Education",
    "Economic",
    "Fisheries",
    "Oceans",
    "Disaster",
    "Management",
    "Emergency",
    "Environment",
    "Agriculture",
    "Transport",
    "Internal",
    "Justice",
    "Police",
    "Tourism",
    "Women",
    "Youth",
    "Labour",
    "Lands",
    "Land",
    "Information",
    "Communications",
    "Public",
    "Works",
    "Utilities",
    "Planning",
    "National",
    "Security",
    "Immigration",
    "Customs",
    "Revenue",
    "Commerce",
    "Industry",
    "Economy",
    "Conservation",
    "Māori",
    "Maori",
    "Crown",
    "Relations",
    "Culture",
    "Heritage",
    "Local",
    "Government",
    "Housing",
    "Social",
    "Welfare",
    "Cooperation",
    "International",
    "Overseas",
    "Aid",
    "Treasury",
    "Home",
    "Interior",
    "Science",
    "Innovation",
];

const POSSESSIVE_PRONOUNS: &[&str] = &["his", "her", "their", "its", "our", "my", "your"];

/// Capitalised words that never begin or continue a personal name.
const NOT_NAME: &[&str] = &[
    "The",
    "A",
    "An",
    "And",
    "But",
    "Or",
    "In",
    "On",
    "At",
    "Of",
    "For",
    "To",
    "With",
    "From",
    "This",
    "That",
    "These",
    "Those",
    "It",
    "He",
    "She",
    "They",
    "We",
    "I",
    "Our",
    "His",
    "Her",
    "Their",
    "Government",
    "Ministry",
    "Department",
    "Office",
    "Minister",
    "Ministers",
    "President",
    "Prime",
    "Foreign",
    "Affairs",
    "Joint",
    "Declaration",
    "Pacific",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Yesterday",
    "Today",
    "Tomorrow",
];

fn lower_eq(t: &Token<'_>, w: &str) -> bool {
    t.stem.eq_ignore_ascii_case(w) || (w == "-" && !t.is_word())
}

/// Title-case a role as written ("foreign minister" → "Foreign Minister").
fn role_text(words: &[&str]) -> String {
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        if *w == "-" {
            out.push('-');
            continue;
        }
        if i > 0 && words[i - 1] != "-" {
            out.push(' ');
        }
        if matches!(w.to_lowercase().as_str(), "of" | "for" | "and" | "the") && i > 0 {
            out.push_str(&w.to_lowercase());
        } else {
            let mut c = w.chars();
            if let Some(f) = c.next() {
                out.extend(f.to_uppercase());
                out.push_str(c.as_str());
            }
        }
    }
    out
}

/// A person reference found in a sentence, before resolution.
#[derive(Debug)]
struct Hit {
    names: Vec<Vec<String>>,
    role: Option<String>,
    country: Option<String>,
    counterpart: bool,
    honorific: Option<String>,
    start: usize,
    end: usize,
}

struct Scanner<'s, 'a> {
    p: &'s Prepared<'a>,
}

impl Scanner<'_, '_> {
    fn tok(&self, i: usize) -> Option<&Token<'_>> {
        self.p.tokens.get(i)
    }

    fn joined(&self, i: usize) -> bool {
        i > 0
            && self
                .p
                .tokens
                .get(i)
                .is_some_and(|b| joined(self.p.text, &self.p.tokens[i - 1], b))
    }

    fn country_match_starting(&self, i: usize) -> Option<&GazMatch> {
        self.p.gaz.iter().find(|m| m.first == i)
    }

    fn country_ending_at(&self, i: usize) -> Option<String> {
        self.p.gaz.iter().find_map(|m| match &m.target {
            Target::Country(c) if m.last == i && (i == 0 || self.joined(i)) => Some(c.clone()),
            _ => None,
        })
    }

    fn is_name_word(&self, i: usize) -> bool {
        let Some(t) = self.tok(i) else { return false };
        t.is_word()
            && t.is_capitalised()
            && !NOT_NAME.contains(&t.stem)
            && honorific_len(&[t.stem]) == 0
            && self
                .p
                .gaz
                .iter()
                .all(|m| i < m.first || i >= m.last || m.target == Target::Block)
    }

    /// A personal name starting at token `i`: 1–4 capitalised words.
    fn name_at(&self, i: usize) -> Option<(Vec<String>, usize)> {
        if !self.is_name_word(i) {
            return None;
        }
        let mut words = vec![self.p.tokens[i].stem.to_owned()];
        let mut j = i + 1;
        let mut possessive = self.p.tokens[i].stem != self.p.tokens[i].raw;
        while !possessive && words.len() < 4 {
            // "Jean-Luc": a hyphen joins two name words.
            if self.tok(j).is_some_and(|t| !t.is_word()) && self.is_name_word(j + 1) {
                let last = words.pop().unwrap_or_default();
                words.push(format!("{last}-{}", self.p.tokens[j + 1].stem));
                possessive = self.p.tokens[j + 1].stem != self.p.tokens[j + 1].raw;
                j += 2;
                continue;
            }
            if self.joined(j) && self.is_name_word(j) {
                words.push(self.p.tokens[j].stem.to_owned());
                possessive = self.p.tokens[j].stem != self.p.tokens[j].raw;
                j += 1;
            } else {
                break;
            }
        }
        let has_lower = words.iter().any(|w| w.chars().any(char::is_lowercase));
        has_lower.then_some((words, j))
    }

    /// Role words at `i` from `table`, returning the tokens consumed.
    fn phrase_at(&self, i: usize, table: &[&[&str]]) -> Option<usize> {
        table
            .iter()
            .find(|words| {
                words.iter().enumerate().all(|(k, w)| {
                    self.tok(i + k).is_some_and(|t| {
                        lower_eq(t, w)
                            && (k == 0 || self.joined(i + k) || *w == "-" || words[k - 1] == "-")
                    })
                })
            })
            .map(|w| w.len())
    }

    /// Optional honorifics before a name ("Prime Minister Rt Hon Jacinda Ardern").
    fn skip_honorifics(&self, mut i: usize) -> (usize, Option<String>) {
        let mut found = None;
        loop {
            let words: Vec<&str> = self.p.tokens[i.min(self.p.tokens.len())..]
                .iter()
                .take(3)
                .map(|t| t.raw)
                .collect();
            let n = honorific_len(&words);
            if n == 0 || !self.tok(i).is_some_and(Token::is_capitalised) {
                return (i, found);
            }
            found = Some(words[..n].join(" "));
            i += n;
        }
    }

    fn role_hit(&self, i: usize) -> Option<(Hit, usize)> {
        let n = self.phrase_at(i, ROLES)?;
        let role_tokens: Vec<&str> = (i..i + n)
            .filter_map(|k| self.tok(k).map(|t| t.stem))
            .collect();
        let mut role_words: Vec<String> = role_tokens.iter().map(|s| (*s).to_owned()).collect();
        let mut country = self.country_ending_at(i);
        let mut j = i + n;
        // "Minister for Foreign Affairs", "Minister of Foreign Affairs of Japan".
        while let Some(t) = self.tok(j) {
            if !(t.stem == "for" || t.stem == "of") {
                break;
            }
            let k = if self.tok(j + 1).is_some_and(|t| t.stem == "the") {
                j + 2
            } else {
                j + 1
            };
            if let Some(m) = self.country_match_starting(k)
                && let Target::Country(c) = &m.target
            {
                country = Some(c.clone());
                j = m.last;
                continue;
            }
            let mut e = j + 1;
            let mut words = Vec::new();
            while let Some(t) = self.tok(e) {
                if PORTFOLIO_WORDS.contains(&t.stem)
                    || ((t.stem == "and" || t.stem == "the")
                        && self
                            .tok(e + 1)
                            .is_some_and(|n| PORTFOLIO_WORDS.contains(&n.stem)))
                {
                    words.push(t.stem.to_owned());
                    e += 1;
                } else {
                    break;
                }
            }
            if words.is_empty() {
                break;
            }
            role_words.push(t.stem.to_owned());
            role_words.extend(words);
            j = e;
        }
        // An optional comma: "the Foreign Minister, Winston Peters".
        let mut k = j;
        if self.tok(k).is_some() && !self.joined(k) {
            let gap = &self.p.text[self.p.tokens[k - 1].end..self.p.tokens[k].start];
            if gap.trim() != "," {
                return None;
            }
        }
        let (after_hon, honorific) = self.skip_honorifics(k);
        k = after_hon;
        let (name, end) = self.name_at(k)?;
        let refs: Vec<&str> = role_words.iter().map(String::as_str).collect();
        Some((
            Hit {
                names: vec![name],
                role: Some(role_text(&refs)),
                country,
                counterpart: false,
                honorific,
                start: self.p.tokens[i].start,
                end: self.p.tokens[end - 1].end,
            },
            end,
        ))
    }

    /// Names separated by commas and "and", starting at `i`.
    fn name_list(&self, mut i: usize) -> (Vec<Vec<String>>, usize) {
        let mut names = Vec::new();
        while let Some((name, end)) = self.name_at(i) {
            names.push(name);
            i = end;
            let sep_and = self.tok(i).is_some_and(|t| t.stem == "and") && self.joined(i);
            let sep_comma = self.tok(i).is_some()
                && self.p.text[self.p.tokens[i - 1].end..self.p.tokens[i].start].trim() == ",";
            if sep_and {
                i += 1;
            } else if sep_comma && self.is_name_word(i) {
            } else {
                break;
            }
        }
        (names, i)
    }

    fn plural_hit(&self, i: usize) -> Option<(Hit, usize)> {
        let n = self.phrase_at(i, PLURAL_ROLES)?;
        if !self.tok(i).is_some_and(Token::is_capitalised) {
            return None;
        }
        let (names, end) = self.name_list(i + n);
        if names.len() < 2 {
            return None;
        }
        Some((
            Hit {
                names,
                role: None,
                country: None,
                counterpart: false,
                honorific: None,
                start: self.p.tokens[i].start,
                end: self.p.tokens[end - 1].end,
            },
            end,
        ))
    }

    fn counterpart_hit(&self, i: usize) -> Option<(Hit, usize)> {
        let t = self.tok(i)?;
        if !POSSESSIVE_PRONOUNS.contains(&t.stem.to_lowercase().as_str()) {
            return None;
        }
        let mut j = i + 1;
        let mut country = None;
        if let Some(m) = self.country_match_starting(j)
            && let Target::Country(c) = &m.target
        {
            country = Some(c.clone());
            j = m.last;
        }
        let c = self.tok(j)?;
        if !(c.stem.eq_ignore_ascii_case("counterpart")
            || c.stem.eq_ignore_ascii_case("counterparts"))
        {
            return None;
        }
        let mut k = j + 1;
        if self.tok(k).is_some() && !self.joined(k) {
            let gap = &self.p.text[self.p.tokens[k - 1].end..self.p.tokens[k].start];
            if gap.trim() != "," {
                return None;
            }
        }
        let (after, honorific) = self.skip_honorifics(k);
        k = after;
        let (names, end) = self.name_list(k);
        if names.is_empty() {
            return None;
        }
        Some((
            Hit {
                names,
                role: None,
                country,
                counterpart: true,
                honorific,
                start: self.p.tokens[i].start,
                end: self.p.tokens[end - 1].end,
            },
            end,
        ))
    }

    fn honorific_hit(&self, i: usize) -> Option<(Hit, usize)> {
        if !self.tok(i)?.is_capitalised() {
            return None;
        }
        let (k, honorific) = self.skip_honorifics(i);
        honorific.as_ref()?;
        let (name, end) = self.name_at(k)?;
        Some((
            Hit {
                names: vec![name],
                role: None,
                country: None,
                counterpart: false,
                honorific,
                start: self.p.tokens[i].start,
                end: self.p.tokens[end - 1].end,
            },
            end,
        ))
    }

    fn hits(&self) -> Vec<Hit> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.p.tokens.len() {
            let found = self
                .plural_hit(i)
                .or_else(|| self.counterpart_hit(i))
                .or_else(|| self.role_hit(i))
                .or_else(|| self.honorific_hit(i));
            match found {
                Some((hit, end)) => {
                    out.push(hit);
                    i = end.max(i + 1);
                }
                None => i += 1,
            }
        }
        out
    }
}

fn surname(name: &str) -> &str {
    name.rsplit(' ').next().unwrap_or(name)
}

/// Find the people named in `sentences` (in order).
pub(crate) fn find(sentences: &[Prepared<'_>]) -> Vec<Person> {
    let mut people: Vec<Person> = Vec::new();
    // People in order of mention, most recent last, for counterparts.
    let mut recent: Vec<usize> = Vec::new();
    for p in sentences {
        let scanner = Scanner { p };
        for hit in scanner.hits() {
            let surface = p.text[hit.start..hit.end].to_owned();
            // The role a counterpart mirrors: the last person named before, with a role.
            let mirrored = if hit.counterpart {
                recent
                    .iter()
                    .rev()
                    .find_map(|&k| people[k].role.clone().map(|r| (r, people[k].name.clone())))
            } else {
                None
            };
            for words in &hit.names {
                let full = words.join(" ");
                let idx = if words.len() >= 2 {
                    people.iter().position(|q| q.name == full).or_else(|| {
                        // Upgrade a surname-only person met earlier.
                        people
                            .iter()
                            .position(|q| !q.name.contains(' ') && q.name == surname(&full))
                    })
                } else {
                    people.iter().rposition(|q| surname(&q.name) == full)
                };
                let k = match idx {
                    Some(k) => k,
                    None => {
                        people.push(Person {
                            name: full.clone(),
                            role: None,
                            country: None,
                            honorifics: Vec::new(),
                            counterpart_of: None,
                            minister: false,
                            evidence: p.text.to_owned(),
                            mentions: Vec::new(),
                        });
                        people.len() - 1
                    }
                };
                let person = &mut people[k];
                if words.len() >= 2 && !person.name.contains(' ') {
                    person.name = full;
                }
                if person.role.is_none() {
                    person.role = hit.role.clone();
                }
                if let Some((role, of)) = &mirrored
                    && person.role.is_none()
                    && *of != person.name
                {
                    person.role = Some(role.clone());
                    person.counterpart_of = Some(of.clone());
                }
                if person.country.is_none() {
                    person.country = hit.country.clone();
                }
                if let Some(h) = &hit.honorific
                    && !person.honorifics.contains(h)
                {
                    person.honorifics.push(h.clone());
                }
                person.mentions.push(Mention {
                    location: p.location,
                    surface: surface.clone(),
                    back_reference: false,
                });
                recent.retain(|&r| r != k);
                recent.push(k);
            }
        }
    }
    people
}
