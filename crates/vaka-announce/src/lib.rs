//! Ministerial announcements: front matter, Markdown body, and extraction of
//! partners, areas, amounts and commitments.
//!
//! Data flows in three steps:
//!
//! 1. [`parse`] reads a release (YAML front matter between `---` fences, then a
//!    Markdown body) into a [`Release`]: checked `title`, `date`, `url`,
//!    [`Minister`]s with honorifics split off, unknown fields kept in
//!    `extra`, and the body as plain-text paragraphs and [`Sentence`]s. A
//!    malformed front matter is an [`AnnounceError`] naming the line and field.
//! 2. [`extract`] looks through the title and sentences with the built-in
//!    gazetteer (every ISO 3166-1 country from the embedded IATI Country
//!    codelist, plus adjectives, demonyms and regions) and a caller-supplied
//!    [`Lexicon`] of priority areas and frameworks, giving an [`Extraction`]:
//!    countries, regions, areas, frameworks, [`Person`]s, [`Amount`]s,
//!    [`DateMention`]s and draft [`Commitment`]s, each with its evidence
//!    sentence.
//! 3. [`to_json`] renders a release and its extraction in the agreed JSON shape.
//!
//! ```
//! let text = "---\ntitle: Aid for Fiji\ndate: 2024-05-01\nurl: https://www.beehive.govt.nz/release/x\n---\n\
//!             New Zealand will provide $7.9 million for solar power in Fiji.";
//! let release = vaka_announce::parse("x.md", text).unwrap();
//! let ex = vaka_announce::extract(&release, &vaka_announce::Lexicon::nz_japan_default());
//! assert_eq!(ex.amounts[0].value.to_string(), "7900000");
//! assert_eq!(ex.amounts[0].currency.as_deref(), Some("NZD"));
//! assert_eq!(ex.commitments[0].areas, ["renewable-energy"]);
//! ```
//!
//! The crate is pure: no database, no async, no I/O (the codelists it needs are
//! compiled in).
//!
//! Decisions worth knowing:
//! - The title counts for countries, regions, areas and frameworks (so the
//!   founding document's countries are `["NZ", "JP"]`, as its headline names
//!   them), but not for people, amounts, dates or commitments: a headline
//!   restates the body and would double them.
//! - One `portfolios` list with several ministers belongs to the first
//!   minister; ministers written as mappings carry their own portfolios.
//! - A bare `$` is the issuing country's dollar. The issuing country comes
//!   from a government domain in `url` (`*.govt.nz` → NZ, `*.go.jp` → JP, …) or
//!   else from a front-matter minister whom the body places in a country.
//!   Without one, the amount goes to [`Extraction::unresolved_amounts`], never
//!   into [`Extraction::amounts`] with a guessed currency.
//! - `¥` is JPY; bare "Korea"/"Korean" is KR; bare "Micronesia" is FM unless
//!   Melanesia or Polynesia are named alongside it (then it is the region);
//!   "New Guinea" and "Virgin Islands" alone name no country.
//! - Relative dates are resolved only when the release date fixes them
//!   ("yesterday", "last night", "today", "tomorrow"); "last week" is left out.

#![forbid(unsafe_code)]

mod body;
mod error;
mod extract;
mod front_matter;
mod gazetteer;
mod json;
mod lexicon;
mod names;
mod release;
mod text;

pub use body::Sentence;
pub use error::{AnnounceError, ErrorKind};
pub use extract::{
    Amount, Commitment, CommitmentStatus, CurrencyBasis, DateMention, DatePrecision, Extraction,
    Finding, FrameworkBasis, IssuingBasis, IssuingCountry, Mention, Person, extract,
};
pub use gazetteer::{countries_in, country_name, regions_in};
pub use json::to_json;
pub use lexicon::{AreaTerms, FrameworkTerms, Lexicon};
pub use release::{Location, Minister, Release, parse};
