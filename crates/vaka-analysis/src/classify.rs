//! Classification: which share of an activity (or transaction) goes to which
//! priority area, and why.
//!
//! [`classify`] is deterministic and explained: every [`AreaTag`] says which
//! rule produced it ("sector 23230 Solar energy for centralised grids, 60 %").
//! The rules, in order (see also `data/frameworks/README.md`):
//!
//! 1. **Sector shares.** The DAC sectors of vocabulary `1` (5-digit; an empty
//!    vocabulary counts as `1`) are used, else those of vocabulary `2`
//!    (3-digit). Other vocabularies (UNDP's `99`, SDG goals `7`, …) are
//!    ignored: IATI percentages add up per vocabulary, so mixing them would
//!    count the same money twice. Percentages give the shares; without
//!    percentages one sector is 100 % and several split equally; sectors
//!    summing over 100 % are scaled down (with a note).
//! 2. **Sector → area.** A 5-digit code an area lists gives that area the
//!    sector's share; otherwise its 3-digit category, if an area lists that.
//!    Secondary relevance gives half (see
//!    [`vaka_domain::Relevance::weight_percent`]). A code listed by several
//!    areas is split equally between them.
//! 3. **Markers and keywords** only classify what the sectors left: the
//!    remainder goes to the areas whose policy markers or keywords match,
//!    split equally. Keywords match whole words case-insensitively in English
//!    and French, and substrings in Japanese.
//! 4. What is left is `unclassified`. Shares never exceed 1 in total.
//!
//! A person's override ([`Classification::from_override`]) replaces all of it.
//!
//! This module must not look at money, countries or dates: it only splits
//! "one whole" into area shares.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use aho_corasick::AhoCorasick;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use vaka_domain::{PriorityArea, Relevance};
use vaka_iati::model::{Activity, Narrative, Sector};

/// Names of codes, for explanations. `vaka_iati::codelists` is the natural
/// source; any closure `Fn(vocabulary, code) -> Option<String>` works, and
/// [`NoNames`] gives bare codes.
pub trait CodeNames {
    /// The name of a sector code in a SectorVocabulary (`1` DAC 5-digit, `2` DAC 3-digit).
    fn sector(&self, vocabulary: &str, code: &str) -> Option<String>;
    /// The name of a PolicyMarker code (vocabulary `1`).
    fn policy_marker(&self, _code: &str) -> Option<String> {
        None
    }
}

/// No names: explanations give codes only.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoNames;

impl CodeNames for NoNames {
    fn sector(&self, _vocabulary: &str, _code: &str) -> Option<String> {
        None
    }
}

impl<F> CodeNames for F
where
    F: Fn(&str, &str) -> Option<String>,
{
    fn sector(&self, vocabulary: &str, code: &str) -> Option<String> {
        self(vocabulary, code)
    }
}

/// One sector of the input, as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectorInput {
    pub vocabulary: String,
    pub code: String,
    /// `0..=100`, `None` when not published.
    pub percentage: Option<Decimal>,
}

/// One policy marker of the input, as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkerInput {
    pub vocabulary: String,
    pub code: String,
    pub significance: Option<String>,
}

/// One piece of text keywords are searched in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextInput {
    /// Where it comes from (`title`, `description`), for explanations.
    pub field: String,
    pub lang: Option<String>,
    pub text: String,
}

/// What classification looks at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ClassifyInput {
    pub sectors: Vec<SectorInput>,
    pub policy_markers: Vec<MarkerInput>,
    /// Titles and descriptions, every language.
    pub texts: Vec<TextInput>,
}

impl ClassifyInput {
    /// The activity's own sectors, policy markers, title and descriptions.
    pub fn from_activity(activity: &Activity) -> ClassifyInput {
        let mut texts = Vec::new();
        let mut push = |field: &str, ns: &[Narrative]| {
            for n in ns {
                if !n.text.trim().is_empty() {
                    texts.push(TextInput {
                        field: field.to_owned(),
                        lang: n.lang.clone().or_else(|| activity.lang.clone()),
                        text: n.text.clone(),
                    });
                }
            }
        };
        push("title", &activity.title);
        for d in &activity.descriptions {
            push("description", &d.narratives);
        }
        ClassifyInput {
            sectors: sector_inputs(&activity.sectors),
            policy_markers: activity
                .policy_markers
                .iter()
                .map(|m| MarkerInput {
                    vocabulary: m.vocabulary.clone(),
                    code: m.code.clone(),
                    significance: m.significance.clone(),
                })
                .collect(),
            texts,
        }
    }

