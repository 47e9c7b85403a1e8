//! Extraction: what a release names, each finding with its evidence sentence.
//!
//! [`extract`] prepares every sentence once (tokens, gazetteer and lexicon
//! matches) and runs the finders over them:
//! - countries and regions (title and body, order of first mention);
//! - priority areas and frameworks (title and body; "the Joint Declaration" is
//!   resolved to the framework named before it);
//! - people and roles, amounts of money, dates, and candidate commitments (body
//!   only: a headline restates the body, and counting it would double amounts
//!   and commitments).
//!
//! Evidence is always the full sentence in which a thing was found. This module
//! must not do I/O or change the release.

mod commitments;
mod dates;
mod money;
mod people;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use dates::DatePrecision;
pub use money::CurrencyBasis;

use crate::gazetteer::{Gazetteer, Target};
use crate::lexicon::{Compiled, Lexicon, Term, TermMatch};
use crate::release::{Location, Release};
use crate::text::{fold_phrase, tokenize};
use people::Prepared;

/// One place a thing was named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// Title or body sentence.
    pub location: Location,
    /// The words as written ("Japanese", "the Joint Declaration").
    pub surface: String,
    /// A generic phrase resolved to something named earlier.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub back_reference: bool,
}

/// A country, region, area or framework found in a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// ISO 3166-1 alpha-2 code, region id, area id or framework id.
    pub id: String,
    /// The sentence of the first mention.
    pub evidence: String,
    /// Every mention, in order.
    pub mentions: Vec<Mention>,
}

/// A person named in the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Name without honorifics ("Winston Peters").
    pub name: String,
    /// Role as written in the release, title-cased ("Foreign Minister").
    pub role: Option<String>,
    /// ISO 3166-1 alpha-2 code, when the text or the release says it.
    pub country: Option<String>,
    /// Honorifics seen with the name ("Mr", "Rt Hon").
    pub honorifics: Vec<String>,
    /// For a counterpart: whose role they mirror.
    pub counterpart_of: Option<String>,
    /// Listed under `ministers` in the front matter.
    pub minister: bool,
    /// The sentence of the first mention.
    pub evidence: String,
    pub mentions: Vec<Mention>,
}

/// An amount of money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    /// Exact value in currency units (`7900000`).
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
    /// ISO 4217 code; `None` only in [`Extraction::unresolved_amounts`].
    pub currency: Option<String>,
    /// How the currency was decided.
    pub currency_basis: CurrencyBasis,
    /// "up to", "more than", … when written before the amount.
    pub qualifier: Option<String>,
    /// The amount as written ("NZ$3m").
    pub surface: String,
    pub location: Location,
    /// The sentence it is in.
    pub evidence: String,
}

/// A date mentioned in the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateMention {
    /// `YYYY-MM-DD`, or `YYYY-MM` for a month.
    pub date: String,
    pub precision: DatePrecision,
    /// The relative phrase ("last night") when the date was computed from the
    /// release date.
    pub relative: Option<String>,
    /// The year was not written and was taken from the release date.
    pub year_inferred: bool,
    /// The date as written.
    pub surface: String,
    pub location: Location,
    pub evidence: String,
}

/// Review state of a candidate commitment. Extraction only makes drafts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentStatus {
    Draft,
}

/// Why a commitment is linked to its framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FrameworkBasis {
    /// Named (or referred back to) in the same sentence.
    Sentence,
    /// Named in the sentence before ("… issued a Joint Declaration. It includes …").
    PreviousSentence,
    /// The first framework the release names.
    Release,
}

/// A sentence that reads as an undertaking by partners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitment {
    /// The sentence.
    pub text: String,
    pub status: CommitmentStatus,
    /// The undertaking wording that was matched ("will jointly implement").
    pub trigger: String,
    pub location: Location,
    /// Countries named in the sentence (ISO codes, order of mention), then the
    /// countries of the people named in it.
    pub partners: Vec<String>,
    /// Area ids named in the sentence.
    pub areas: Vec<String>,
    /// Amounts in the sentence.
    pub amounts: Vec<Amount>,
    /// The framework the undertaking belongs to.
    pub framework: Option<String>,
    pub framework_basis: Option<FrameworkBasis>,
}

