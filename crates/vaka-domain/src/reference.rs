//! Reference data about Pacific countries and their national plans, embedded
//! from `data/pacific/countries.csv` and `data/pacific/national-plans.csv`.
//!
//! [`Country::bundled`] and [`NationalPlan::bundled`] parse the embedded CSV;
//! the `*_from_csv` functions parse any file in the same layout and report
//! the line and column of what they reject. [`PillarRule`]s map a plan's
//! pillars to DAC sectors so that activities can be aligned to a plan.
//!
//! This module must not change the data it reads: gaps stay `None`, notes stay
//! as written.

use serde::{Deserialize, Serialize};

use crate::codes::is_iso_country;
use crate::framework::is_kebab_id;

const COUNTRIES_CSV: &str = include_str!("../../../data/pacific/countries.csv");
const PLANS_CSV: &str = include_str!("../../../data/pacific/national-plans.csv");

/// Why a reference-data file was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("{file}: {source}")]
    Csv {
        file: String,
        #[source]
        source: csv::Error,
    },
    #[error("{file}:{line}: column `{column}`: {message}")]
    Invalid {
        file: String,
        line: u64,
        column: String,
        message: String,
    },
}

/// A Pacific country or territory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Country {
    pub iso2: String,
    pub iso3: String,
    pub name: String,
    pub capital: String,
    /// UN M49 subregion name (`Melanesia`, `Micronesia`, `Polynesia`, …).
    pub subregion: String,
    pub pif_member: bool,
    /// On the DAC List of ODA Recipients for 2024–2025 flows.
    pub oda_eligible: bool,
    /// A UN Small Island Developing State.
    pub sids: bool,
    pub population: Option<u64>,
    pub land_area_km2: Option<f64>,
    /// Approximate centroid `(lat, lon)`.
    pub centroid: (f64, f64),
    /// DAC region (`889` "Oceania, regional").
    pub dac_region_code: String,
    /// DAC subregion (`1033` Melanesia, `1034` Micronesia, `1035` Polynesia), if any.
    pub dac_subregion_code: Option<String>,
}

#[derive(Deserialize)]
struct RawCountry {
    iso2: String,
    iso3: String,
    name: String,
    capital: String,
    subregion_un_m49: String,
    pif_member: String,
    oda_eligible_2024_2025: String,
    sids_un: String,
    population: String,
    land_area_km2: String,
    centroid_lat: String,
    centroid_lon: String,
    dac_region_code: String,
    dac_subregion_code: String,
}

impl Country {
    /// The countries and territories in the bundled `countries.csv`, in file order.
    pub fn bundled() -> Vec<Country> {
        countries_from_csv("countries.csv", COUNTRIES_CSV).unwrap_or_else(|e| {
            tracing::error!(error = %e, "bundled countries.csv does not parse");
            Vec::new()
        })
    }

    /// The bundled country with this ISO 3166-1 alpha-2 code.
    pub fn by_iso2(iso2: &str) -> Option<Country> {
        Country::bundled().into_iter().find(|c| c.iso2 == iso2)
    }
}