    /// The same input with other sectors (a transaction's own).
    pub fn with_sectors(&self, sectors: &[Sector]) -> ClassifyInput {
        ClassifyInput {
            sectors: sector_inputs(sectors),
            ..self.clone()
        }
    }
}

fn sector_inputs(sectors: &[Sector]) -> Vec<SectorInput> {
    sectors
        .iter()
        .map(|s| SectorInput {
            vocabulary: s.vocabulary.clone(),
            code: s.code.clone(),
            percentage: s.percentage,
        })
        .collect()
}

/// Which kind of rule produced a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleKind {
    /// A 5-digit DAC purpose code listed by the area.
    Sector,
    /// A 3-digit DAC category listed by the area.
    SectorCategory,
    PolicyMarker,
    Keyword,
    /// Set by a person.
    Override,
}

impl RuleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sector => "sector",
            Self::SectorCategory => "sector-category",
            Self::PolicyMarker => "policy-marker",
            Self::Keyword => "keyword",
            Self::Override => "override",
        }
    }
}

/// The rule behind a tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RuleRef {
    pub kind: RuleKind,
    /// The sector code, category, marker code or keyword that matched
    /// (`override` for overrides).
    pub code: String,
    /// One line a person can check: "sector 23230 Solar energy for centralised grids, 60 %".
    pub explanation: String,
}

/// A share of the whole assigned to one area by one rule. An area can have
/// several tags (one per matching sector, say).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaTag {
    pub area_id: String,
    /// `0..=1`.
    pub share: Decimal,
    pub rule: RuleRef,
}

/// Who set an override, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverrideInfo {
    pub by: String,
    /// ISO date or date-time, as recorded.
    pub at: String,
    pub reason: String,
}

/// The result: area tags and the unclassified remainder. `tags` shares plus
/// `unclassified` equal 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    /// Ordered by the framework's area order, then rule kind, then code.
    pub tags: Vec<AreaTag>,
    pub unclassified: Decimal,
    /// Set when a person's override produced this classification.
    pub overridden: Option<OverrideInfo>,
    /// Data problems met on the way (sector percentages over 100, …).
    pub notes: Vec<String>,
}

/// Area shares set by hand for one activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    /// `(area id, share 0..=1)`; areas left out get nothing, the rest is unclassified.
    pub shares: Vec<(String, Decimal)>,
    pub by: String,
    pub at: String,
    pub reason: String,
}

/// Why an override was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    #[error("override names area `{0}`, which the framework does not have")]
    UnknownArea(String),
    #[error("override gives area `{area}` a share of {share}; shares are between 0 and 1")]
    ShareOutOfRange { area: String, share: Decimal },
    #[error("override lists area `{0}` twice")]
    DuplicateArea(String),
    #[error("override shares add up to {0}, more than 1")]
    SumOverOne(Decimal),
    #[error("an override needs who set it and why")]
    MissingProvenance,
}

impl Classification {
    /// Everything unclassified.
    pub fn unclassified() -> Classification {
        Classification {
            tags: Vec::new(),
            unclassified: Decimal::ONE,
            overridden: None,
            notes: Vec::new(),
        }
    }

