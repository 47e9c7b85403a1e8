//! Cooperation frameworks as data: the TOML format documented in
//! `data/frameworks/README.md`, parsed and checked into [`Framework`].
//!
//! Loading is "parse, don't validate": [`Framework::from_toml_str`] either
//! returns a framework whose ids, dates, country codes and sector codes are
//! known to be well formed, or a [`FrameworkError`] naming the file, the field
//! and the line. Everything after that can trust the values.
//!
//! This module must not classify anything (that is `vaka-analysis`) and must not
//! read files other than the one it is asked to load.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::codes::is_iso_country;

/// The bundled framework files, embedded at build time (name, text).
const BUNDLED: &[(&str, &str)] = &[
    (
        "nz-japan-2019.toml",
        include_str!("../../../data/frameworks/nz-japan-2019.toml"),
    ),
    (
        "ajnz-2003.toml",
        include_str!("../../../data/frameworks/ajnz-2003.toml"),
    ),
];

/// The area id reserved for the part of a value that no area claims.
pub const UNCLASSIFIED: &str = "unclassified";

/// A cooperation framework: who signed it, what it is for, its priority areas
/// (with the rules that classify activities into them), the countries it
/// focuses on and how the partners consult.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Framework {
    /// Lowercase kebab-case id, e.g. `nz-japan-2019`.
    pub id: String,
    pub name: String,
    pub short_name: String,
    pub signed: time::Date,
    /// Where it was signed or issued, when known.
    pub signed_place: Option<String>,
    pub partners: Vec<Partner>,
    pub objectives: Vec<String>,
    pub principles: Vec<String>,
    pub areas: Vec<PriorityArea>,
    /// ISO 3166-1 alpha-2 codes, in the order the file lists them.
    pub focus_countries: Vec<String>,
    pub mechanisms: Vec<Mechanism>,
    pub sources: Vec<String>,
}

/// A signatory or implementing organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    /// IATI organisation identifier, e.g. `NZ-1`.
    pub ref_: String,
    pub name: String,
    /// ISO 3166-1 alpha-2 code of the partner's country.
    pub country: String,
    /// Other identifiers the same organisation publishes or is referred to under.
    pub also_known_as: Vec<String>,
}

impl Partner {
    /// True when `org_ref` is this partner's identifier or one of its aliases
    /// (compared case-insensitively, as publishers are inconsistent about case).
    pub fn matches(&self, org_ref: &str) -> bool {
        let r = org_ref.trim();
        self.ref_.eq_ignore_ascii_case(r)
            || self.also_known_as.iter().any(|a| a.eq_ignore_ascii_case(r))
    }
}

/// A consultation or coordination mechanism of a framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mechanism {
    pub id: String,
    pub name: String,
    /// Who meets: `ministerial`, `senior-officials`, `technical`, …
    pub level: String,
    /// How often: `annual`, `regular`, `triennial`, `ad-hoc`, …
    pub cadence: String,
}

/// Text in English, Japanese and French. English is required; the others fall
/// back to English in [`Localised::get`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Localised {
    pub en: String,
    pub ja: Option<String>,
    pub fr: Option<String>,
}

impl Localised {
    /// The text in `lang` (`en`, `ja`, `fr`), else English.
    pub fn get(&self, lang: &str) -> &str {
        let pick = match lang {
            "ja" => self.ja.as_deref(),
            "fr" => self.fr.as_deref(),
            _ => None,
        };
        pick.unwrap_or(&self.en)
    }
}

/// A priority area and the rules that put activities into it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityArea {
    pub id: String,
    pub name: Localised,
    pub description: String,
    pub rules: AreaRules,
}

/// How activities are classified into an area. See `data/frameworks/README.md`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AreaRules {
    /// DAC 5-digit purpose codes and 3-digit categories.
    pub sectors: Vec<SectorRule>,
    pub policy_markers: Vec<MarkerRule>,
    pub keywords: Keywords,
}