/// Parse a file laid out like `data/pacific/countries.csv`.
pub fn countries_from_csv(file: &str, text: &str) -> Result<Vec<Country>, ReferenceError> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut out = Vec::new();
    for row in reader.deserialize::<RawCountry>() {
        let raw = row.map_err(|source| ReferenceError::Csv {
            file: file.to_owned(),
            source,
        })?;
        // +2: the header is line 1 and rows are counted from 0.
        let line = out.len() as u64 + 2;
        let invalid = |column: &str, message: String| ReferenceError::Invalid {
            file: file.to_owned(),
            line,
            column: column.to_owned(),
            message,
        };
        if !is_iso_country(&raw.iso2) {
            return Err(invalid(
                "iso2",
                format!("`{}` is not an ISO 3166-1 alpha-2 code", raw.iso2),
            ));
        }
        let yes_no = |column: &str, v: &str| match v.trim() {
            "y" => Ok(true),
            "n" => Ok(false),
            other => Err(invalid(column, format!("`{other}` is not `y` or `n`"))),
        };
        let number = |column: &str, v: &str| -> Result<Option<f64>, ReferenceError> {
            let v = v.trim();
            if v.is_empty() {
                return Ok(None);
            }
            v.parse::<f64>()
                .map(Some)
                .map_err(|_| invalid(column, format!("`{v}` is not a number")))
        };
        let population = match raw.population.trim() {
            "" => None,
            v => Some(
                v.parse::<u64>()
                    .map_err(|_| invalid("population", format!("`{v}` is not a whole number")))?,
            ),
        };
        let lat = number("centroid_lat", &raw.centroid_lat)?
            .ok_or_else(|| invalid("centroid_lat", "missing".into()))?;
        let lon = number("centroid_lon", &raw.centroid_lon)?
            .ok_or_else(|| invalid("centroid_lon", "missing".into()))?;
        out.push(Country {
            iso2: raw.iso2,
            iso3: raw.iso3,
            name: raw.name,
            capital: raw.capital,
            subregion: raw.subregion_un_m49,
            pif_member: yes_no("pif_member", &raw.pif_member)?,
            oda_eligible: yes_no("oda_eligible_2024_2025", &raw.oda_eligible_2024_2025)?,
            sids: yes_no("sids_un", &raw.sids_un)?,
            population,
            land_area_km2: number("land_area_km2", &raw.land_area_km2)?,
            centroid: (lat, lon),
            dac_region_code: raw.dac_region_code,
            dac_subregion_code: Some(raw.dac_subregion_code).filter(|s| !s.trim().is_empty()),
        });
    }
    Ok(out)
}

/// A country's national development plan and its pillars (priority areas).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NationalPlan {
    pub iso3: String,
    /// Derived from `iso3` through the bundled countries list.
    pub iso2: String,
    pub country: String,
    /// Empty when no current plan was found (see `verification`).
    pub plan_name: String,
    pub period: String,
    pub vision: String,
    pub pillars: Vec<Pillar>,
    pub source_url: String,
    pub notes: String,
    /// How far the entry was confirmed (`confirmed`, `partial`, `not found`, …).
    pub verification: String,
}

/// One pillar of a national plan. Ids are derived from the name, so they stay
/// stable as long as the CSV wording does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pillar {
    pub id: String,
    pub name: String,
}

#[derive(Deserialize)]
struct RawPlan {
    iso3: String,
    country: String,
    plan_name: String,
    period: String,
    vision_or_theme: String,
    priority_areas: String,
    verification: String,
    source_url: String,
    notes: String,
}

impl NationalPlan {
    /// The plans in the bundled `national-plans.csv`, in file order.
    pub fn bundled() -> Vec<NationalPlan> {
        plans_from_csv("national-plans.csv", PLANS_CSV, &Country::bundled()).unwrap_or_else(|e| {
            tracing::error!(error = %e, "bundled national-plans.csv does not parse");
            Vec::new()
        })
    }

    /// Whether the plan's pillars are known (false for "not found" entries and
    /// plans whose pillar names were not confirmed).
    pub fn has_pillars(&self) -> bool {
        !self.pillars.is_empty()
    }

    /// The heuristic sector rule of each pillar, see [`PillarRule`].
    pub fn pillar_rules(&self) -> Vec<PillarRule> {
        self.pillars.iter().map(PillarRule::for_pillar).collect()
    }

    /// Pillars a set of DAC sector codes (5- or 3-digit) aligns with, each with
    /// the codes that matched. Heuristic, see [`PillarRule`].
    pub fn align(&self, sector_codes: &[&str]) -> Vec<(Pillar, Vec<String>)> {
        self.pillar_rules()
            .into_iter()
            .zip(&self.pillars)
            .filter_map(|(rule, pillar)| {
                let hits: Vec<String> = sector_codes
                    .iter()
                    .filter(|c| rule.matches(c))
                    .map(|c| (*c).to_owned())
                    .collect();
                (!hits.is_empty()).then(|| (pillar.clone(), hits))
            })
            .collect()
    }
}