    /// A classification set by hand. It replaces computed tags entirely.
    pub fn from_override(
        ov: &Override,
        areas: &[PriorityArea],
    ) -> Result<Classification, OverrideError> {
        if ov.by.trim().is_empty() || ov.reason.trim().is_empty() {
            return Err(OverrideError::MissingProvenance);
        }
        let mut seen = BTreeSet::new();
        let mut tags = Vec::new();
        let mut sum = Decimal::ZERO;
        for (area, share) in &ov.shares {
            if !areas.iter().any(|a| &a.id == area) {
                return Err(OverrideError::UnknownArea(area.clone()));
            }
            if !seen.insert(area.clone()) {
                return Err(OverrideError::DuplicateArea(area.clone()));
            }
            if *share < Decimal::ZERO || *share > Decimal::ONE {
                return Err(OverrideError::ShareOutOfRange {
                    area: area.clone(),
                    share: *share,
                });
            }
            sum += *share;
            if share.is_zero() {
                continue;
            }
            tags.push(AreaTag {
                area_id: area.clone(),
                share: *share,
                rule: RuleRef {
                    kind: RuleKind::Override,
                    code: "override".into(),
                    explanation: format!(
                        "set by {} on {}: {}",
                        ov.by.trim(),
                        ov.at.trim(),
                        ov.reason.trim()
                    ),
                },
            });
        }
        if sum > Decimal::ONE {
            return Err(OverrideError::SumOverOne(sum));
        }
        tags.sort_by_key(|t| area_index(areas, &t.area_id));
        Ok(Classification {
            tags,
            unclassified: Decimal::ONE - sum,
            overridden: Some(OverrideInfo {
                by: ov.by.clone(),
                at: ov.at.clone(),
                reason: ov.reason.clone(),
            }),
            notes: Vec::new(),
        })
    }

    /// Total share per area, in tag order, areas once each.
    pub fn by_area(&self) -> Vec<(String, Decimal)> {
        let mut out: Vec<(String, Decimal)> = Vec::new();
        for t in &self.tags {
            match out.iter_mut().find(|(a, _)| *a == t.area_id) {
                Some((_, s)) => *s += t.share,
                None => out.push((t.area_id.clone(), t.share)),
            }
        }
        out
    }

    /// The summed share of one area.
    pub fn share_of(&self, area_id: &str) -> Decimal {
        self.tags
            .iter()
            .filter(|t| t.area_id == area_id)
            .map(|t| t.share)
            .sum()
    }
}

fn area_index(areas: &[PriorityArea], id: &str) -> usize {
    areas.iter().position(|a| a.id == id).unwrap_or(usize::MAX)
}

/// Classify with bare codes in explanations. See the module docs for the rules.
pub fn classify(input: &ClassifyInput, area_rules: &[PriorityArea]) -> Classification {
    classify_with_names(input, area_rules, &NoNames)
}

/// Classify, naming codes through `names` in explanations.
///
/// Keywords are searched one by one; to classify many activities against the
/// same areas, compile them once into a [`KeywordIndex`] and use
/// [`classify_indexed`], which gives the same result.
pub fn classify_with_names(
    input: &ClassifyInput,
    areas: &[PriorityArea],
    names: &dyn CodeNames,
) -> Classification {
    classify_by(input, areas, names, &|texts| {
        areas.iter().map(|a| keyword_hit(a, texts)).collect()
    })
}

/// [`classify_with_names`] with the areas' keywords compiled in `index`,
/// which must have been built from the same `areas`.
pub fn classify_indexed(
    input: &ClassifyInput,
    areas: &[PriorityArea],
    index: &KeywordIndex,
    names: &dyn CodeNames,
) -> Classification {
    debug_assert_eq!(index.areas(), areas.len(), "index built from other areas");
    classify_by(input, areas, names, &|texts| index.hits(texts))
}

/// Per area, the keyword rule that matches: the first text (in input order)
/// in which any of the area's keywords occurs, and the first such keyword in
/// rule order (English, French, then Japanese). `(text index, keyword as written)`.
type KeywordHits<'k> = Vec<Option<(usize, &'k str)>>;

/// Normalised texts, with their field names.
type Texts<'i> = [(&'i str, String)];

