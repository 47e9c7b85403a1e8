//! The gazetteer: every country of the IATI Country codelist by name, plus
//! common short forms, adjectives and demonyms, and named regions.
//!
//! Names come from the embedded `Country.xml` (ISO 3166-1, IATI's copy) with
//! the codelist's parenthesised forms turned into everyday ones ("Korea (the
//! Republic of)" gives "Republic of Korea"). Curated tables add adjectives and
//! demonyms ("Fijian", "Ni-Vanuatu", "I-Kiribati", "Kiwi"), group phrases that
//! are regions, not countries ("Pacific Island countries" → `pacific-islands`),
//! and blockers: phrases that contain a country name but do not name it ("New
//! Guinea", "Indian Ocean").
//!
//! Matching is token by token and case-sensitive (an all-capitals word also
//! matches, for headlines), so "chad" or "turkey" never match; the longest phrase
//! wins, so "American Samoa" is AS, not US + WS. A few names that are also
//! personal names ("Chad", "Jordan", "Georgia") are skipped when they sit next to
//! another capitalised name word. This module must not decide what a match means
//! for a release; the extractor does.

use std::collections::HashMap;
use std::sync::LazyLock;

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::text::{Token, joined, tokenize};

/// What a gazetteer phrase names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// ISO 3166-1 alpha-2 code.
    Country(String),
    /// A named region id (`pacific-islands`).
    Region(&'static str),
    /// Contains a country name but names none ("New Guinea").
    Block,
}

#[derive(Debug, Clone)]
struct Entry {
    tokens: Vec<String>,
    target: Target,
    /// Refuse when the next word is capitalised ("Pacific Reset", "Jordan Smith").
    not_before_name: bool,
    /// Refuse when the previous word is a capitalised name word ("Michael Jordan").
    not_after_name: bool,
}

/// A country the codelist knows, with its codelist name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CodelistCountry {
    pub code: String,
    pub name: String,
    pub withdrawn: bool,
}

/// One match in a token list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GazMatch {
    pub target: Target,
    /// Token range `[first, last)`.
    pub first: usize,
    pub last: usize,
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
}

pub(crate) struct Gazetteer {
    entries: Vec<Entry>,
    /// Upper-cased first token → entry indices, longest phrase first.
    index: HashMap<String, Vec<usize>>,
    countries: Vec<CodelistCountry>,
}

const COUNTRY_XML: &str = include_str!("../../../data/iati/codelists/non-embedded/Country.xml");

