//! Ministerial announcements: front matter, Markdown body, and extraction of
//! partners, areas, amounts and commitments.

#![forbid(unsafe_code)]

mod body;
mod error;
mod front_matter;
mod names;
mod release;

pub use body::Sentence;
pub use error::{AnnounceError, ErrorKind};
pub use release::{Location, Minister, Release, parse};
