//! The framework at work: joint projects, commitments and consultations.
//!
//! - [`project`]: the joint-project model and its lifecycle state machine
//!   (concept → appraisal → awaiting endorsement → endorsed | declined →
//!   approved by every partner → implementation → completed | cancelled), with
//!   [`project::check_transition`] deciding *who* may make each step given a
//!   [`vaka_domain::access::Actor`].
//! - [`commitment`]: candidate commitments from announcements and the derived
//!   status of a confirmed one (announced, in progress, delivered, lapsed) from
//!   the evidence linked to it.
//! - [`consultation`]: meetings under a framework mechanism, agenda items and
//!   action items, the overdue rule, and the meeting record as printable HTML
//!   and XLSX.
//!
//! The crate is pure: no database, no async, no I/O. The store calls it to
//! decide and the store records the result.

pub mod commitment;
pub mod consultation;
mod error;
pub mod project;

pub use error::CoordError;

/// `true` when `actor` may write anything at all (a visitor or viewer never does).
pub fn can_write(actor: Option<&vaka_domain::access::Actor>) -> bool {
    actor.is_some_and(|a| a.can_write())
}
