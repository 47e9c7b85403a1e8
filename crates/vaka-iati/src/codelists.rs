//! The IATI 2.03 codelists, embedded in the binary.
//!
//! Each list is parsed from its XML the first time it is asked for and then
//! kept for the life of the process (one [`OnceLock`] per list), so checking a
//! code costs one hash lookup. Use [`name`] to label a code for people,
//! [`contains`] / [`status`] to check one, and [`codelist`] for everything else
//! (categories, descriptions, all items).
//!
//! ```
//! use vaka_iati::codelists;
//! assert_eq!(codelists::name("Sector", "23230", "en"), Some("Solar energy for centralised grids"));
//! assert_eq!(codelists::name("OrganisationRole", "1", "fr"), Some("Financement"));
//! assert!(codelists::contains("Currency", "NZD"));
//! assert!(!codelists::contains("Currency", "XYZ"));
//! ```
//!
//! Which attribute uses which list (and under which vocabulary) comes from the
//! IATI `mapping.xml`; see the crate-private `mapping` module. This module must
//! not know about activities or diagnostics.

use std::sync::OnceLock;

use quick_xml::events::Event;

use crate::fxhash::FxMap;

/// Whether a code may still be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeStatus {
    Active,
    /// Still recognised, but publishers should no longer use it.
    Withdrawn,
}

/// One code of a list, with its names and descriptions in every language the
/// list provides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodelistItem {
    code: String,
    status: CodeStatus,
    /// `(lang, text)`; `lang` is the list's default language when the narrative has none.
    names: Vec<(String, String)>,
    descriptions: Vec<(String, String)>,
    category: Option<String>,
}

impl CodelistItem {
    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn status(&self) -> CodeStatus {
        self.status
    }

    /// The name in `lang`, else in English, else the first one given.
    pub fn name(&self, lang: &str) -> Option<&str> {
        pick(&self.names, lang)
    }

    /// The description in `lang`, else in English, else the first one given.
    pub fn description(&self, lang: &str) -> Option<&str> {
        pick(&self.descriptions, lang)
    }

    /// The code of this item's category in the list's category list
    /// (e.g. the DAC 3-digit `SectorCategory` of a DAC 5-digit `Sector`).
    pub fn category(&self) -> Option<&str> {
        self.category.as_deref()
    }
}

fn pick<'a>(texts: &'a [(String, String)], lang: &str) -> Option<&'a str> {
    let find = |l: &str| texts.iter().find(|(tl, _)| tl.eq_ignore_ascii_case(l));
    find(lang)
        .or_else(|| find("en"))
        .or_else(|| texts.first())
        .map(|(_, t)| t.as_str())
}

/// One parsed codelist.
#[derive(Debug, Default)]
pub struct Codelist {
    name: &'static str,
    complete: bool,
    items: Vec<CodelistItem>,
    index: FxMap<String, usize>,
}

impl Codelist {
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// `false` for lists IATI marks as incomplete (`complete="0"`, e.g.
    /// `Country`, `Language`): a code missing from them is doubtful rather
    /// than wrong.
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    pub fn items(&self) -> &[CodelistItem] {
        &self.items
    }

    pub fn get(&self, code: &str) -> Option<&CodelistItem> {
        self.index.get(code).map(|&i| &self.items[i])
    }
}

struct Entry {
    name: &'static str,
    xml: &'static str,
    parsed: OnceLock<Codelist>,
}

macro_rules! list {
    ($name:literal, $dir:literal) => {
        Entry {
            name: $name,
            xml: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../data/iati/codelists/",
                $dir,
                "/",
                $name,
                ".xml"
            )),
            parsed: OnceLock::new(),
        }
    };
}