impl AreaRules {
    /// The rule for a 5-digit DAC purpose code, if the area lists it.
    pub fn sector_rule(&self, code: &str) -> Option<&SectorRule> {
        self.sectors
            .iter()
            .find(|r| r.code.len() == 5 && r.code == code)
    }

    /// The rule for a 3-digit DAC category, if the area lists it.
    pub fn category_rule(&self, category: &str) -> Option<&SectorRule> {
        self.sectors
            .iter()
            .find(|r| r.code.len() == 3 && r.code == category)
    }

    /// The first marker rule that counts `(vocabulary, code, significance)`.
    pub fn marker_rule(
        &self,
        vocabulary: &str,
        code: &str,
        significance: Option<&str>,
    ) -> Option<&MarkerRule> {
        self.policy_markers
            .iter()
            .find(|r| r.counts(vocabulary, code, significance))
    }
}

/// A DAC sector code (5 digits: a purpose code; 3 digits: a category) and how
/// strongly it indicates the area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectorRule {
    pub code: String,
    pub relevance: Relevance,
    /// Withdrawn from the current codelist but still found in older data.
    pub withdrawn: bool,
    pub note: Option<String>,
}

impl SectorRule {
    /// True for a 3-digit category rule.
    pub fn is_category(&self) -> bool {
        self.code.len() == 3
    }
}

/// How much of a matching sector's share an area receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Relevance {
    /// The code is about the area: the area gets the whole share.
    Primary,
    /// The code often but not always serves the area: it gets half the share
    /// (see [`Relevance::weight_percent`]); the rest stays unclassified.
    Secondary,
}

impl Relevance {
    /// The part of a sector's share an area receives, in percent: 100 for
    /// primary, 50 for secondary. Half is a deliberate, documented heuristic:
    /// a secondary code (grid networks, transport policy, basic health care) is
    /// as likely to serve the area as not.
    pub fn weight_percent(self) -> u32 {
        match self {
            Self::Primary => 100,
            Self::Secondary => 50,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Primary => "primary",
            Self::Secondary => "secondary",
        }
    }
}

/// A policy marker and the significances that count for the area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkerRule {
    /// PolicyMarkerVocabulary, `1` (OECD DAC CRS) by default.
    pub vocabulary: String,
    pub code: String,
    /// PolicySignificance codes that count (`1` significant, `2` principal, …).
    pub significances: Vec<String>,
    pub note: Option<String>,
}

impl MarkerRule {
    /// Whether a published marker counts. A marker without `@significance`
    /// does not count: significance 0 ("not targeted") is too common to assume.
    pub fn counts(&self, vocabulary: &str, code: &str, significance: Option<&str>) -> bool {
        let vocab = if vocabulary.is_empty() {
            "1"
        } else {
            vocabulary
        };
        vocab == self.vocabulary
            && code.trim() == self.code
            && significance.is_some_and(|s| self.significances.iter().any(|x| x == s.trim()))
    }
}

/// Keywords matched against titles and descriptions. English and French match
/// whole words case-insensitively; Japanese matches substrings (no spaces).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Keywords {
    pub en: Vec<String>,
    pub ja: Vec<String>,
    pub fr: Vec<String>,
}

impl Keywords {
    pub fn is_empty(&self) -> bool {
        self.en.is_empty() && self.ja.is_empty() && self.fr.is_empty()
    }
}

