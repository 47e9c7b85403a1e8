//! The store's error type. Every variant says what failed and, where it helps,
//! what to do about it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "unsupported database URL `{0}`: use sqlite://FILE (default sqlite://vaka.db) or postgres://USER@HOST:PORT/DBNAME"
    )]
    UnsupportedUrl(String),

    #[error("cannot open database {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },

    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),

    /// From the SQLite import writer's own connection.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        #[source]
        source: sqlx::Error,
    },

    #[error(
        "the database has migration {version} ({name}) which this version of vaka does not know; upgrade vaka before using this database"
    )]
    SchemaTooNew { version: i64, name: String },

    #[error(
        "migration {version} ({name}) was applied from different SQL than this version of vaka ships; the schema history has been edited"
    )]
    MigrationChanged { version: i64, name: String },

    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),

    #[error("{0} not found")]
    NotFound(String),

    #[error(
        "{what} was changed by someone else (now at version {current}); reload and apply your change again"
    )]
    Conflict { what: String, current: i64 },

    #[error("{0}")]
    Invalid(String),

    #[error("not allowed: {0}")]
    Forbidden(String),
}

impl StoreError {
    /// True when PostgreSQL asks the client to retry the transaction
    /// (serialization failure or deadlock) or SQLite reports a busy database.
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(e)) => {
                matches!(
                    e.code().as_deref(),
                    Some("40001") | Some("40P01") | Some("5") | Some("6")
                )
            }
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ),
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
