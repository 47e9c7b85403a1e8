//! Pure coordination analysis: classification into priority areas,
//! apportioning of money to places and areas, currency conversion, and the
//! coverage matrix.
//!
//! Main types and how data flows through them:
//!
//! 1. [`classify()`] turns a [`ClassifyInput`] (sectors, policy markers, texts)
//!    and a framework's [`vaka_domain::PriorityArea`]s into a
//!    [`Classification`]: explained [`AreaTag`]s plus an `unclassified` rest.
//!    A person's [`Override`] replaces it ([`Classification::from_override`]).
//! 2. [`flatten`] takes one [`vaka_iati::Activity`] and a
//!    [`vaka_domain::Framework`] and produces [`Fact`]s — each transaction
//!    (disbursement, commitment) and budget split over countries/regions and
//!    areas in integer cents that always sum to the whole — plus
//!    [`vaka_iati::Diagnostic`]s for what had to be assumed. The store keeps
//!    facts as rows.
//! 3. [`Matrix::build`] aggregates [`GroupRow`]s (the store's `GROUP BY` over
//!    facts, or [`group_facts`] in memory), converts each group at its rate
//!    year with a [`vaka_domain::FxTable`], and renders JSON, a terminal table,
//!    CSV or XLSX.
//!
//! **Invariants:** parts of a value sum to the value to the cent; a country's
//! areas sum to the country's part; no missing exchange rate is ever read as
//! zero; results do not depend on the order of countries or sectors.
//!
//! This crate is pure: no database, no async, no network, no file I/O.

pub mod apportion;
pub mod classify;
pub mod matrix;

pub use apportion::{
    Classify, Fact, Flattened, GeoKind, GeoShare, Measure, allocate, flatten, geo_split, to_minor,
};
pub use classify::{
    AreaTag, Classification, ClassifyInput, CodeNames, KeywordIndex, KeywordIndexError,
    MarkerInput, NoNames, Override, OverrideError, OverrideInfo, RuleKind, RuleRef, SectorInput,
    TextInput, classify, classify_indexed, classify_with_names,
};
pub use matrix::{
    Cell, Dim, GroupRow, Matrix, MatrixError, MatrixMeasure, MatrixRequest, PartnerBy, RateUsed,
    Totals, UNALLOCATED, Unconverted, geo_key, group_facts, to_xlsx,
};