fn classify_by<'k>(
    input: &ClassifyInput,
    areas: &[PriorityArea],
    names: &dyn CodeNames,
    keywords: &dyn Fn(&Texts<'_>) -> KeywordHits<'k>,
) -> Classification {
    let mut notes = Vec::new();
    let mut tags: Vec<AreaTag> = Vec::new();

    // 1. Sector shares.
    let is_v1 = |v: &str| v.is_empty() || v == "1";
    let v1: Vec<&SectorInput> = input
        .sectors
        .iter()
        .filter(|s| is_v1(&s.vocabulary))
        .collect();
    let (vocab, sectors) = if v1.is_empty() {
        (
            "2",
            input
                .sectors
                .iter()
                .filter(|s| s.vocabulary == "2")
                .collect::<Vec<_>>(),
        )
    } else {
        ("1", v1)
    };
    let shares = sector_shares(&sectors, &mut notes);

    // 2. Sector → area.
    for (s, share) in sectors.iter().zip(&shares) {
        if share.is_zero() {
            continue;
        }
        let code = s.code.trim();
        let mut matched: Vec<(&PriorityArea, Relevance, RuleKind, &str)> = Vec::new();
        if vocab == "1" {
            for a in areas {
                if let Some(r) = a.rules.sector_rule(code) {
                    matched.push((a, r.relevance, RuleKind::Sector, code));
                }
            }
        }
        if matched.is_empty() {
            let category = code.get(..3).unwrap_or(code);
            for a in areas {
                if let Some(r) = a.rules.category_rule(category) {
                    matched.push((a, r.relevance, RuleKind::SectorCategory, category));
                }
            }
        }
        let k = Decimal::from(matched.len());
        for (area, relevance, kind, rule_code) in &matched {
            let weight = Decimal::from(relevance.weight_percent()) / Decimal::ONE_HUNDRED;
            let part = fix_share(*share * weight / k);
            let mut explanation = match kind {
                RuleKind::SectorCategory if vocab == "1" => format!(
                    "sector {}{} in category {}{}, {}",
                    code,
                    name_suffix(names.sector("1", code)),
                    rule_code,
                    name_suffix(names.sector("2", rule_code)),
                    percent(*share)
                ),
                _ => format!(
                    "sector {}{}, {}",
                    code,
                    name_suffix(names.sector(vocab, code)),
                    percent(*share)
                ),
            };
            if *relevance == Relevance::Secondary {
                explanation.push_str(", secondary: half counts");
            }
            if matched.len() > 1 {
                explanation.push_str(&format!(", shared by {} areas", matched.len()));
            }
            tags.push(AreaTag {
                area_id: area.id.clone(),
                share: part,
                rule: RuleRef {
                    kind: *kind,
                    code: (*rule_code).to_owned(),
                    explanation,
                },
            });
        }
    }

    // 3. Markers and keywords classify only the remainder.
    let claimed: Decimal = tags.iter().map(|t| t.share).sum();
    let remainder = (Decimal::ONE - claimed).max(Decimal::ZERO);
    if remainder > Decimal::ZERO {
        // Normalised once: every area searches the same texts.
        let texts: Vec<(&str, String)> = input
            .texts
            .iter()
            .map(|t| (t.field.as_str(), normalise_text(&t.text)))
            .collect();
        let by_keyword = keywords(&texts);
        let mut hits: Vec<(&PriorityArea, RuleRef)> = Vec::new();
        for (i, a) in areas.iter().enumerate() {
            let keyword = || {
                let (t, k) = by_keyword.get(i).copied().flatten()?;
                Some(keyword_rule(k, texts[t].0, remainder))
            };
            if let Some(rule) = marker_hit(a, input, names, remainder).or_else(keyword) {
                hits.push((a, rule));
            }
        }
        let k = Decimal::from(hits.len());
        for (a, mut rule) in hits {
            if k > Decimal::ONE {
                rule.explanation.push_str(&format!(", shared by {k} areas"));
            }
            tags.push(AreaTag {
                area_id: a.id.clone(),
                share: fix_share(remainder / k),
                rule,
            });
        }
    }

    finish(tags, areas, notes)
}