/// Why a framework file was rejected. `Display` names the file, the line and
/// the field, and says what is expected.
#[derive(Debug, thiserror::Error)]
pub enum FrameworkError {
    #[error("{}: cannot read framework file: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Not TOML, or a field of the wrong type, missing or unknown.
    #[error("{file}:{line}:{column}: {message}")]
    Toml {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// Well-formed TOML with a value that breaks the format's rules.
    #[error("{file}:{line}: `{field}`: {message}")]
    Invalid {
        file: String,
        line: usize,
        field: String,
        message: String,
    },
}

impl FrameworkError {
    /// The 1-based line the error points at, when known.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Io { .. } => None,
            Self::Toml { line, .. } | Self::Invalid { line, .. } => Some(*line),
        }
    }

    /// The field concerned, for validation errors.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl Framework {
    /// Parse and check a framework. `name` is what errors call the file
    /// (usually its file name).
    pub fn from_toml_str(name: &str, text: &str) -> Result<Framework, FrameworkError> {
        let raw: RawFramework = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
            FrameworkError::Toml {
                file: name.to_owned(),
                line,
                column,
                message: e.message().trim().to_owned(),
            }
        })?;
        Checker { file: name, text }.framework(raw)
    }

    /// Read and check a framework file.
    pub fn load_file(path: &Path) -> Result<Framework, FrameworkError> {
        let text = std::fs::read_to_string(path).map_err(|source| FrameworkError::Io {
            path: path.to_owned(),
            source,
        })?;
        let name = path.display().to_string();
        Framework::from_toml_str(&name, &text)
    }

    /// The frameworks shipped with Vaka (`data/frameworks/*.toml`), in a fixed
    /// order. A bundled file that fails to load is logged and left out; the
    /// test suite makes sure that never happens.
    pub fn bundled() -> Vec<Framework> {
        // Parsed once per process; callers get their own copy.
        static PARSED: std::sync::LazyLock<Vec<Framework>> = std::sync::LazyLock::new(|| {
            BUNDLED
                .iter()
                .filter_map(|(name, text)| match Framework::from_toml_str(name, text) {
                    Ok(f) => Some(f),
                    Err(e) => {
                        tracing::error!(error = %e, "bundled framework does not load");
                        None
                    }
                })
                .collect()
        });
        PARSED.clone()
    }

    /// The bundled framework files as `(file name, TOML text)`.
    pub fn bundled_sources() -> &'static [(&'static str, &'static str)] {
        BUNDLED
    }

    /// The bundled framework with this id.
    pub fn bundled_by_id(id: &str) -> Option<Framework> {
        Framework::bundled().into_iter().find(|f| f.id == id)
    }

    pub fn area(&self, id: &str) -> Option<&PriorityArea> {
        self.areas.iter().find(|a| a.id == id)
    }

    /// The partner whose identifier (or alias) is `org_ref`.
    pub fn partner_for(&self, org_ref: &str) -> Option<&Partner> {
        self.partners.iter().find(|p| p.matches(org_ref))
    }

    pub fn is_focus_country(&self, iso2: &str) -> bool {
        self.focus_countries.iter().any(|c| c == iso2)
    }
}