/// Parse a file laid out like `data/pacific/national-plans.csv`; `countries`
/// resolves ISO3 to ISO2.
pub fn plans_from_csv(
    file: &str,
    text: &str,
    countries: &[Country],
) -> Result<Vec<NationalPlan>, ReferenceError> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut out = Vec::new();
    for row in reader.deserialize::<RawPlan>() {
        let raw = row.map_err(|source| ReferenceError::Csv {
            file: file.to_owned(),
            source,
        })?;
        let line = out.len() as u64 + 2;
        let Some(country) = countries.iter().find(|c| c.iso3 == raw.iso3) else {
            return Err(ReferenceError::Invalid {
                file: file.to_owned(),
                line,
                column: "iso3".into(),
                message: format!("`{}` is not in the countries list", raw.iso3),
            });
        };
        // A plan that was not found keeps its row (the gap is information) but
        // has no name; strip the parenthesised placeholder.
        let plan_name = if raw.plan_name.trim().starts_with('(') {
            String::new()
        } else {
            raw.plan_name.trim().to_owned()
        };
        out.push(NationalPlan {
            iso3: raw.iso3,
            iso2: country.iso2.clone(),
            country: raw.country,
            plan_name,
            period: raw.period,
            vision: raw.vision_or_theme,
            pillars: split_pillars(&raw.priority_areas),
            source_url: raw.source_url,
            notes: raw.notes,
            verification: raw.verification,
        });
    }
    Ok(out)
}

/// Split the `priority_areas` cell into pillars.
///
/// The cell separates pillars with `;`, but also holds editorial notes:
/// parenthesised remarks (`(energy; transport; ICT)`, whose `;` are not
/// separators), label sentences (`… (KV20 pillars). KDP key policy areas: …`)
/// and placeholders (`(pillar names not confirmed …)`). Parentheses are
/// dropped, a `Label:` prefix is dropped, and duplicates (by id) are kept once.
pub fn split_pillars(cell: &str) -> Vec<Pillar> {
    let mut pieces = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for ch in cell.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ';' if depth == 0 => pieces.push(std::mem::take(&mut current)),
            // A sentence break outside parentheses starts a new pillar too.
            '.' if depth == 0 => pieces.push(std::mem::take(&mut current)),
            _ if depth == 0 => current.push(ch),
            _ => {}
        }
    }
    pieces.push(current);

    let mut out: Vec<Pillar> = Vec::new();
    for piece in pieces {
        let piece = match piece.rfind(':') {
            Some(i) => &piece[i + 1..],
            None => piece.as_str(),
        };
        let name = piece.split_whitespace().collect::<Vec<_>>().join(" ");
        let id = kebab(&name);
        if id.is_empty() || out.iter().any(|p| p.id == id) {
            continue;
        }
        out.push(Pillar { id, name });
    }
    out
}

/// Lowercase kebab-case of a name: ASCII letters and digits kept, anything
/// else a separator (`political institutions / governance` →
/// `political-institutions-governance`).
pub fn kebab(name: &str) -> String {
    let mut out = String::new();
    for word in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    debug_assert!(out.is_empty() || is_kebab_id(&out));
    out
}

/// Which DAC sectors serve a plan pillar.
///
/// **Heuristic.** Plans name pillars in prose, not in DAC codes. Each pillar
/// gets the DAC categories (3-digit) and purpose codes (5-digit) whose topic
/// words appear in its name (`health` → 121, 122, 123; `water` → 140; …). It
/// answers "could this activity serve that pillar?", never "does it?"; show it
/// as a suggestion, not as a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PillarRule {
    pub pillar_id: String,
    /// 3- or 5-digit DAC codes; a 5-digit code matches exactly, a 3-digit
    /// code matches its category.
    pub sectors: Vec<String>,
    /// The topic words of the pillar name that produced the codes.
    pub topics: Vec<String>,
}

