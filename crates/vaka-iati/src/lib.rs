//! IATI activity files for Vaka.
//!
//! - [`ActivityReader`] streams `<iati-activity>` elements out of a file of any
//!   version (pre-1.0 drafts, 1.01–1.05, 2.01–2.03), plain or gzip-compressed,
//!   in the encoding it declares. Memory is bounded by the largest activity.
//! - [`model`] is the activity model: codes normalised to 2.0x, money as exact
//!   decimals.
//! - [`Diagnostic`]s record invalid *data*; they never abort a file. Only a file
//!   that cannot be read as IATI at all is a [`ReadError`].
//! - [`codelists`] embeds the 2.03 codelists, to check codes and give names.
//!
//! How bytes become activities:
//!
//! ```text
//! bytes ─ input (gzip, encoding → UTF-8, line counting)
//!       ─ cursor (quick-xml events, well-formedness, namespaces,
//!                 2.03 schema walk, codelist checks → diagnostics)
//!       ─ extract (elements → model, 1.0x variants, values left out when invalid)
//!       ─ checks (whole-activity rules: required elements, percentage sums, date order)
//!       → ParsedActivity { activity, diagnostics }
//! ```
//!
//! This crate does no database work and no async I/O.

mod checks;
pub mod codelists;
mod cursor;
mod diagnostic;
mod extract;
mod fxhash;
mod input;
mod lexical;
mod mapping;
pub mod model;
mod reader;
mod schema;
mod tags;

pub use diagnostic::{Diagnostic, DiagnosticKind, Severity};
pub use model::{Activity, DatasetHeader, IatiVersion};
pub use reader::{ActivityReader, ParsedActivity, ReadError, ReadErrorKind};
