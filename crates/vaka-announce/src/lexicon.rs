//! The lexicon: priority areas and frameworks, the vocabulary the extractor
//! looks for, given by the caller.
//!
//! [`Lexicon`] is plain data (serde, so it can come from a file or the
//! database); [`Lexicon::nz_japan_default`] is the 2019 New Zealand–Japan Joint
//! Declaration's five areas. Phrases are matched case-insensitively at word
//! boundaries (Japanese phrases anywhere, since Japanese has no spaces), an
//! English plural is accepted, and the longest phrase wins across the whole
//! lexicon, so "medical infrastructure and equipment" is one area. This module
//! must not know countries or people.

use serde::{Deserialize, Serialize};

use crate::text::{Folded, fold_phrase};

/// One priority area and the phrases that name it, per language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaTerms {
    /// The framework's area id (`renewable-energy`).
    pub id: String,
    /// English phrases.
    #[serde(default)]
    pub en: Vec<String>,
    /// Japanese phrases.
    #[serde(default)]
    pub ja: Vec<String>,
    /// French phrases.
    #[serde(default)]
    pub fr: Vec<String>,
}

/// One framework and the ways a release names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkTerms {
    /// Framework id (`nz-japan-2019`).
    pub id: String,
    /// Official names.
    pub names: Vec<String>,
    /// Other full names ("New Zealand–Japan Joint Declaration").
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Generic phrases that refer back to the framework *when it was named
    /// earlier in the release* ("the Joint Declaration"). Never a mention on
    /// their own.
    #[serde(default)]
    pub back_references: Vec<String>,
}

/// What the extractor looks for beyond countries: areas and frameworks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Lexicon {
    pub areas: Vec<AreaTerms>,
    pub frameworks: Vec<FrameworkTerms>,
}

fn strings(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| (*s).to_owned()).collect()
}

impl Lexicon {
    /// The five areas of the 2019 New Zealand–Japan Joint Declaration on
    /// Cooperation in the Pacific and the framework `nz-japan-2019`.
    pub fn nz_japan_default() -> Self {
        let area = |id: &str, en: &[&str], ja: &[&str], fr: &[&str]| AreaTerms {
            id: id.to_owned(),
            en: strings(en),
            ja: strings(ja),
            fr: strings(fr),
        };
        Lexicon {
            areas: vec![
                area(
                    "renewable-energy",
                    &[
                        "renewable energy",
                        "renewables",
                        "clean energy",
                        "solar",
                        "solar power",
                        "solar energy",
                        "wind power",
                        "wind energy",
                        "hydropower",
                        "hydroelectric",
                        "geothermal",
                        "energy transition",
                    ],
                    &[
                        "再生可能エネルギー",
                        "再エネ",
                        "クリーンエネルギー",
                        "太陽光",
                    ],
                    &[
                        "énergie renouvelable",
                        "énergies renouvelables",
                        "énergie propre",
                        "énergie solaire",
                    ],
                ),
                area(
                    "aviation-infrastructure",
                    &[
                        "aviation infrastructure",
                        "airport",
                        "aviation",
                        "airstrip",
                        "runway",
                        "air navigation",
                        "air traffic management",
                    ],
                    &["航空インフラ", "空港", "航空"],
                    &[
                        "infrastructure aéronautique",
                        "infrastructures aéroportuaires",
                        "aéroport",
                        "aéroports",
                        "aviation",
                    ],
                ),
                area(
                    "water-security",
                    &[
                        "water security",
                        "water supply",
                        "water supplies",
                        "drinking water",
                        "safe water",
                        "water resources",
                        "desalination",
                        "rainwater harvesting",
                        "water and sanitation",
                    ],
                    &["水の安全保障", "水供給", "給水", "水資源"],
                    &[
                        "sécurité de l'eau",
                        "sécurité hydrique",
                        "approvisionnement en eau",
                        "eau potable",
                    ],
                ),
                area(
                    "medical-infrastructure",
                    &[
                        "medical infrastructure and equipment",
                        "medical infrastructure",
                        "medical equipment",
                        "health infrastructure",
                        "hospital",
                        "medical facilities",
                        "health facilities",
                        "medical supplies",
                    ],
                    &["医療インフラ", "医療機材", "医療機器", "病院"],
                    &[
                        "infrastructures médicales",
                        "infrastructure médicale",
                        "équipements médicaux",
                        "équipement médical",
                        "hôpital",
                        "hôpitaux",
                    ],
                ),
                area(
                    "disaster-risk-reduction",
                    &[
                        "disaster risk reduction",
                        "disaster resilience",
                        "disaster preparedness",
                        "disaster risk management",
                        "disaster reduction",
                        "early warning",
                        "DRR",
                    ],
                    &["防災", "減災", "災害リスク削減"],
                    &[
                        "réduction des risques de catastrophe",
                        "réduction des risques de catastrophes",
                        "prévention des catastrophes",
                        "résilience aux catastrophes",
                    ],
                ),
            ],
            frameworks: vec![FrameworkTerms {
                id: "nz-japan-2019".to_owned(),
                names: strings(&[
                    "Joint Declaration on Cooperation in the Pacific",
                    "Joint Declaration on Cooperation in the Pacific Islands Region",
                ]),
                aliases: strings(&[
                    "New Zealand–Japan Joint Declaration",
                    "New Zealand-Japan Joint Declaration",
                    "Japan–New Zealand Joint Declaration",
                    "Japan-New Zealand Joint Declaration",
                    "NZ-Japan Joint Declaration",
                ]),
                back_references: strings(&[
                    "the Joint Declaration",
                    "this Joint Declaration",
                    "that Joint Declaration",
                    "the Declaration",
                    "this Declaration",
                ]),
            }],
        }
    }
}

