//! The IATI activity model as Vaka keeps it.
//!
//! One [`Activity`] holds everything the reader extracts from one `<iati-activity>`
//! element. Codes are stored as the 2.0x code strings (1.0x text codes are
//! normalised by the reader); the original version stays on [`DatasetHeader`].
//!
//! Conventions, shared with the store:
//! - money is a [`Value`]: an exact [`Decimal`] amount, the currency *as published*
//!   (`None` when the element has no `@currency`; the activity's
//!   `default-currency` is applied by consumers, never copied in here) and the
//!   value date;
//! - dates are ISO `YYYY-MM-DD` strings that the reader has checked; date-times
//!   are kept as published when they parse as `xsd:dateTime`;
//! - percentages are exact decimals (`0..=100`);
//! - a value the reader could not accept is `None`, with a [`crate::Diagnostic`]
//!   explaining why. Nothing is guessed.
//!
//! This module must not depend on I/O, the database or async code.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Text in one language. `lang` is `None` when the narrative has no `xml:lang`
/// (it is then in the activity's default language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Narrative {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    pub text: String,
}

/// A multilingual text: the narratives of one element (`title`, `description`, …).
/// 1.0x files put the text directly inside the element; the reader turns that into a
/// single narrative.
pub type Narratives = Vec<Narrative>;

/// Facts about one file, read from the `<iati-activities>` root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DatasetHeader {
    /// `@version` exactly as declared (`None` when absent).
    pub declared_version: Option<String>,
    /// The version the reader treated the file as.
    pub version: IatiVersion,
    /// `@generated-datetime` as published.
    pub generated_datetime: Option<String>,
    /// `@linked-data-default`.
    pub linked_data_default: Option<String>,
    /// Encoding the bytes were decoded from (`UTF-8`, `UTF-16LE`, `windows-1252`, …).
    pub encoding: String,
    /// Whether the input was gzip-compressed.
    pub gzipped: bool,
}

/// IATI standard versions the reader distinguishes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
pub enum IatiVersion {
    /// Drafts before 1.01 (no or `1.0`/`1.00` version attribute, 2010-era samples).
    PreV1,
    V1_01,
    V1_02,
    V1_03,
    V1_04,
    V1_05,
    V2_01,
    V2_02,
    #[default]
    V2_03,
}