/// Topic word → DAC codes. Words are matched as whole words in the
/// lower-cased pillar name.
const TOPICS: &[(&str, &[&str])] = &[
    ("health", &["121", "122", "123", "130"]),
    ("education", &["111", "112", "113", "114"]),
    ("human capital", &["111", "112", "113", "114"]),
    ("skilled", &["113", "114"]),
    ("water", &["140"]),
    ("sanitation", &["140"]),
    ("waste", &["14050"]),
    ("energy", &["230", "231", "232", "233", "234", "235", "236"]),
    ("transport", &["210"]),
    (
        "infrastructure",
        &["140", "210", "220", "230", "231", "232", "236"],
    ),
    ("utilities", &["140", "230", "236"]),
    ("ict", &["220"]),
    ("connectivity", &["210", "220"]),
    ("connect", &["210", "220"]),
    ("digital", &["220"]),
    ("technology", &["220", "43082"]),
    ("research", &["43082"]),
    ("science", &["43082"]),
    ("environment", &["410"]),
    ("environmental", &["410"]),
    ("natural resource", &["410"]),
    ("pollution", &["41020"]),
    ("climate", &["410", "43060", "740"]),
    ("resilience", &["43060", "740"]),
    ("resilient", &["43060", "740"]),
    ("disaster", &["43060", "740"]),
    ("governance", &["151"]),
    ("government", &["151"]),
    ("institutions", &["151"]),
    ("public finance", &["15111", "15114"]),
    ("revenue", &["15114"]),
    ("statistics", &["16062"]),
    ("public service", &["15110"]),
    ("rule of law", &["15130"]),
    ("justice", &["15130"]),
    ("public order", &["15130", "152"]),
    ("security", &["152"]),
    ("peace", &["152"]),
    ("economic", &["240", "250", "310", "320", "331", "332"]),
    ("economy", &["240", "250", "310", "320", "331", "332"]),
    ("growth", &["250", "310", "320"]),
    ("trade", &["331"]),
    ("enterprise", &["250", "321"]),
    ("private sector", &["250"]),
    ("employment", &["16020"]),
    ("food security", &["311", "520"]),
    ("food production", &["311"]),
    ("agriculture", &["311"]),
    ("gender", &["15170"]),
    ("women", &["15170"]),
    ("youth", &["16010"]),
    ("population", &["130"]),
    ("social", &["160"]),
    ("welfare", &["160"]),
    ("wellbeing", &["160"]),
    ("well-being", &["160"]),
    ("poverty", &["160"]),
    ("people", &["160"]),
    ("culture", &["16061"]),
    ("cultural", &["16061"]),
    ("taoga", &["16061"]),
    ("partnerships", &["15110"]),
];

impl PillarRule {
    pub fn for_pillar(pillar: &Pillar) -> PillarRule {
        let name = format!(
            " {} ",
            pillar
                .name
                .to_lowercase()
                .replace(|c: char| !c.is_alphanumeric() && c != '-', " ")
        );
        let mut sectors: Vec<String> = Vec::new();
        let mut topics = Vec::new();
        for (word, codes) in TOPICS {
            if name.contains(&format!(" {word} ")) {
                topics.push((*word).to_owned());
                for c in *codes {
                    if !sectors.iter().any(|s| s == c) {
                        sectors.push((*c).to_owned());
                    }
                }
            }
        }
        PillarRule {
            pillar_id: pillar.id.clone(),
            sectors,
            topics,
        }
    }

    /// Whether a DAC code (5-digit purpose code or 3-digit category) serves the pillar.
    pub fn matches(&self, code: &str) -> bool {
        self.sectors.iter().any(|s| {
            if s.len() == 3 {
                code.get(..3) == Some(s.as_str())
            } else {
                s == code
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_names() {
        assert_eq!(
            kebab("political institutions / governance"),
            "political-institutions-governance"
        );
        assert_eq!(kebab("  Economic Resilience "), "economic-resilience");
        assert_eq!(kebab("(…)"), "");
    }

    #[test]
    fn split_keeps_semicolons_inside_parentheses() {
        let p = split_pillars(
            "infrastructure and technology inputs (energy; transport; ICT); social institutions",
        );
        let names: Vec<_> = p.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "infrastructure and technology inputs",
                "social institutions"
            ]
        );
    }

    #[test]
    fn split_drops_placeholders() {
        assert!(
            split_pillars("(pillar-based; pillar names not confirmed in sources found)").is_empty()
        );
        assert!(split_pillars("").is_empty());
    }

    #[test]
    fn pillar_rule_matches_categories_and_codes() {
        let r = PillarRule::for_pillar(&Pillar {
            id: "x".into(),
            name: "water and sanitation".into(),
        });
        assert_eq!(r.topics, ["water", "sanitation"]);
        assert!(r.matches("14031"));
        assert!(r.matches("140"));
        assert!(!r.matches("12191"));
    }
}
