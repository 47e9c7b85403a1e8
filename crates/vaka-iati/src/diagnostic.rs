//! Diagnostics: what the reader found wrong with the *data* of a file that is
//! otherwise readable. A diagnostic never aborts a file; the value concerned is
//! left out and the rest of the activity is kept.

use serde::{Deserialize, Serialize};

/// How bad a finding is.
///
/// - `Critical`: the activity cannot be used as published (no identifier, no
///   reporting organisation).
/// - `Error`: a value breaks the standard and was left out (bad code, date,
///   decimal, percentage, missing required attribute).
/// - `Warning`: the value was kept but is doubtful (deprecated code, percentages
///   not summing to 100, duplicate identifier superseded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::Error => "error",
            Self::Warning => "warning",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "critical" => Some(Self::Critical),
            "error" => Some(Self::Error),
            "warning" => Some(Self::Warning),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of problem it is. Stored as its kebab-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagnosticKind {
    /// A required element is absent (`iati-identifier`, `reporting-org`, `title`, …).
    MissingElement,
    /// A required attribute is absent (`@code`, `@type`, `@iso-date`, …).
    MissingAttribute,
    /// An element occurs more often than allowed.
    Cardinality,
    /// A code is not in its 2.03 codelist.
    InvalidCode,
    /// A date or date-time is not a valid `xsd:date` / `xsd:dateTime`.
    InvalidDate,
    /// A number is not a valid `xsd:decimal` (e.g. `1,000`).
    InvalidDecimal,
    /// A percentage is outside 0..=100 or not a number.
    InvalidPercentage,
    /// Percentages of one kind do not add up to 100.
    PercentageSum,
    /// A boolean attribute is not `0`/`1`/`true`/`false`.
    InvalidBoolean,
    /// A value has a currency that is not an ISO 4217 code, or none at all.
    InvalidCurrency,
    /// An ill-formed identifier or reference.
    InvalidIdentifier,
    /// The same `iati-identifier` appears twice in one file (the last is kept).
    DuplicateIdentifier,
    /// The same `iati-identifier` is published in another dataset too.
    CrossDatasetDuplicate,
    /// The file declares no or an unknown version.
    Version,
    /// Dates in the wrong order (end before start).
    DateOrder,
    /// Anything else that is structurally wrong but recoverable.
    Structure,
    /// Amounts could not be apportioned or converted as published
    /// (several countries without percentages, missing exchange rate).
    Apportioning,
}

impl DiagnosticKind {
    pub const ALL: &'static [DiagnosticKind] = &[
        Self::MissingElement,
        Self::MissingAttribute,
        Self::Cardinality,
        Self::InvalidCode,
        Self::InvalidDate,
        Self::InvalidDecimal,
        Self::InvalidPercentage,
        Self::PercentageSum,
        Self::InvalidBoolean,
        Self::InvalidCurrency,
        Self::InvalidIdentifier,
        Self::DuplicateIdentifier,
        Self::CrossDatasetDuplicate,
        Self::Version,
        Self::DateOrder,
        Self::Structure,
        Self::Apportioning,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::MissingElement => "missing-element",
            Self::MissingAttribute => "missing-attribute",
            Self::Cardinality => "cardinality",
            Self::InvalidCode => "invalid-code",
            Self::InvalidDate => "invalid-date",
            Self::InvalidDecimal => "invalid-decimal",
            Self::InvalidPercentage => "invalid-percentage",
            Self::PercentageSum => "percentage-sum",
            Self::InvalidBoolean => "invalid-boolean",
            Self::InvalidCurrency => "invalid-currency",
            Self::InvalidIdentifier => "invalid-identifier",
            Self::DuplicateIdentifier => "duplicate-identifier",
            Self::CrossDatasetDuplicate => "cross-dataset-duplicate",
            Self::Version => "version",
            Self::DateOrder => "date-order",
            Self::Structure => "structure",
            Self::Apportioning => "apportioning",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for DiagnosticKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding about the data of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub kind: DiagnosticKind,
    /// `iati-identifier` of the activity concerned (`None` for file-level findings).
    pub activity: Option<String>,
    /// 1-based line of the element concerned.
    pub line: u64,
    /// Where in the activity, as a short path (`transaction/value`, `sector/@percentage`).
    pub path: String,
    /// What is wrong and, where possible, what to do ("`1,000` is not an xsd:decimal").
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {} [{}]", self.line, self.severity, self.kind)?;
        if let Some(a) = &self.activity {
            write!(f, " {a}")?;
        }
        write!(f, " {}: {}", self.path, self.message)
    }
}