/// Every 2.03 list shipped in `data/iati/codelists`, sorted by name.
static LISTS: [Entry; 70] = [
    list!("ActivityDateType", "embedded"),
    list!("ActivityScope", "non-embedded"),
    list!("ActivityStatus", "embedded"),
    list!("AidType", "non-embedded"),
    list!("AidType-category", "non-embedded"),
    list!("AidTypeVocabulary", "non-embedded"),
    list!("BudgetIdentifier", "non-embedded"),
    list!("BudgetIdentifierSector", "non-embedded"),
    list!("BudgetIdentifierSector-category", "non-embedded"),
    list!("BudgetIdentifierVocabulary", "non-embedded"),
    list!("BudgetNotProvided", "non-embedded"),
    list!("BudgetStatus", "embedded"),
    list!("BudgetType", "embedded"),
    list!("CRSAddOtherFlags", "non-embedded"),
    list!("CRSChannelCode", "non-embedded"),
    list!("CashandVoucherModalities", "non-embedded"),
    list!("CollaborationType", "non-embedded"),
    list!("ConditionType", "non-embedded"),
    list!("ContactType", "non-embedded"),
    list!("Country", "non-embedded"),
    list!("Currency", "non-embedded"),
    list!("DescriptionType", "non-embedded"),
    list!("DisbursementChannel", "non-embedded"),
    list!("DocumentCategory", "embedded"),
    list!("DocumentCategory-category", "non-embedded"),
    list!("EarmarkingCategory", "non-embedded"),
    list!("FileFormat", "non-embedded"),
    list!("FinanceType", "non-embedded"),
    list!("FinanceType-category", "non-embedded"),
    list!("FlowType", "non-embedded"),
    list!("GazetteerAgency", "embedded"),
    list!("GeographicExactness", "non-embedded"),
    list!("GeographicLocationClass", "non-embedded"),
    list!("GeographicLocationReach", "non-embedded"),
    list!("GeographicVocabulary", "non-embedded"),
    list!("GeographicalPrecision", "non-embedded"),
    list!("HumanitarianScopeType", "non-embedded"),
    list!("HumanitarianScopeVocabulary", "non-embedded"),
    list!("IATIOrganisationIdentifier", "non-embedded"),
    list!("IndicatorMeasure", "non-embedded"),
    list!("IndicatorVocabulary", "non-embedded"),
    list!("Language", "non-embedded"),
    list!("LoanRepaymentPeriod", "non-embedded"),
    list!("LoanRepaymentType", "non-embedded"),
    list!("LocationType", "non-embedded"),
    list!("LocationType-category", "non-embedded"),
    list!("OrganisationIdentifier", "non-embedded"),
    list!("OrganisationRegistrationAgency", "non-embedded"),
    list!("OrganisationRole", "embedded"),
    list!("OrganisationType", "non-embedded"),
    list!("OtherIdentifierType", "non-embedded"),
    list!("PolicyMarker", "non-embedded"),
    list!("PolicyMarkerVocabulary", "non-embedded"),
    list!("PolicySignificance", "non-embedded"),
    list!("PublisherType", "non-embedded"),
    list!("Region", "non-embedded"),
    list!("RegionVocabulary", "non-embedded"),
    list!("RelatedActivityType", "embedded"),
    list!("ResultType", "non-embedded"),
    list!("ResultVocabulary", "non-embedded"),
    list!("Sector", "non-embedded"),
    list!("SectorCategory", "non-embedded"),
    list!("SectorVocabulary", "non-embedded"),
    list!("TagVocabulary", "non-embedded"),
    list!("TiedStatus", "non-embedded"),
    list!("TransactionType", "embedded"),
    list!("UNSDG-Goals", "non-embedded"),
    list!("UNSDG-Targets", "non-embedded"),
    list!("VerificationStatus", "non-embedded"),
    list!("Version", "non-embedded"),
];

/// The names of all embedded lists, sorted.
pub fn list_names() -> impl Iterator<Item = &'static str> {
    LISTS.iter().map(|e| e.name)
}

/// The list called `name` (as in IATI: `Sector`, `OrganisationRole`, …),
/// parsed on first use.
pub fn codelist(name: &str) -> Option<&'static Codelist> {
    let i = LISTS.binary_search_by(|e| e.name.cmp(name)).ok()?;
    let entry = &LISTS[i];
    Some(
        entry
            .parsed
            .get_or_init(|| parse_codelist(entry.name, entry.xml)),
    )
}

/// The name of `code` in `list`, in `lang` if the list has it, else in English.
/// `None` when the list or the code is unknown.
pub fn name(list: &str, code: &str, lang: &str) -> Option<&'static str> {
    codelist(list)?.get(code)?.name(lang)
}

/// Whether `code` is in `list` (withdrawn codes included).
pub fn contains(list: &str, code: &str) -> bool {
    codelist(list).is_some_and(|l| l.get(code).is_some())
}

/// Whether `code` is active or withdrawn in `list`; `None` when it is not in it.
pub fn status(list: &str, code: &str) -> Option<CodeStatus> {
    Some(codelist(list)?.get(code)?.status)
}

/// Parse one codelist file. The files are embedded and checked by tests, so a
/// failure here is a packaging bug: it is logged and the list comes out empty
/// rather than aborting a caller's import.
fn parse_codelist(name: &'static str, xml: &str) -> Codelist {
    match try_parse_codelist(name, xml) {
        Ok(list) => list,
        Err(e) => {
            tracing::error!(list = name, error = %e, "embedded codelist does not parse; treating it as empty");
            Codelist {
                name,
                ..Codelist::default()
            }
        }
    }
}