impl IatiVersion {
    /// Parse a declared `@version`. Unknown values are `None` (the reader then
    /// guesses from the content and records a diagnostic).
    pub fn from_declared(s: &str) -> Option<Self> {
        Some(match s.trim() {
            "1" | "1.0" | "1.00" => Self::PreV1,
            "1.01" => Self::V1_01,
            "1.02" => Self::V1_02,
            "1.03" => Self::V1_03,
            "1.04" => Self::V1_04,
            "1.05" => Self::V1_05,
            "2.01" => Self::V2_01,
            "2.02" => Self::V2_02,
            "2.03" => Self::V2_03,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PreV1 => "1.00",
            Self::V1_01 => "1.01",
            Self::V1_02 => "1.02",
            Self::V1_03 => "1.03",
            Self::V1_04 => "1.04",
            Self::V1_05 => "1.05",
            Self::V2_01 => "2.01",
            Self::V2_02 => "2.02",
            Self::V2_03 => "2.03",
        }
    }

    /// True for every 1.0x version and the pre-1.0 drafts.
    pub fn is_v1(self) -> bool {
        self < Self::V2_01
    }
}

impl std::fmt::Display for IatiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An organisation reference (`reporting-org`, `provider-org`, `receiver-org`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OrgRef {
    /// `@ref`: the organisation identifier (e.g. `XM-DAC-41114`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref_: Option<String>,
    /// `@type` (OrganisationType code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// `@provider-activity-id` / `@receiver-activity-id` on transaction orgs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_id: Option<String>,
    /// `@secondary-reporter` on `reporting-org`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_reporter: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name: Narratives,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ParticipatingOrg {
    /// OrganisationRole code, `1`..`4` (1.0x `Funding`/`Extending`/… normalised).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crs_channel_code: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name: Narratives,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Description {
    /// DescriptionType code (`1` general, `2` objectives, …); `None` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    pub narratives: Narratives,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ActivityDate {
    /// ActivityDateType code `1`..`4` (1.0x `start-planned` etc. normalised).
    pub type_: String,
    /// `@iso-date` checked as `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iso_date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub narratives: Narratives,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ContactInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organisation: Narratives,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub department: Narratives,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub person_name: Narratives,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub job_title: Narratives,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telephone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mailing_address: Narratives,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RecipientCountry {
    /// ISO 3166-1 alpha-2 code, upper-cased.
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percentage: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub narratives: Narratives,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RecipientRegion {
    pub code: String,
    /// RegionVocabulary; `1` (OECD DAC) when absent.
    pub vocabulary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vocabulary_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percentage: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub narratives: Narratives,
}

/// A point in WGS 84, from `<point><pos>lat lon</pos></point>`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Location {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reach: Option<String>,
    /// `(vocabulary, code)` pairs of `location-id`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub location_ids: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name: Narratives,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub description: Narratives,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activity_description: Narratives,
    /// `(vocabulary, level, code)` of `administrative`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub administrative: Vec<(String, Option<String>, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point: Option<Point>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exactness: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_class: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_designation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Sector {
    /// SectorVocabulary; `1` (DAC 5-digit) when absent.
    pub vocabulary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vocabulary_uri: Option<String>,
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percentage: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub narratives: Narratives,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Tag {
    pub vocabulary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vocabulary_uri: Option<String>,
    pub code: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub narratives: Narratives,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PolicyMarker {
    /// PolicyMarkerVocabulary; `1` (OECD DAC CRS) when absent.
    pub vocabulary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vocabulary_uri: Option<String>,
    pub code: String,
    /// PolicySignificance code `0`..`4`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub significance: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub narratives: Narratives,
}

/// `default-aid-type` / transaction `aid-type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AidType {
    pub code: String,
    /// AidTypeVocabulary; `1` when absent.
    pub vocabulary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CountryBudgetItems {
    pub vocabulary: Option<String>,
    pub items: Vec<BudgetItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BudgetItem {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percentage: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub description: Narratives,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct HumanitarianScope {
    pub type_: String,
    pub vocabulary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vocabulary_uri: Option<String>,
    pub code: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub narratives: Narratives,
}

/// A monetary value as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Value {
    pub amount: Decimal,
    /// `@currency` as published (upper-cased); `None` means the activity's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// `@value-date`, checked as `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Budget {
    /// BudgetType: `1` original, `2` revised (`1` when absent).
    pub type_: String,
    /// BudgetStatus: `1` indicative, `2` committed (`1` when absent).
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_end: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PlannedDisbursement {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_end: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_org: Option<OrgRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver_org: Option<OrgRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Transaction {
    /// Line of the `<transaction>` element.
    pub line: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub humanitarian: Option<bool>,
    /// TransactionType code `1`..`13` (1.0x `IF C D E IR LR R QP QS CG` normalised).
    /// `None` when missing or not a known code (with a diagnostic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// `transaction-date/@iso-date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub description: Narratives,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_org: Option<OrgRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver_org: Option<OrgRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disbursement_channel: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sectors: Vec<Sector>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recipient_countries: Vec<RecipientCountry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recipient_regions: Vec<RecipientRegion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finance_type: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aid_types: Vec<AidType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tied_status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DocumentLink {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub title: Narratives,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub description: Narratives,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RelatedActivity {
    /// RelatedActivityType code `1`..`5`.
    pub type_: String,
    pub ref_: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Conditions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attached: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Condition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    pub narratives: Narratives,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ResultItem {
    /// ResultType code (`1` output, `2` outcome, `3` impact, `9` other).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregation_status: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub title: Narratives,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub description: Narratives,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<Indicator>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Indicator {
    /// IndicatorMeasure code (`1` unit, `2` percentage, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ascending: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub title: Narratives,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub description: Narratives,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<IndicatorValue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub periods: Vec<IndicatorPeriod>,
}

/// A baseline, target or actual. `value` is kept as published text because
/// IATI allows non-numeric values for qualitative indicators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct IndicatorValue {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iso_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comment: Narratives,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct IndicatorPeriod {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_end: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<IndicatorValue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actuals: Vec<IndicatorValue>,
}

/// Everything Vaka keeps of one `<iati-activity>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Activity {
    /// Line of the `<iati-activity>` start tag (1-based).
    pub line: u64,
    /// `iati-identifier`, trimmed. Empty when missing (with a critical diagnostic).
    pub identifier: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_currency: Option<String>,
    /// `@xml:lang`: the default language of narratives without their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hierarchy: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub humanitarian: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated_datetime: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_not_provided: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_data_uri: Option<String>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporting_org: Option<OrgRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participating_orgs: Vec<ParticipatingOrg>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub title: Narratives,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub descriptions: Vec<Description>,
    /// ActivityStatus code `1`..`6`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates: Vec<ActivityDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<ContactInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recipient_countries: Vec<RecipientCountry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recipient_regions: Vec<RecipientRegion>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sectors: Vec<Sector>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_markers: Vec<PolicyMarker>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collaboration_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_flow_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_finance_type: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub default_aid_types: Vec<AidType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_tied_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_budget_items: Option<CountryBudgetItems>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub humanitarian_scopes: Vec<HumanitarianScope>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budgets: Vec<Budget>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub planned_disbursements: Vec<PlannedDisbursement>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transactions: Vec<Transaction>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub document_links: Vec<DocumentLink>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_activities: Vec<RelatedActivity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Conditions>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub results: Vec<ResultItem>,
}

impl Activity {
    /// The currency a value is in: its own `@currency`, else the activity's
    /// `default-currency`, else `""` (unknown).
    pub fn currency_of<'a>(&'a self, value: &'a Value) -> &'a str {
        value
            .currency
            .as_deref()
            .or(self.default_currency.as_deref())
            .unwrap_or("")
    }

    /// The reporting organisation's identifier, or `""`.
    pub fn reporting_org_ref(&self) -> &str {
        self.reporting_org
            .as_ref()
            .and_then(|o| o.ref_.as_deref())
            .unwrap_or("")
    }

    /// The title in `lang` if published, else the first narrative.
    pub fn title_in(&self, lang: &str) -> Option<&str> {
        pick_narrative(&self.title, lang, self.lang.as_deref())
    }
}

/// Choose the narrative in `lang`, else the one in the default language, else the first.
pub fn pick_narrative<'a>(
    narratives: &'a [Narrative],
    lang: &str,
    default_lang: Option<&str>,
) -> Option<&'a str> {
    let in_lang = |l: &str| {
        narratives.iter().find(|n| {
            n.lang
                .as_deref()
                .or(default_lang)
                .is_some_and(|nl| nl.eq_ignore_ascii_case(l))
        })
    };
    in_lang(lang)
        .or_else(|| default_lang.and_then(in_lang))
        .or_else(|| narratives.first())
        .map(|n| n.text.as_str())
}