/// Order tags, keep the total at most 1 and compute the remainder.
fn finish(mut tags: Vec<AreaTag>, areas: &[PriorityArea], notes: Vec<String>) -> Classification {
    tags.retain(|t| t.share > Decimal::ZERO);
    tags.sort_by(|a, b| {
        (
            area_index(areas, &a.area_id),
            &a.area_id,
            a.rule.kind,
            &a.rule.code,
            &a.rule.explanation,
        )
            .cmp(&(
                area_index(areas, &b.area_id),
                &b.area_id,
                b.rule.kind,
                &b.rule.code,
                &b.rule.explanation,
            ))
    });
    let mut sum: Decimal = tags.iter().map(|t| t.share).sum();
    // Equal splits (1/3 …) are rounded to SHARE_DP places and can overshoot
    // by a few units in the last place; take that from the largest tag (the
    // last of equals, in the sorted order, so the choice is deterministic).
    if sum > Decimal::ONE {
        let excess = sum - Decimal::ONE;
        if let Some(t) = tags.iter_mut().max_by(|a, b| a.share.cmp(&b.share)) {
            t.share -= excess;
        }
        sum = Decimal::ONE;
    }
    Classification {
        tags,
        unclassified: Decimal::ONE - sum,
        overridden: None,
        notes,
    }
}

/// Shares (0..=1) of the given sectors, in order.
fn sector_shares(sectors: &[&SectorInput], notes: &mut Vec<String>) -> Vec<Decimal> {
    if sectors.is_empty() {
        return Vec::new();
    }
    let hundred = Decimal::ONE_HUNDRED;
    let missing = sectors.iter().filter(|s| s.percentage.is_none()).count();
    let mut pcts: Vec<Decimal> = if missing == sectors.len() {
        let n = Decimal::from(sectors.len());
        vec![hundred / n; sectors.len()]
    } else {
        let given: Decimal = sectors
            .iter()
            .filter_map(|s| s.percentage)
            .map(crate::apportion::clamp_pct)
            .sum();
        let left = (hundred - given).max(Decimal::ZERO);
        if missing > 0 {
            notes.push(format!(
                "{missing} sector(s) without a percentage share the {}% the others leave",
                left.normalize()
            ));
        }
        let each = if missing > 0 {
            left / Decimal::from(missing)
        } else {
            Decimal::ZERO
        };
        sectors
            .iter()
            .map(|s| {
                s.percentage
                    .map(crate::apportion::clamp_pct)
                    .unwrap_or(each)
            })
            .collect()
    };
    let total: Decimal = pcts.iter().copied().sum();
    if total > hundred {
        notes.push(format!(
            "sector percentages add up to {}%: scaled down to 100%",
            total.normalize()
        ));
        for p in &mut pcts {
            *p = *p * hundred / total;
        }
    }
    pcts.into_iter().map(|p| fix_share(p / hundred)).collect()
}

fn marker_hit(
    area: &PriorityArea,
    input: &ClassifyInput,
    names: &dyn CodeNames,
    remainder: Decimal,
) -> Option<RuleRef> {
    input.policy_markers.iter().find_map(|m| {
        let rule = area
            .rules
            .marker_rule(&m.vocabulary, &m.code, m.significance.as_deref())?;
        Some(RuleRef {
            kind: RuleKind::PolicyMarker,
            code: rule.code.clone(),
            explanation: format!(
                "policy marker {}{}, significance {}: unclassified remainder {}",
                rule.code,
                name_suffix(names.policy_marker(&rule.code)),
                m.significance.as_deref().unwrap_or("").trim(),
                percent(remainder)
            ),
        })
    })
}