/// Where the issuing country came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IssuingBasis {
    /// A government domain (`*.govt.nz`, `*.go.jp`, …).
    UrlHost,
    /// The body names a front-matter minister with their country.
    Ministers,
}

/// The country whose government issued the release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuingCountry {
    pub code: String,
    pub basis: IssuingBasis,
}

/// Everything found in one release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Extraction {
    pub issuing_country: Option<IssuingCountry>,
    /// Countries named (ISO 3166-1 alpha-2), order of first mention.
    pub countries: Vec<Finding>,
    /// Named regions (`pacific-islands`, `indo-pacific`, …).
    pub regions: Vec<Finding>,
    /// Priority areas (lexicon ids), order of first mention.
    pub areas: Vec<Finding>,
    /// Frameworks (lexicon ids), order of first mention.
    pub frameworks: Vec<Finding>,
    pub people: Vec<Person>,
    /// Amounts whose currency is known.
    pub amounts: Vec<Amount>,
    /// Amounts written with a bare `$` when no issuing country is known.
    pub unresolved_amounts: Vec<Amount>,
    pub dates: Vec<DateMention>,
    pub commitments: Vec<Commitment>,
}

/// Government web domains and their country.
const GOV_DOMAINS: &[(&str, &str)] = &[
    ("govt.nz", "NZ"),
    ("go.jp", "JP"),
    ("gov.au", "AU"),
    ("gov.fj", "FJ"),
    ("gov.uk", "GB"),
    ("gouv.fr", "FR"),
    ("gov.ws", "WS"),
    ("gov.to", "TO"),
    ("gov.pg", "PG"),
    ("gov.sb", "SB"),
    ("gov.vu", "VU"),
    ("gov.ki", "KI"),
    ("gov.tv", "TV"),
    ("gov.nr", "NR"),
    ("gov.ck", "CK"),
    ("gov.nu", "NU"),
    ("gov.pw", "PW"),
    ("gov.fm", "FM"),
    ("gov.sg", "SG"),
    ("go.kr", "KR"),
    ("gov.cn", "CN"),
    ("gov.in", "IN"),
    ("gc.ca", "CA"),
    ("canada.ca", "CA"),
    ("gov", "US"),
];

/// The dollar of a country, for a bare `$`.
fn dollar_of(country: &str) -> Option<&'static str> {
    Some(match country {
        "NZ" | "CK" | "NU" | "TK" | "PN" => "NZD",
        "AU" | "KI" | "TV" | "NR" | "NF" => "AUD",
        "US" | "PW" | "FM" | "MH" | "AS" | "GU" | "MP" | "TL" | "EC" | "SV" => "USD",
        "FJ" => "FJD",
        "SB" => "SBD",
        "WS" => "WST",
        "TO" => "TOP",
        "CA" => "CAD",
        "SG" => "SGD",
        "HK" => "HKD",
        "TW" => "TWD",
        _ => return None,
    })
}

fn country_from_host(host: &str) -> Option<&'static str> {
    GOV_DOMAINS
        .iter()
        .find(|(d, _)| host == *d || host.ends_with(&format!(".{d}")))
        .map(|(_, c)| *c)
}

/// Add a mention of `id` to `list`, keeping first-mention order.
fn add_finding(list: &mut Vec<Finding>, id: &str, mention: Mention, evidence: &str) {
    match list.iter_mut().find(|f| f.id == id) {
        Some(f) => f.mentions.push(mention),
        None => list.push(Finding {
            id: id.to_owned(),
            evidence: evidence.to_owned(),
            mentions: vec![mention],
        }),
    }
}

