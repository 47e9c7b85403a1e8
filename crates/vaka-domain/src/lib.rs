//! Vaka's domain: cooperation frameworks, partners, Pacific countries, national
//! plans, priority areas, money and exchange rates — plain types that are valid
//! by construction.
//!
//! Main types and how data flows through them:
//!
//! - [`Framework`] is loaded from a TOML file (format in
//!   `data/frameworks/README.md`) by [`Framework::from_toml_str`] /
//!   [`Framework::load_file`], or taken from [`Framework::bundled`]
//!   (`nz-japan-2019`, `ajnz-2003`). Loading checks ids, dates, ISO codes and
//!   sector codes and fails with a [`FrameworkError`] naming file, field and
//!   line. Each [`PriorityArea`] carries the [`AreaRules`] that
//!   `vaka-analysis` uses to classify activities.
//! - [`Country`] and [`NationalPlan`] are the embedded reference data from
//!   `data/pacific/`; [`PillarRule`] suggests which DAC sectors serve a plan's
//!   pillars (a documented heuristic).
//! - [`FxTable`] holds annual rates (national currency per US dollar);
//!   [`FxTable::convert`] converts exactly and rounds half away from zero to
//!   cents; a missing rate is [`FxError::Missing`], never zero.
//!
//! This crate does no I/O beyond reading a file it is asked to load, no
//! database work and no async. It must not depend on `vaka-analysis`.

pub mod access;
mod codes;
pub mod framework;
pub mod money;
pub mod reference;

pub use access::{Actor, OrgKind, Role};
pub use codes::{is_iso_country, is_iso_currency};
pub use framework::{
    AreaRules, Framework, FrameworkError, Keywords, Localised, MarkerRule, Mechanism, Partner,
    PriorityArea, Relevance, SectorRule, UNCLASSIFIED, is_kebab_id,
};
pub use money::{Converted, Currency, FxError, FxTable, Rate, convert, round_cents};
pub use reference::{Country, NationalPlan, Pillar, PillarRule, ReferenceError};
