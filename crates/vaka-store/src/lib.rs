//! The Vaka store: one API over SQLite (the embedded default) and PostgreSQL
//! (shared deployments).
//!
//! - [`Store`] opens a database by URL (`sqlite://…`, `postgres://…`), applies the
//!   migrations in [`migrate::MIGRATIONS`] and offers every query the rest of Vaka
//!   needs. Callers never write SQL; backend differences (bulk writes, upserts,
//!   locking, text search) stay inside this crate.
//! - [`import`] turns IATI files into stored datasets: one transaction per file,
//!   idempotent by content hash, replacing a changed file's activities atomically.
//! - [`stats`] and [`diagnostics`] are the reconciliation and data-quality reports.
//!
//! Invariants: every stored activity row knows its dataset (file path, SHA-256,
//! IATI version), its line and its import run; a rejected file changes nothing.

pub mod accounts;
pub mod analysis;
pub mod audit;
mod batch;
pub mod coord;
pub mod datasets;
mod db;
pub mod diagnostics;
mod doc;
mod error;
pub mod import;
mod memo;
pub mod migrate;
pub mod read;
pub mod schema;
pub mod stats;
mod util;

pub use db::{Backend, Store, redact_url};
pub use error::{Result, StoreError};