/// The keyword rule of one area, searched keyword by keyword (see [`KeywordHits`]).
fn keyword_hit<'k>(area: &'k PriorityArea, texts: &Texts<'_>) -> Option<(usize, &'k str)> {
    let kw = &area.rules.keywords;
    if kw.is_empty() {
        return None;
    }
    let words: Vec<(&String, Cow<'_, str>)> = kw
        .en
        .iter()
        .chain(&kw.fr)
        .map(|k| (k, normalise_cow(k)))
        .collect();
    let ja: Vec<(&String, Cow<'_, str>)> = kw.ja.iter().map(|k| (k, normalise_cow(k))).collect();
    for (t, (_, text)) in texts.iter().enumerate() {
        let found = words
            .iter()
            .find(|(_, k)| contains_word(text, k))
            .or_else(|| ja.iter().find(|(_, k)| text.contains(k.as_ref())));
        if let Some((k, _)) = found {
            return Some((t, k.as_str()));
        }
    }
    None
}

fn keyword_rule(keyword: &str, field: &str, remainder: Decimal) -> RuleRef {
    RuleRef {
        kind: RuleKind::Keyword,
        code: keyword.to_owned(),
        explanation: format!(
            "keyword \"{keyword}\" in {field}: unclassified remainder {}",
            percent(remainder)
        ),
    }
}

/// The keywords of a list of areas compiled into one Aho-Corasick automaton:
/// each text is scanned once for every keyword of every area, instead of once
/// per keyword. Matching is the same as [`classify_with_names`]'s: whole
/// words for English and French, substrings for Japanese, on normalised text.
#[derive(Debug, Clone)]
pub struct KeywordIndex {
    automaton: Option<AhoCorasick>,
    /// Per pattern (automaton pattern id): the keywords it stands for.
    uses: Vec<Vec<KeywordUse>>,
    /// Per area: its keywords as written, in rule order (en, fr, ja).
    keywords: Vec<Vec<String>>,
    /// Per area: the first keyword that is empty once normalised and matches
    /// any text (a Japanese one; `str::contains("")` is true), if any.
    always: Vec<Option<usize>>,
}

#[derive(Debug, Clone, Copy)]
struct KeywordUse {
    area: usize,
    /// Position in the area's rule order.
    position: usize,
    /// Whole words only (English and French).
    word: bool,
}

/// Why a [`KeywordIndex`] could not be built (the keywords exceed the
/// automaton's limits).
#[derive(Debug, Clone, thiserror::Error)]
#[error("the keywords cannot be compiled: {0}")]
pub struct KeywordIndexError(#[from] aho_corasick::BuildError);

impl KeywordIndex {
    pub fn new(areas: &[PriorityArea]) -> Result<Self, KeywordIndexError> {
        let mut patterns: Vec<String> = Vec::new();
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut uses: Vec<Vec<KeywordUse>> = Vec::new();
        let mut keywords = Vec::with_capacity(areas.len());
        let mut always = vec![None; areas.len()];
        for (area, a) in areas.iter().enumerate() {
            let kw = &a.rules.keywords;
            let list = kw
                .en
                .iter()
                .chain(&kw.fr)
                .map(|k| (k, true))
                .chain(kw.ja.iter().map(|k| (k, false)));
            let mut written = Vec::new();
            for (position, (k, word)) in list.enumerate() {
                written.push(k.clone());
                let norm = normalise_cow(k);
                if norm.is_empty() {
                    if !word && always[area].is_none() {
                        always[area] = Some(position);
                    }
                    continue;
                }
                let id = match ids.get(norm.as_ref()) {
                    Some(&id) => id,
                    None => {
                        patterns.push(norm.clone().into_owned());
                        uses.push(Vec::new());
                        ids.insert(norm.into_owned(), patterns.len() - 1);
                        patterns.len() - 1
                    }
                };
                uses[id].push(KeywordUse {
                    area,
                    position,
                    word,
                });
            }
            keywords.push(written);
        }
        let automaton = if patterns.is_empty() {
            None
        } else {
            Some(AhoCorasick::new(&patterns)?)
        };
        Ok(KeywordIndex {
            automaton,
            uses,
            keywords,
            always,
        })
    }

    /// How many areas the index was built from.
    pub fn areas(&self) -> usize {
        self.keywords.len()
    }

    fn hits(&self, texts: &Texts<'_>) -> KeywordHits<'_> {
        let mut out: KeywordHits<'_> = vec![None; self.keywords.len()];
        let mut best: Vec<Option<usize>> = Vec::with_capacity(self.keywords.len());
        for (t, (_, text)) in texts.iter().enumerate() {
            best.clear();
            best.extend_from_slice(&self.always);
            if let Some(ac) = &self.automaton {
                for m in ac.find_overlapping_iter(text.as_str()) {
                    for u in &self.uses[m.pattern().as_usize()] {
                        if out[u.area].is_some()
                            || (u.word && !whole_word(text, m.start(), m.end()))
                        {
                            continue;
                        }
                        let b = &mut best[u.area];
                        *b = Some(b.map_or(u.position, |p| p.min(u.position)));
                    }
                }
            }
            for (area, b) in best.iter().enumerate() {
                if out[area].is_none()
                    && let Some(p) = b
                {
                    out[area] = Some((t, self.keywords[area][*p].as_str()));
                }
            }
        }
        out
    }
}

/// Whether `hay[start..end]` has no letter or digit right before or after it.
fn whole_word(hay: &str, start: usize, end: usize) -> bool {
    let before_ok = hay[..start]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric());
    let after_ok = hay[end..]
        .chars()
        .next()
        .is_none_or(|c| !c.is_alphanumeric());
    before_ok && after_ok
}

/// Lower-case, straight apostrophes, single spaces: so phrases match across
/// line breaks and typographic quotes.
/// [`normalise_text`] without allocating when `s` is already normalised (as
/// the keywords of a framework file usually are): this runs for every keyword
/// of every area of every activity.
fn normalise_cow(s: &str) -> Cow<'_, str> {
    let clean = !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains("  ")
        && s.chars().all(|c| {
            !c.is_uppercase()
                && c != '\u{2019}'
                && c != '\u{2018}'
                && (c == ' ' || !c.is_whitespace())
        });
    if clean {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(normalise_text(s))
    }
}

fn normalise_text(s: &str) -> String {
    s.to_lowercase()
        .replace(['\u{2019}', '\u{2018}'], "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `needle` occurs in `hay` with no letter or digit right before or after it.
pub(crate) fn contains_word(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(pos) = hay[from..].find(needle) {
        let start = from + pos;
        if whole_word(hay, start, start + needle.len()) {
            return true;
        }
        // Step past the first character of this occurrence.
        from = start + hay[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Shares are kept to [`SHARE_DP`] decimal places. Rust's `Decimal` holds
/// about 28 significant digits, so adding 28-place shares rounds once a sum
/// passes 1, and the result would depend on the order of the input. At 20
/// places every sum of shares is exact, and the error (below 10⁻²⁰ of a value)
/// never reaches a cent.
pub(crate) fn fix_share(share: Decimal) -> Decimal {
    share.round_dp(SHARE_DP)
}

/// Decimal places of shares, see [`fix_share`].
pub(crate) const SHARE_DP: u32 = 20;

fn name_suffix(name: Option<String>) -> String {
    name.map(|n| format!(" {n}")).unwrap_or_default()
}

/// A share as a percentage for explanations: `0.6` → `60 %`, `1/3` → `33.33 %`.
pub(crate) fn percent(share: Decimal) -> String {
    let p = (share * Decimal::ONE_HUNDRED).round_dp(2).normalize();
    format!("{p} %")
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        #[test]
        fn borrowed_normalisation_equals_the_full_one(s in "[a-zA-Z \u{2019}\u{2018}\tÉé日本]{0,24}") {
            let fast = super::normalise_cow(&s).into_owned();
            proptest::prop_assert_eq!(fast, super::normalise_text(&s));
        }
    }

    use super::*;

    #[test]
    fn whole_words() {
        assert!(contains_word("solar pv for schools", "solar"));
        assert!(contains_word("the (solar) project", "solar"));
        assert!(!contains_word("solarium works", "solar"));
        assert!(!contains_word("insolar", "solar"));
        assert!(contains_word("accès à l'eau potable", "eau potable"));
        assert!(contains_word("énergie solaire", "solaire"));
        assert!(!contains_word("", "x"));
        assert!(!contains_word("x", ""));
        assert!(
            contains_word("aaa solar", "solar"),
            "later occurrence after a partial one"
        );
        assert!(contains_word("solarx solar", "solar"));
    }

    #[test]
    fn percents() {
        assert_eq!(percent(Decimal::new(6, 1)), "60 %");
        assert_eq!(percent(Decimal::ONE / Decimal::from(3)), "33.33 %");
        assert_eq!(percent(Decimal::ONE), "100 %");
    }
}