/// Read an IATI codelist file: code, first narrative of the name, withdrawn flag.
pub(crate) fn read_codelist(xml: &str) -> Result<Vec<CodelistCountry>, quick_xml::Error> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut current: Option<CodelistCountry> = None;
    let mut path: Vec<String> = Vec::new();
    loop {
        match reader.read_event()? {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_owned();
                if name == "codelist-item" {
                    let withdrawn = e
                        .try_get_attribute("status")
                        .ok()
                        .flatten()
                        .is_some_and(|a| a.value == "withdrawn");
                    current = Some(CodelistCountry {
                        code: String::new(),
                        name: String::new(),
                        withdrawn,
                    });
                }
                path.push(name);
            }
            Event::End(_) => {
                if path.pop().as_deref() == Some("codelist-item")
                    && let Some(item) = current.take()
                    && !item.code.is_empty()
                {
                    out.push(item);
                }
            }
            Event::Text(t) => {
                let text = t.xml10_content();
                let text = text.trim();
                if let Some(item) = current.as_mut() {
                    let tail: Vec<&str> = path.iter().rev().take(2).map(String::as_str).collect();
                    match tail.as_slice() {
                        ["code", "codelist-item"] => item.code = text.to_owned(),
                        ["narrative", "name"] if item.name.is_empty() => {
                            item.name = text.to_owned();
                        }
                        _ => {}
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// Everyday forms of a codelist name ("Korea (the Republic of)" → "Korea",
/// "Republic of Korea").
fn name_forms(name: &str) -> Vec<String> {
    let name = name.replace(" [Malvinas]", "");
    let mut out = Vec::new();
    if let Some((head, rest)) = name.split_once(" (")
        && let Some(inner) = rest.strip_suffix(')')
        && !inner.contains('(')
    {
        out.push(head.to_owned());
        let inner = if inner == "the" {
            ""
        } else {
            inner.strip_prefix("the ").unwrap_or(inner)
        };
        if inner.is_empty() {
        } else if inner.ends_with(" of") || inner.ends_with(" of the") {
            out.push(format!("{inner} {head}"));
        } else if !inner.contains(' ') || inner == "U.S." {
            // "Virgin Islands (British)" → "British Virgin Islands".
            out.push(format!("{inner} {head}"));
        }
    } else if let Some((head, inner)) = name.split_once(", ") {
        // "Tanzania, the United Republic of", "Palestine, State of".
        out.push(head.to_owned());
        let inner = inner.strip_prefix("the ").unwrap_or(inner);
        if inner.ends_with(" of") {
            out.push(format!("{inner} {head}"));
        }
    } else {
        out.push(name.clone());
    }
    out
}

/// Countries whose bare short form is ambiguous between two codes, or is the
/// island's name rather than the state's: dropped from the automatic forms.
const AMBIGUOUS_SHORT_FORMS: &[&str] = &["Virgin Islands", "Congo"];

/// Adjectives, demonyms and common forms, by ISO code (plurals listed).
const COMMON_FORMS: &[(&str, &[&str])] = &[
    // Pacific Island countries and territories.
    ("AU", &["Australian", "Australians", "Aussie", "Aussies"]),
    (
        "NZ",
        &[
            "New Zealander",
            "New Zealanders",
            "Aotearoa",
            "Aotearoa New Zealand",
            "Kiwi",
            "Kiwis",
            "NZ",
            "N.Z.",
        ],
    ),
    ("FJ", &["Fijian", "Fijians", "Republic of Fiji"]),
    ("PG", &["Papua New Guinean", "Papua New Guineans", "PNG"]),
    (
        "SB",
        &[
            "Solomon Islander",
            "Solomon Islanders",
            "Solomons",
            "Solomon Islands",
        ],
    ),
    ("VU", &["Ni-Vanuatu", "Vanuatuan", "Republic of Vanuatu"]),
    ("NC", &["New Caledonian", "New Caledonians", "Kanaky"]),
    (
        "PF",
        &[
            "French Polynesian",
            "French Polynesians",
            "Tahiti",
            "Tahitian",
            "Tahitians",
        ],
    ),
    ("WS", &["Samoan", "Samoans", "Independent State of Samoa"]),
    ("AS", &["American Samoan", "American Samoans"]),
    ("TO", &["Tongan", "Tongans", "Kingdom of Tonga"]),
    ("TV", &["Tuvaluan", "Tuvaluans"]),
    ("KI", &["I-Kiribati", "Republic of Kiribati"]),
    ("NR", &["Nauruan", "Nauruans", "Republic of Nauru"]),
    (
        "MH",
        &[
            "Marshallese",
            "Marshall Islands",
            "Republic of the Marshall Islands",
            "RMI",
        ],
    ),
    ("FM", &["FSM", "Federated States of Micronesia"]),
    ("PW", &["Palauan", "Palauans", "Republic of Palau"]),
    ("CK", &["Cook Islands", "Cook Islander", "Cook Islanders"]),
    ("NU", &["Niuean", "Niueans"]),
    ("TK", &["Tokelauan", "Tokelauans"]),
    ("WF", &["Wallisian", "Futunan", "Wallis"]),
    ("GU", &["Guamanian", "Guamanians"]),
    ("MP", &["Northern Mariana Islands", "CNMI"]),
    ("PN", &["Pitcairn Islands", "Pitcairner", "Pitcairners"]),
    ("NF", &["Norfolk Islander"]),
    ("TL", &["Timorese", "East Timor", "East Timorese"]),
    // Partners and major donors.
    ("JP", &["Japanese"]),
    (
        "US",
        &[
            "American",
            "Americans",
            "United States",
            "US",
            "U.S.",
            "USA",
            "U.S.A.",
            "America",
        ],
    ),
    ("CN", &["Chinese", "People's Republic of China", "PRC"]),
    ("TW", &["Taiwanese", "Chinese Taipei", "Republic of China"]),
    (
        "KR",
        &[
            "Korea",
            "Korean",
            "Koreans",
            "South Korea",
            "South Korean",
            "South Koreans",
            "ROK",
        ],
    ),
    (
        "KP",
        &["North Korea", "North Korean", "North Koreans", "DPRK"],
    ),
    ("FR", &["French", "French Republic"]),
    (
        "GB",
        &[
            "British",
            "Briton",
            "Britons",
            "Britain",
            "Great Britain",
            "United Kingdom",
            "UK",
            "U.K.",
        ],
    ),
    ("IN", &["Indian", "Indians", "Republic of India"]),
    ("DE", &["German", "Germans"]),
    ("CA", &["Canadian", "Canadians"]),
    ("IT", &["Italian", "Italians"]),
    ("NL", &["Dutch", "Holland"]),
    ("NO", &["Norwegian", "Norwegians"]),
    ("SE", &["Swedish", "Swede", "Swedes"]),
    ("DK", &["Danish", "Dane", "Danes"]),
    ("FI", &["Finnish", "Finn", "Finns"]),
    ("CH", &["Swiss"]),
    ("ES", &["Spanish", "Spaniard", "Spaniards"]),
    ("IE", &["Irish"]),
    ("BE", &["Belgian", "Belgians"]),
    ("AT", &["Austrian", "Austrians"]),
    ("PT", &["Portuguese"]),
    ("LU", &["Luxembourgish", "Luxembourger"]),
    ("ID", &["Indonesian", "Indonesians"]),
    ("PH", &["Filipino", "Filipinos", "Philippine"]),
    ("SG", &["Singaporean", "Singaporeans"]),
    ("MY", &["Malaysian", "Malaysians"]),
    ("TH", &["Thai"]),
    ("VN", &["Vietnam", "Vietnamese"]),
    ("KH", &["Cambodian", "Cambodians"]),
    ("LA", &["Laos", "Lao", "Laotian"]),
    ("MM", &["Burma", "Burmese"]),
    ("BN", &["Brunei", "Bruneian"]),
    ("MN", &["Mongolian"]),
    ("BD", &["Bangladeshi"]),
    ("PK", &["Pakistani"]),
    ("LK", &["Sri Lankan"]),
    ("NP", &["Nepali", "Nepalese"]),
    ("RU", &["Russia", "Russian", "Russians"]),
    ("BR", &["Brazilian"]),
    ("MX", &["Mexican"]),
    ("CL", &["Chilean"]),
    ("PE", &["Peruvian"]),
    ("AE", &["Emirati", "UAE"]),
    ("SA", &["Saudi"]),
    ("QA", &["Qatari"]),
    ("KW", &["Kuwaiti"]),
    ("IL", &["Israeli", "Israelis"]),
    ("TR", &["Turkey", "Turkish"]),
    ("EG", &["Egyptian"]),
    ("ZA", &["South African"]),
    ("PL", &["Polish"]),
    ("GR", &["Greek"]),
    ("CZ", &["Czech Republic", "Czech"]),
    ("IR", &["Iranian"]),
    ("SY", &["Syria", "Syrian"]),
    ("VA", &["Vatican"]),
    ("CV", &["Cape Verde"]),
    ("SZ", &["Swaziland"]),
    ("CI", &["Ivory Coast"]),
    ("CD", &["DRC"]),
    ("CG", &["Congo", "Republic of Congo"]),
    ("JO", &["Jordanian"]),
    ("TD", &["Chadian"]),
    ("FK", &["Malvinas"]),
    ("BQ", &["Bonaire"]),
    ("CC", &["Cocos Islands", "Keeling Islands", "Cocos"]),
];

/// Group phrases that name a region, not a country.
const REGIONS: &[(&str, &[&str])] = &[
    (
        "pacific-islands",
        &[
            "Pacific Island countries",
            "Pacific Islands countries",
            "Pacific island countries",
            "Pacific Island Countries",
            "Pacific Island nations",
            "Pacific island nations",
            "Pacific Island states",
            "Pacific island states",
            "Pacific Island Countries and Territories",
            "Pacific Islands",
            "Pacific islands",
            "Pacific Islands region",
            "Pacific Islands Region",
            "Pacific Island region",
            "Pacific region",
            "Pacific Region",
            "Pacific SIDS",
            "Pacific Small Island Developing States",
            "Pacific small island developing states",
            "Blue Pacific",
            "Pacific",
        ],
    ),
    ("indo-pacific", &["Indo-Pacific", "Indo Pacific"]),
    ("asia-pacific", &["Asia-Pacific", "Asia Pacific"]),
    ("melanesia", &["Melanesia", "Melanesian"]),
    ("micronesia", &["Micronesian"]),
    ("polynesia", &["Polynesia", "Polynesian"]),
    ("european-union", &["European Union", "EU"]),
    (
        "southeast-asia",
        &[
            "Southeast Asia",
            "South-East Asia",
            "South East Asia",
            "ASEAN",
        ],
    ),
    ("latin-america", &["Latin America", "Latin American"]),
    ("caribbean", &["Caribbean"]),
    ("africa", &["Africa", "African"]),
];

/// Phrases that contain a country name without naming a country.
const BLOCKERS: &[&str] = &[
    "New Guinea",
    "Indian Ocean",
    "New Jersey",
    "New Mexico",
    "New South Wales",
    "North America",
    "North American",
    "South America",
    "South American",
    "Central America",
    "Central American",
    "Native American",
    "Korean Peninsula",
    "Virgin Islands",
    "Guinea pig",
];

/// Names that are also common personal names.
const PERSON_LIKE: &[&str] = &["Chad", "Jordan", "Georgia", "Israel", "Kenya", "Jersey"];

impl Gazetteer {
    fn build() -> Self {
        let countries = match read_codelist(COUNTRY_XML) {
            Ok(c) => c,
            Err(e) => {
                // Embedded and covered by tests; a failure here is a build defect.
                tracing::error!(error = %e, "embedded Country codelist does not parse");
                Vec::new()
            }
        };
        let mut g = Gazetteer {
            entries: Vec::new(),
            index: HashMap::new(),
            countries: Vec::new(),
        };
        for (code, forms) in COMMON_FORMS {
            for f in *forms {
                g.add(f, Target::Country((*code).to_owned()));
            }
        }
        for (id, forms) in REGIONS {
            for f in *forms {
                g.add(f, Target::Region(id));
            }
        }
        for b in BLOCKERS {
            g.add(b, Target::Block);
        }
        for c in countries.iter().filter(|c| !c.withdrawn) {
            for form in name_forms(&c.name) {
                if AMBIGUOUS_SHORT_FORMS.contains(&form.as_str()) {
                    continue;
                }
                // Curated forms above win over derived ones ("Korea" → KR).
                g.add(&form, Target::Country(c.code.clone()));
            }
        }
        g.countries = countries;
        for list in g.index.values_mut() {
            let entries = &g.entries;
            list.sort_by_key(|&i| std::cmp::Reverse(entries[i].tokens.len()));
        }
        g
    }

    /// Add a phrase unless the same phrase is already there.
    fn add(&mut self, phrase: &str, target: Target) {
        let tokens: Vec<String> = tokenize(phrase).iter().map(|t| t.raw.to_owned()).collect();
        let Some(first) = tokens.first() else { return };
        let key = first.to_uppercase();
        if self
            .index
            .get(&key)
            .is_some_and(|list| list.iter().any(|&i| self.entries[i].tokens == tokens))
        {
            return;
        }
        let single = tokens.len() == 1;
        let person_like = single && PERSON_LIKE.contains(&first.as_str());
        let entry = Entry {
            not_before_name: person_like || (single && first == "Pacific"),
            not_after_name: person_like,
            tokens,
            target,
        };
        self.entries.push(entry);
        let idx = self.entries.len() - 1;
        self.index.entry(key).or_default().push(idx);
    }

    /// The shared gazetteer.
    pub(crate) fn get() -> &'static Gazetteer {
        static G: LazyLock<Gazetteer> = LazyLock::new(Gazetteer::build);
        &G
    }

    /// The codelist name of `code`.
    fn country_name(&self, code: &str) -> Option<&str> {
        self.countries
            .iter()
            .find(|c| c.code == code)
            .map(|c| c.name.as_str())
    }

    /// Find all matches in `tokens` of `text`, leftmost-longest, non-overlapping.
    /// Blockers are returned too (callers drop them); they stop shorter matches.
    pub(crate) fn find(&self, text: &str, tokens: &[Token<'_>]) -> Vec<GazMatch> {
        let mut out: Vec<GazMatch> = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            // "Indo-Pacific": a word glued by a hyphen to a word that is not a
            // name itself belongs to a compound only a longer phrase can name;
            // "Japan-New Zealand" still gives both.
            let after_hyphen = i > 0 && !tokens[i - 1].is_word();
            let prev_named = out.last().is_some_and(|m| m.last + 1 == i);
            let m = if after_hyphen && !prev_named {
                None
            } else {
                self.match_at(text, tokens, i)
            };
            match m {
                Some(m) => {
                    i = m.last;
                    out.push(m);
                }
                None => i += 1,
            }
        }
        // "Melanesia, Micronesia and Polynesia" are the three sub-regions, not FSM.
        if out
            .iter()
            .any(|m| matches!(m.target, Target::Region("melanesia" | "polynesia")))
        {
            for m in &mut out {
                if m.target == Target::Country("FM".into()) && m.last - m.first == 1 {
                    m.target = Target::Region("micronesia");
                }
            }
        }
        out
    }

    fn match_at(&self, text: &str, tokens: &[Token<'_>], i: usize) -> Option<GazMatch> {
        let first = tokens.get(i)?;
        if !first.is_word() {
            return None;
        }
        let list = self.index.get(&first.raw.to_uppercase()).or_else(|| {
            (first.stem != first.raw)
                .then(|| self.index.get(&first.stem.to_uppercase()))
                .flatten()
        })?;
        for &ei in list {
            let e = &self.entries[ei];
            let n = e.tokens.len();
            if i + n > tokens.len() {
                continue;
            }
            let span = &tokens[i..i + n];
            let ok = span.iter().enumerate().all(|(k, t)| {
                let written = if k + 1 == n { t.stem } else { t.raw };
                let adjacent = k == 0 || joined(text, &span[k - 1], t);
                adjacent && token_eq(written, &e.tokens[k])
            });
            if !ok {
                continue;
            }
            // Without a possessive ending: "New Zealand’s" names "New Zealand".
            let (start, end) = (span[0].start, span[n - 1].start + span[n - 1].stem.len());
            let before = text[..start].chars().next_back();
            let after = text[span[n - 1].start + span[n - 1].stem.len()..]
                .chars()
                .next();
            // Currency prefixes ("NZ$", "US$", "$US") are money, not mentions.
            if after == Some('$') || before == Some('$') {
                return None;
            }
            if e.not_before_name
                && tokens.get(i + n).is_some_and(|t| {
                    t.is_word() && t.is_capitalised() && joined(text, &span[n - 1], t)
                })
            {
                continue;
            }
            if e.not_after_name
                && i > 0
                && tokens[i - 1].is_capitalised()
                && joined(text, &tokens[i - 1], first)
                && !is_sentence_start(text, &tokens[i - 1])
                && !FUNCTION_WORDS.contains(&tokens[i - 1].raw)
            {
                continue;
            }
            return Some(GazMatch {
                target: e.target.clone(),
                first: i,
                last: i + n,
                start,
                end,
            });
        }
        None
    }
}

/// Capitalised words that do not make the next word part of a personal name.
const FUNCTION_WORDS: &[&str] = &[
    "In", "To", "From", "The", "And", "With", "For", "Of", "On", "At", "By", "Both", "Neither",
];

fn is_sentence_start(text: &str, t: &Token<'_>) -> bool {
    text[..t.start]
        .chars()
        .rev()
        .find(|c| !c.is_whitespace() && !matches!(c, '"' | '“' | '‘' | '\'' | '('))
        .is_none_or(|c| matches!(c, '.' | '!' | '?' | ':'))
}

/// Case-sensitive equality; an all-capitals written word (of two or more
/// letters) also matches the capitalised form, for headlines.
fn token_eq(written: &str, phrase: &str) -> bool {
    if written == phrase {
        return true;
    }
    let letters = written.chars().filter(|c| c.is_alphabetic()).count();
    letters > 1 && written.chars().all(|c| !c.is_lowercase()) && written == phrase.to_uppercase()
}

/// The codelist name of an ISO 3166-1 alpha-2 `code` ("NZ" → "New Zealand").
pub fn country_name(code: &str) -> Option<&'static str> {
    Gazetteer::get().country_name(code)
}

/// Countries named in `text`, as ISO 3166-1 alpha-2 codes in order of first
/// mention, deduplicated. The same matcher [`crate::extract`] uses.
pub fn countries_in(text: &str) -> Vec<String> {
    let tokens = tokenize(text);
    let mut out: Vec<String> = Vec::new();
    for m in Gazetteer::get().find(text, &tokens) {
        if let Target::Country(c) = m.target
            && !out.contains(&c)
        {
            out.push(c);
        }
    }
    out
}

/// Named regions in `text` (`pacific-islands`, `indo-pacific`, …), in order.
pub fn regions_in(text: &str) -> Vec<String> {
    let tokens = tokenize(text);
    let mut out: Vec<String> = Vec::new();
    for m in Gazetteer::get().find(text, &tokens) {
        if let Target::Region(r) = m.target
            && !out.iter().any(|o| o == r)
        {
            out.push(r.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(s: &str) -> Vec<String> {
        let tokens = tokenize(s);
        Gazetteer::get()
            .find(s, &tokens)
            .into_iter()
            .filter_map(|m| match m.target {
                Target::Country(c) => Some(c),
                Target::Region(r) => Some(format!("region:{r}")),
                Target::Block => None,
            })
            .collect()
    }

    #[test]
    fn embedded_codelist_is_read_whole() {
        let g = Gazetteer::get();
        assert_eq!(g.countries.len(), 251);
        assert_eq!(g.country_name("NZ"), Some("New Zealand"));
        assert!(g.countries.iter().any(|c| c.code == "AN" && c.withdrawn));
    }

    #[test]
    fn name_forms_turn_codelist_names_into_everyday_ones() {
        assert_eq!(
            name_forms("Korea (the Republic of)"),
            vec!["Korea", "Republic of Korea"]
        );
        assert_eq!(
            name_forms("Micronesia (Federated States of)"),
            vec!["Micronesia", "Federated States of Micronesia"]
        );
        assert_eq!(
            name_forms("Congo (the Democratic Republic of the)"),
            vec!["Congo", "Democratic Republic of the Congo"]
        );
        assert_eq!(
            name_forms("Virgin Islands (British)"),
            vec!["Virgin Islands", "British Virgin Islands"]
        );
        assert_eq!(
            name_forms("Tanzania, the United Republic of"),
            vec!["Tanzania", "United Republic of Tanzania"]
        );
        assert_eq!(name_forms("Cook Islands (the)"), vec!["Cook Islands"]);
        assert_eq!(name_forms("Taiwan (Province of China)"), vec!["Taiwan"]);
    }

    #[test]
    fn longest_match_and_blockers() {
        assert_eq!(codes("American Samoa and Samoa"), vec!["AS", "WS"]);
        assert_eq!(
            codes("Papua New Guinea, not New Guinea or Guinea"),
            vec!["PG", "GN"]
        );
        assert_eq!(codes("the Indian Ocean and Indian aid"), vec!["IN"]);
        assert_eq!(
            codes("Japan's Free and Open Indo-Pacific vision"),
            vec!["JP", "region:indo-pacific"]
        );
        assert_eq!(
            codes("Guinea-Bissau and Equatorial Guinea"),
            vec!["GW", "GQ"]
        );
    }

    #[test]
    fn lowercase_words_and_person_names_do_not_match() {
        assert!(codes("a turkey from chad").is_empty());
        assert!(codes("Officials met Chad Smith and Michael Jordan.").is_empty());
        assert_eq!(codes("Aid went to Chad and Jordan."), vec!["TD", "JO"]);
        assert_eq!(codes("Georgia signed."), vec!["GE"]);
    }

    #[test]
    fn currency_prefixes_are_not_country_mentions() {
        assert!(codes("NZ$3m and US$5 million and $US2m").is_empty());
        assert_eq!(codes("NZ aid"), vec!["NZ"]);
    }

    #[test]
    fn pacific_alone_is_the_region_but_not_in_a_proper_name() {
        assert_eq!(
            codes("cooperate in the Pacific."),
            vec!["region:pacific-islands"]
        );
        assert!(codes("the Pacific Reset").is_empty());
        assert_eq!(
            codes("Pacific Island countries’ priorities"),
            vec!["region:pacific-islands"]
        );
    }

    #[test]
    fn hyphenated_pairs_and_sub_regions() {
        assert_eq!(codes("the Japan-New Zealand partnership"), vec!["JP", "NZ"]);
        assert_eq!(
            codes("across Melanesia, Micronesia and Polynesia"),
            vec!["region:melanesia", "region:micronesia", "region:polynesia"]
        );
        assert_eq!(codes("the President of Micronesia"), vec!["FM"]);
    }

    #[test]
    fn headline_capitals_match() {
        assert_eq!(codes("NEW ZEALAND AND JAPAN"), vec!["NZ", "JP"]);
    }
}
