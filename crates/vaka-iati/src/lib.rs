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
//! This crate does no database work and no async I/O.

pub mod codelists;
mod diagnostic;
pub mod model;
mod reader;

pub use diagnostic::{Diagnostic, DiagnosticKind, Severity};
pub use model::{Activity, DatasetHeader, IatiVersion};
pub use reader::{ActivityReader, ParsedActivity, ReadError, ReadErrorKind};