// ---------------------------------------------------------------------------
// The file format as written. Fields that are checked carry their span so that
// errors can give a line.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFramework {
    id: Spanned<String>,
    name: Spanned<String>,
    short_name: Spanned<String>,
    signed: Spanned<toml::value::Datetime>,
    #[serde(default)]
    signed_place: Option<String>,
    #[serde(default)]
    objectives: Vec<Spanned<String>>,
    #[serde(default)]
    principles: Vec<Spanned<String>>,
    #[serde(default)]
    focus_countries: Vec<Spanned<String>>,
    #[serde(default)]
    sources: Vec<Spanned<String>>,
    #[serde(default)]
    partners: Vec<RawPartner>,
    #[serde(default)]
    mechanisms: Vec<RawMechanism>,
    #[serde(default)]
    areas: Vec<Spanned<RawArea>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPartner {
    #[serde(rename = "ref")]
    ref_: Spanned<String>,
    name: Spanned<String>,
    country: Spanned<String>,
    #[serde(default)]
    also_known_as: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMechanism {
    id: Spanned<String>,
    name: Spanned<String>,
    level: Spanned<String>,
    cadence: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArea {
    id: Spanned<String>,
    name: RawLocalised,
    #[serde(default)]
    description: String,
    #[serde(default)]
    rules: RawRules,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocalised {
    en: Spanned<String>,
    #[serde(default)]
    ja: Option<String>,
    #[serde(default)]
    fr: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    sectors: Vec<Spanned<RawSectorRule>>,
    #[serde(default)]
    policy_markers: Vec<Spanned<RawMarkerRule>>,
    #[serde(default)]
    keywords: RawKeywords,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSectorRule {
    code: Spanned<String>,
    relevance: Relevance,
    #[serde(default)]
    withdrawn: bool,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMarkerRule {
    #[serde(default = "default_vocabulary")]
    vocabulary: String,
    code: Spanned<String>,
    significances: Vec<Spanned<String>>,
    #[serde(default)]
    note: Option<String>,
}

fn default_vocabulary() -> String {
    "1".to_owned()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawKeywords {
    #[serde(default)]
    en: Vec<Spanned<String>>,
    #[serde(default)]
    ja: Vec<Spanned<String>>,
    #[serde(default)]
    fr: Vec<Spanned<String>>,
}

/// 1-based line and column of byte offset `pos` in `text`.
fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let before = text.get(..pos.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, column)
}

/// True for lowercase kebab-case: `[a-z0-9]+(-[a-z0-9]+)*`.
pub fn is_kebab_id(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

struct Checker<'a> {
    file: &'a str,
    text: &'a str,
}

impl Checker<'_> {
    fn err<T>(
        &self,
        span: std::ops::Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Result<T, FrameworkError> {
        Err(FrameworkError::Invalid {
            file: self.file.to_owned(),
            line: line_col(self.text, span.start).0,
            field: field.into(),
            message: message.into(),
        })
    }

    fn text_field(&self, v: Spanned<String>, field: &str) -> Result<String, FrameworkError> {
        let span = v.span();
        let s = v.into_inner().trim().to_owned();
        if s.is_empty() {
            return self.err(span, field, "must not be empty");
        }
        Ok(s)
    }

    fn id(&self, v: Spanned<String>, field: &str) -> Result<String, FrameworkError> {
        let span = v.span();
        let s = v.into_inner();
        if !is_kebab_id(&s) {
            return self.err(
                span,
                field,
                format!("`{s}` is not a lowercase kebab-case id (letters a-z, digits, single hyphens, e.g. `water-security`)"),
            );
        }
        Ok(s)
    }

    fn country(&self, v: Spanned<String>, field: &str) -> Result<String, FrameworkError> {
        let span = v.span();
        let s = v.into_inner();
        if !is_iso_country(&s) {
            return self.err(
                span,
                field,
                format!("`{s}` is not an ISO 3166-1 alpha-2 country code (upper case, e.g. `TO`)"),
            );
        }
        Ok(s)
    }

    fn texts(&self, v: Vec<Spanned<String>>, field: &str) -> Result<Vec<String>, FrameworkError> {
        v.into_iter()
            .enumerate()
            .map(|(i, s)| self.text_field(s, &format!("{field}[{i}]")))
            .collect()
    }

    fn framework(&self, raw: RawFramework) -> Result<Framework, FrameworkError> {
        let id = self.id(raw.id, "id")?;
        let name = self.text_field(raw.name, "name")?;
        let short_name = self.text_field(raw.short_name, "short_name")?;
        let signed = self.date(raw.signed, "signed")?;

        let mut partners = Vec::with_capacity(raw.partners.len());
        for (i, p) in raw.partners.into_iter().enumerate() {
            let f = |n: &str| format!("partners[{i}].{n}");
            let ref_span = p.ref_.span();
            let ref_ = self.text_field(p.ref_, &f("ref"))?;
            if ref_.chars().any(char::is_whitespace) {
                return self.err(
                    ref_span,
                    f("ref"),
                    format!("`{ref_}` is not an organisation identifier (no spaces allowed)"),
                );
            }
            partners.push(Partner {
                ref_,
                name: self.text_field(p.name, &f("name"))?,
                country: self.country(p.country, &f("country"))?,
                also_known_as: self.texts(p.also_known_as, &f("also_known_as"))?,
            });
        }

        let mut focus_countries = Vec::with_capacity(raw.focus_countries.len());
        for (i, c) in raw.focus_countries.into_iter().enumerate() {
            let span = c.span();
            let code = self.country(c, &format!("focus_countries[{i}]"))?;
            if focus_countries.contains(&code) {
                return self.err(
                    span,
                    format!("focus_countries[{i}]"),
                    format!("`{code}` is listed twice"),
                );
            }
            focus_countries.push(code);
        }

        let mut mechanisms: Vec<Mechanism> = Vec::with_capacity(raw.mechanisms.len());
        for (i, m) in raw.mechanisms.into_iter().enumerate() {
            let f = |n: &str| format!("mechanisms[{i}].{n}");
            let span = m.id.span();
            let mid = self.id(m.id, &f("id"))?;
            if mechanisms.iter().any(|x| x.id == mid) {
                return self.err(span, f("id"), format!("mechanism id `{mid}` is used twice"));
            }
            mechanisms.push(Mechanism {
                id: mid,
                name: self.text_field(m.name, &f("name"))?,
                level: self.text_field(m.level, &f("level"))?,
                cadence: self.text_field(m.cadence, &f("cadence"))?,
            });
        }

        let mut areas: Vec<PriorityArea> = Vec::with_capacity(raw.areas.len());
        let mut area_ids = BTreeSet::new();
        for (i, a) in raw.areas.into_iter().enumerate() {
            let a = a.into_inner();
            let id_span = a.id.span();
            let aid = self.id(a.id, &format!("areas[{i}].id"))?;
            if aid == UNCLASSIFIED {
                return self.err(
                    id_span,
                    format!("areas[{i}].id"),
                    "`unclassified` is reserved for the part no area claims",
                );
            }
            if !area_ids.insert(aid.clone()) {
                return self.err(
                    id_span,
                    format!("areas[{i}].id"),
                    format!("area id `{aid}` is used twice; area ids must be unique"),
                );
            }
            let rules = self.rules(a.rules, i)?;
            if rules.sectors.is_empty()
                && rules.policy_markers.is_empty()
                && rules.keywords.is_empty()
            {
                tracing::warn!(file = self.file, area = %aid, "area has no classification rules");
            }
            areas.push(PriorityArea {
                id: aid,
                name: Localised {
                    en: self.text_field(a.name.en, &format!("areas[{i}].name.en"))?,
                    ja: a.name.ja.filter(|s| !s.trim().is_empty()),
                    fr: a.name.fr.filter(|s| !s.trim().is_empty()),
                },
                description: a.description.trim().to_owned(),
                rules,
            });
        }
        if areas.is_empty() {
            return self.err(
                0..0,
                "areas",
                "a framework needs at least one `[[areas]]` table",
            );
        }

        Ok(Framework {
            id,
            name,
            short_name,
            signed,
            signed_place: raw.signed_place.filter(|s| !s.trim().is_empty()),
            partners,
            objectives: self.texts(raw.objectives, "objectives")?,
            principles: self.texts(raw.principles, "principles")?,
            areas,
            focus_countries,
            mechanisms,
            sources: self.texts(raw.sources, "sources")?,
        })
    }

    fn date(
        &self,
        v: Spanned<toml::value::Datetime>,
        field: &str,
    ) -> Result<time::Date, FrameworkError> {
        let span = v.span();
        let dt = v.into_inner();
        let (Some(d), None, None) = (dt.date, dt.time, dt.offset) else {
            return self.err(
                span,
                field,
                format!("`{dt}` is not a plain date; write it as `YYYY-MM-DD` without quotes"),
            );
        };
        let month = time::Month::try_from(d.month).ok();
        match month.and_then(|m| time::Date::from_calendar_date(i32::from(d.year), m, d.day).ok()) {
            Some(date) => Ok(date),
            None => self.err(span, field, format!("`{dt}` is not a valid calendar date")),
        }
    }

    fn rules(&self, raw: RawRules, area: usize) -> Result<AreaRules, FrameworkError> {
        let mut sectors: Vec<SectorRule> = Vec::with_capacity(raw.sectors.len());
        for (j, s) in raw.sectors.into_iter().enumerate() {
            let field = format!("areas[{area}].rules.sectors[{j}].code");
            let s = s.into_inner();
            let span = s.code.span();
            let code = s.code.into_inner();
            if !(code.len() == 3 || code.len() == 5) || !code.bytes().all(|b| b.is_ascii_digit()) {
                return self.err(span, field, format!("`{code}` is not a DAC sector code: use 5 digits (purpose code) or 3 digits (category)"));
            }
            if sectors.iter().any(|r| r.code == code) {
                return self.err(
                    span,
                    field,
                    format!("sector `{code}` is listed twice in this area"),
                );
            }
            sectors.push(SectorRule {
                code,
                relevance: s.relevance,
                withdrawn: s.withdrawn,
                note: s.note,
            });
        }

        let mut policy_markers = Vec::with_capacity(raw.policy_markers.len());
        for (j, m) in raw.policy_markers.into_iter().enumerate() {
            let m = m.into_inner();
            let field = |n: &str| format!("areas[{area}].rules.policy_markers[{j}].{n}");
            let span = m.code.span();
            let code = m.code.into_inner();
            if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
                return self.err(span, field("code"), format!("`{code}` is not a policy marker code (digits, e.g. `10` for disaster risk reduction)"));
            }
            if m.significances.is_empty() {
                return self.err(
                    span,
                    field("significances"),
                    "list at least one significance that counts, e.g. [\"1\", \"2\"]",
                );
            }
            let mut significances = Vec::with_capacity(m.significances.len());
            for (k, s) in m.significances.into_iter().enumerate() {
                let sspan = s.span();
                let s = s.into_inner();
                if !matches!(s.as_str(), "0" | "1" | "2" | "3" | "4") {
                    return self.err(
                        sspan,
                        format!("{}[{k}]", field("significances")),
                        format!("`{s}` is not a PolicySignificance code (`0` to `4`)"),
                    );
                }
                significances.push(s);
            }
            policy_markers.push(MarkerRule {
                vocabulary: m.vocabulary,
                code,
                significances,
                note: m.note,
            });
        }

        let kw = |list: Vec<Spanned<String>>, lang: &str| -> Result<Vec<String>, FrameworkError> {
            let field = format!("areas[{area}].rules.keywords.{lang}");
            list.into_iter()
                .enumerate()
                .map(|(k, s)| self.text_field(s, &format!("{field}[{k}]")))
                .collect()
        };
        let keywords = Keywords {
            en: kw(raw.keywords.en, "en")?,
            ja: kw(raw.keywords.ja, "ja")?,
            fr: kw(raw.keywords.fr, "fr")?,
        };
        Ok(AreaRules {
            sectors,
            policy_markers,
            keywords,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_ids() {
        for ok in ["a", "water-security", "nz-japan-2019", "x1-2y"] {
            assert!(is_kebab_id(ok), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "a--b",
            "Water",
            "water_security",
            "water security",
            "é",
        ] {
            assert!(!is_kebab_id(bad), "{bad}");
        }
    }

    #[test]
    fn line_col_counts_from_one() {
        let t = "a\nbc\nd";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 2));
        assert_eq!(line_col(t, 5), (3, 1));
        assert_eq!(line_col(t, 99), (3, 2));
    }

    #[test]
    fn marker_rule_counts_only_listed_significances() {
        let r = MarkerRule {
            vocabulary: "1".into(),
            code: "10".into(),
            significances: vec!["1".into(), "2".into()],
            note: None,
        };
        assert!(r.counts("1", "10", Some("2")));
        assert!(r.counts("", "10", Some("1")));
        assert!(!r.counts("1", "10", Some("0")));
        assert!(!r.counts("1", "10", None));
        assert!(!r.counts("2", "10", Some("2")));
        assert!(!r.counts("1", "1", Some("2")));
    }
}
