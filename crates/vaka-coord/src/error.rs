//! The one error type of the coordination rules. Every variant says what was
//! refused and why, in words a user can act on.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CoordError {
    /// The actor may not do this (the message says who may).
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// The project is not in a state where this step applies.
    #[error("cannot {action} a project that is {from}; {hint}")]
    InvalidTransition {
        action: String,
        from: String,
        hint: String,
    },
    /// Input that does not make sense (unknown action, empty title, …).
    #[error("{0}")]
    Invalid(String),
    #[error("cannot write the spreadsheet: {0}")]
    Xlsx(String),
}