/// Extract countries, regions, areas, frameworks, people, amounts, dates and
/// candidate commitments from `release`, using `lexicon` for areas and frameworks.
pub fn extract(release: &Release, lexicon: &Lexicon) -> Extraction {
    let gaz = Gazetteer::get();
    let compiled = Compiled::new(lexicon);
    let mut ex = Extraction::default();

    let locations = std::iter::once((Location::Title, release.title.as_str())).chain(
        release
            .sentences
            .iter()
            .enumerate()
            .map(|(i, s)| (Location::Sentence(i), s.text.as_str())),
    );
    // Index 0 is the title, index k > 0 is body sentence k - 1.
    let (prepared, term_matches): (Vec<Prepared<'_>>, Vec<Vec<TermMatch>>) = locations
        .map(|(location, text)| {
            let tokens = tokenize(text);
            let gaz = gaz.find(text, &tokens);
            (
                Prepared {
                    location,
                    text,
                    tokens,
                    gaz,
                },
                compiled.find(text),
            )
        })
        .unzip();

    // Countries, regions, areas, frameworks.
    let mut last_framework: Option<usize> = None;
    // Framework ids found per location, for commitments.
    let mut frameworks_at: Vec<Vec<String>> = Vec::with_capacity(prepared.len());
    for (p, terms) in prepared.iter().zip(&term_matches) {
        for m in &p.gaz {
            let mention = Mention {
                location: p.location,
                surface: p.text[m.start..m.end].to_owned(),
                back_reference: false,
            };
            match &m.target {
                Target::Country(code) => add_finding(&mut ex.countries, code, mention, p.text),
                Target::Region(id) => add_finding(&mut ex.regions, id, mention, p.text),
                Target::Block => {}
            }
        }
        let mut here = Vec::new();
        for m in terms {
            let surface = p.text[m.start..m.end].to_owned();
            let (list, idx, back) = match m.term {
                Term::Area(i) => (&mut ex.areas, lexicon.areas.get(i).map(|a| &a.id), false),
                Term::Framework(i) => {
                    last_framework = Some(i);
                    (
                        &mut ex.frameworks,
                        lexicon.frameworks.get(i).map(|f| &f.id),
                        false,
                    )
                }
                // A back-reference names the framework named last, when that
                // framework lists the phrase among its back-references.
                Term::FrameworkBackRef(_) => match last_framework {
                    Some(prev)
                        if lexicon.frameworks.get(prev).is_some_and(|f| {
                            f.back_references
                                .iter()
                                .any(|r| fold_phrase(r) == fold_phrase(&surface))
                        }) =>
                    {
                        (
                            &mut ex.frameworks,
                            lexicon.frameworks.get(prev).map(|f| &f.id),
                            true,
                        )
                    }
                    _ => {
                        tracing::debug!(
                            surface,
                            "generic framework reference with no matching framework named before it"
                        );
                        continue;
                    }
                },
            };
            let Some(id) = idx else { continue };
            add_finding(
                list,
                id,
                Mention {
                    location: p.location,
                    surface,
                    back_reference: back,
                },
                p.text,
            );
            if matches!(m.term, Term::Framework(_) | Term::FrameworkBackRef(_))
                && !here.contains(id)
            {
                here.push(id.clone());
            }
        }
        frameworks_at.push(here);
    }

    // People (body only).
    ex.people = people::find(prepared.get(1..).unwrap_or_default());

    // Issuing country: the government domain, else a front-matter minister the
    // body places in a country.
    let host_country = release.host().as_deref().and_then(country_from_host);
    for person in &mut ex.people {
        if let Some(m) = release
            .ministers
            .iter()
            .find(|m| m.name == person.name || people_surname_match(&m.name, &person.name))
        {
            // "Ministers Ruatapu and …": the front matter has the full name.
            person.name.clone_from(&m.name);
            person.minister = true;
            for m in release.ministers.iter().filter(|m| m.name == person.name) {
                for h in &m.honorifics {
                    if !person.honorifics.contains(h) {
                        person.honorifics.push(h.clone());
                    }
                }
            }
        }
    }
    ex.issuing_country = match host_country {
        Some(c) => Some(IssuingCountry {
            code: c.to_owned(),
            basis: IssuingBasis::UrlHost,
        }),
        None => ex
            .people
            .iter()
            .find(|p| p.minister && p.country.is_some())
            .and_then(|p| p.country.clone())
            .map(|code| IssuingCountry {
                code,
                basis: IssuingBasis::Ministers,
            }),
    };
    if let Some(issuer) = &ex.issuing_country {
        for person in ex
            .people
            .iter_mut()
            .filter(|p| p.minister && p.country.is_none())
        {
            person.country = Some(issuer.code.clone());
        }
    }
    let dollar = ex.issuing_country.as_ref().and_then(|c| dollar_of(&c.code));

    // Amounts and dates (body only).
    let mut amounts_at: Vec<Vec<Amount>> = vec![Vec::new(); prepared.len()];
    for (k, p) in prepared.iter().enumerate().skip(1) {
        for a in money::find(p.text, dollar) {
            let amount = Amount {
                value: a.value,
                currency: a.currency,
                currency_basis: a.basis,
                qualifier: a.qualifier,
                surface: p.text[a.start..a.end].to_owned(),
                location: p.location,
                evidence: p.text.to_owned(),
            };
            if amount.currency.is_some() {
                amounts_at[k].push(amount.clone());
                ex.amounts.push(amount);
            } else {
                ex.unresolved_amounts.push(amount);
            }
        }
        for d in dates::find(p.text, &p.tokens, release.date) {
            ex.dates.push(DateMention {
                date: d.iso,
                precision: d.precision,
                relative: d.relative,
                year_inferred: d.year_inferred,
                surface: p.text[d.start..d.end].to_owned(),
                location: p.location,
                evidence: p.text.to_owned(),
            });
        }
    }

    // Candidate commitments (body only).
    let release_framework = ex.frameworks.first().map(|f| f.id.clone());
    for (k, (p, terms)) in prepared.iter().zip(&term_matches).enumerate().skip(1) {
        let Some(trigger) = commitments::trigger(p.text, !amounts_at[k].is_empty()) else {
            continue;
        };
        let mut partners: Vec<String> = Vec::new();
        for m in &p.gaz {
            if let Target::Country(c) = &m.target
                && !partners.contains(c)
            {
                partners.push(c.clone());
            }
        }
        {
            // The people named in the sentence speak for their countries too.
            for person in &ex.people {
                if person.mentions.iter().any(|m| m.location == p.location)
                    && let Some(c) = &person.country
                    && !partners.contains(c)
                {
                    partners.push(c.clone());
                }
            }
        }
        let mut areas: Vec<String> = Vec::new();
        for m in terms {
            if let Term::Area(i) = m.term
                && let Some(a) = lexicon.areas.get(i)
                && !areas.contains(&a.id)
            {
                areas.push(a.id.clone());
            }
        }
        let (framework, framework_basis) = if let Some(f) = frameworks_at[k].first() {
            (Some(f.clone()), Some(FrameworkBasis::Sentence))
        } else if k > 1
            && let Some(f) = frameworks_at[k - 1].first()
        {
            (Some(f.clone()), Some(FrameworkBasis::PreviousSentence))
        } else if let Some(f) = &release_framework {
            (Some(f.clone()), Some(FrameworkBasis::Release))
        } else {
            (None, None)
        };
        ex.commitments.push(Commitment {
            text: p.text.to_owned(),
            status: CommitmentStatus::Draft,
            trigger,
            location: p.location,
            partners,
            areas,
            amounts: amounts_at[k].clone(),
            framework,
            framework_basis,
        });
    }
    tracing::debug!(
        source = release.source_name,
        countries = ex.countries.len(),
        areas = ex.areas.len(),
        people = ex.people.len(),
        amounts = ex.amounts.len(),
        commitments = ex.commitments.len(),
        "extracted release"
    );
    ex
}

/// "Winston Peters" in the front matter and "Peters" met alone in the body.
fn people_surname_match(minister: &str, person: &str) -> bool {
    !person.contains(' ') && minister.rsplit(' ').next() == Some(person)
}