fn try_parse_codelist(name: &'static str, xml: &str) -> Result<Codelist, quick_xml::Error> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut list = Codelist {
        name,
        complete: true,
        ..Codelist::default()
    };
    let mut default_lang = String::from("en");
    // Element names from <codelist-item> down, to know where text belongs.
    let mut path: Vec<String> = Vec::new();
    let mut item: Option<CodelistItem> = None;
    let mut narrative_lang: Option<String> = None;
    let mut text = String::new();
    loop {
        let event = reader.read_event()?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let el = e.name().0;
                let empty = matches!(event, Event::Empty(_));
                match el {
                    "codelist" => {
                        for a in e.attributes().flatten() {
                            match a.key.0 {
                                "xml:lang" => default_lang = a.value.to_string(),
                                "complete" => list.complete = a.value != "0",
                                _ => {}
                            }
                        }
                    }
                    "codelist-item" => {
                        let withdrawn = e
                            .attributes()
                            .flatten()
                            .any(|a| a.key.0 == "status" && a.value == "withdrawn");
                        item = Some(CodelistItem {
                            code: String::new(),
                            status: if withdrawn {
                                CodeStatus::Withdrawn
                            } else {
                                CodeStatus::Active
                            },
                            names: Vec::new(),
                            descriptions: Vec::new(),
                            category: None,
                        });
                        path.clear();
                    }
                    "narrative" => {
                        narrative_lang = e
                            .attributes()
                            .flatten()
                            .find(|a| a.key.0 == "xml:lang")
                            .map(|a| a.value.to_string());
                    }
                    _ => {}
                }
                if item.is_some() && el != "codelist-item" && !empty {
                    path.push(el.to_owned());
                }
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                if let Some(c) = r.resolve_char_ref()? {
                    text.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    text.push_str(s);
                }
            }
            Event::CData(c) => text.push_str(&c.xml10_content()),
            Event::End(e) => {
                let el = e.name().0;
                if el == "codelist-item" {
                    if let Some(done) = item.take()
                        && !done.code.is_empty()
                    {
                        list.index.insert(done.code.clone(), list.items.len());
                        list.items.push(done);
                    }
                } else if let Some(it) = item.as_mut() {
                    let parent = path
                        .len()
                        .checked_sub(2)
                        .and_then(|i| path.get(i))
                        .map(String::as_str);
                    let value = text.trim();
                    match (el, parent) {
                        ("code", _) => it.code = value.to_owned(),
                        ("category", _) => it.category = Some(value.to_owned()),
                        ("narrative", Some("name" | "description")) => {
                            let lang = narrative_lang
                                .take()
                                .unwrap_or_else(|| default_lang.clone());
                            let pair = (lang, value.to_owned());
                            if parent == Some("name") {
                                it.names.push(pair);
                            } else {
                                it.descriptions.push(pair);
                            }
                        }
                        _ => {}
                    }
                    path.pop();
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_list_parses_and_is_sorted() {
        let names: Vec<_> = list_names().collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted, "LISTS must stay sorted for binary search");
        for n in names {
            let list = codelist(n).unwrap();
            assert!(!list.items().is_empty(), "{n} parsed empty");
            assert!(list.items().iter().all(|i| !i.code().is_empty()));
        }
    }

    #[test]
    fn names_with_language_fallback() {
        assert_eq!(name("OrganisationRole", "4", "en"), Some("Implementing"));
        assert_eq!(name("OrganisationRole", "4", "ja"), Some("Implementing"));
        assert_eq!(name("Country", "TO", "en"), Some("Tonga"));
        assert_eq!(
            name("Sector", "11110", "fr"),
            Some("Politique de l'éducation et gestion administrative")
        );
        assert_eq!(name("Sector", "99999", "en"), None);
        assert_eq!(name("NoSuchList", "1", "en"), None);
        assert_eq!(
            codelist("Sector").unwrap().get("11110").unwrap().category(),
            Some("111")
        );
    }

    #[test]
    fn withdrawn_and_incomplete() {
        assert_eq!(status("FinanceType", "110"), Some(CodeStatus::Active));
        let withdrawn = codelist("FinanceType")
            .unwrap()
            .items()
            .iter()
            .find(|i| i.status() == CodeStatus::Withdrawn)
            .unwrap();
        assert!(contains("FinanceType", withdrawn.code()));
        assert!(!codelist("Country").unwrap().is_complete());
        assert!(codelist("Sector").unwrap().is_complete());
    }
}