/// What a lexicon phrase names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Term {
    Area(usize),
    Framework(usize),
    /// A back-reference to framework `n`.
    FrameworkBackRef(usize),
}

/// One lexicon match in a sentence (byte range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TermMatch {
    pub term: Term,
    pub start: usize,
    pub end: usize,
}

/// The lexicon folded for matching.
pub(crate) struct Compiled {
    phrases: Vec<(Vec<char>, Term, bool)>,
}

impl Compiled {
    pub fn new(lex: &Lexicon) -> Self {
        let mut phrases = Vec::new();
        for (i, a) in lex.areas.iter().enumerate() {
            phrases.extend(a.en.iter().map(|p| (fold_phrase(p), Term::Area(i), true)));
            phrases.extend(a.ja.iter().map(|p| (fold_phrase(p), Term::Area(i), false)));
            phrases.extend(a.fr.iter().map(|p| (fold_phrase(p), Term::Area(i), false)));
        }
        for (i, f) in lex.frameworks.iter().enumerate() {
            phrases.extend(
                f.names
                    .iter()
                    .chain(&f.aliases)
                    .map(|p| (fold_phrase(p), Term::Framework(i), false)),
            );
            phrases.extend(
                f.back_references
                    .iter()
                    .map(|p| (fold_phrase(p), Term::FrameworkBackRef(i), false)),
            );
        }
        phrases.retain(|(p, _, _)| !p.is_empty());
        Self { phrases }
    }

    /// All matches in `s`, longest first, non-overlapping, returned in text order.
    pub fn find(&self, s: &str) -> Vec<TermMatch> {
        let folded = Folded::new(s);
        let mut all: Vec<(usize, usize, Term)> = Vec::new();
        for (p, term, plural) in &self.phrases {
            all.extend(
                folded
                    .find_all(p, *plural)
                    .into_iter()
                    .map(|(a, b)| (a, b, *term)),
            );
        }
        // Longest first so "medical infrastructure and equipment" beats
        // "medical infrastructure", and a framework's full name beats "the Joint
        // Declaration" that starts earlier.
        all.sort_by_key(|&(a, b, _)| (std::cmp::Reverse(b - a), a));
        let mut taken: Vec<(usize, usize, Term)> = Vec::new();
        for m in all {
            if taken.iter().all(|t| m.1 <= t.0 || m.0 >= t.1) {
                taken.push(m);
            }
        }
        taken.sort_by_key(|&(a, _, _)| a);
        taken
            .into_iter()
            .map(|(a, b, term)| TermMatch {
                term,
                start: folded.byte(a),
                end: folded.byte(b),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(s: &str) -> Vec<Term> {
        Compiled::new(&Lexicon::nz_japan_default())
            .find(s)
            .into_iter()
            .map(|m| m.term)
            .collect()
    }

    #[test]
    fn medical_infrastructure_and_equipment_is_one_area() {
        assert_eq!(
            terms("medical infrastructure and equipment"),
            vec![Term::Area(3)]
        );
        assert_eq!(
            terms("new hospitals and airports"),
            vec![Term::Area(3), Term::Area(1)]
        );
    }

    #[test]
    fn framework_names_beat_back_references() {
        assert_eq!(
            terms("issued the Joint Declaration on Cooperation in the Pacific."),
            vec![Term::Framework(0)]
        );
        assert_eq!(
            terms("The Joint Declaration provides"),
            vec![Term::FrameworkBackRef(0)]
        );
    }

    #[test]
    fn japanese_and_french_phrases_match() {
        assert_eq!(
            terms("太平洋島嶼国の再生可能エネルギーと防災"),
            vec![Term::Area(0), Term::Area(4)]
        );
        assert_eq!(
            terms("l’approvisionnement en eau potable"),
            vec![Term::Area(2)]
        );
    }

    #[test]
    fn words_inside_other_words_do_not_match() {
        assert!(terms("solarium and aviationist").is_empty());
    }
}
