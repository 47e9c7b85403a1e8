//! Opening a database by URL and running code against either backend.
//!
//! Queries are written once, with `$1` placeholders that both drivers accept, and
//! compiled for each backend by [`on_pool!`]: the macro expands its body once per
//! pool type, so the same source works with the native SQLite and PostgreSQL
//! drivers. Code that must differ between backends (bulk writes, locks, text
//! search) matches on [`Backend`] explicitly and lives in this crate only.

use std::str::FromStr;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::error::{Result, StoreError};

/// Statements slower than this are logged at debug level only: a bulk insert of
/// 500 rows is legitimately slow, and its whole text must not flood stderr.
const SLOW_STATEMENT: Duration = Duration::from_secs(2);

/// SQLite's page cache per connection (`PRAGMA cache_size`; negative: KiB).
pub(crate) const SQLITE_CACHE_SIZE: &str = "-32000";

/// The page size of a new SQLite database. Imports write about a hundred
/// megabytes of pages per hundred megabytes of XML, and analytic reads scan
/// `fact`: with 16 KiB pages an import needs about an eighth less CPU
/// (BENCHMARKS.md, "Allocation and page size"). SQLite applies it only when
/// it creates the file; an existing database keeps the size it was created
/// with (a WAL database cannot change it).
pub(crate) const SQLITE_PAGE_SIZE: u32 = 16384;

/// The page cache while the `fact_cube` rebuild sorts the facts. SQLite's
/// sorter keeps up to `cache_size` of unsorted rows in memory before it
/// spills to a temporary file, on top of the page cache itself: at the full
/// size the rebuild after a 1 GB import raised peak RSS from 127 MB to 159 MB.
pub(crate) const SQLITE_SORT_CACHE_SIZE: &str = "-8000";

/// Which database engine a [`Store`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Expand `$body` once for each backend with `$pool` bound to the concrete pool.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::db::Pool::Sqlite($pool) => $body,
            $crate::db::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// A connection pool to one Vaka database, with the schema migrated.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: Pool,
    backend: Backend,
    display_url: String,
    pub(crate) memo: std::sync::Arc<crate::memo::Memo>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .field("url", &self.display_url)
            .finish()
    }
}

impl Store {
    /// Open (creating an SQLite file if needed) and migrate to the latest schema.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        store.ensure_reference_data().await?;
        Ok(store)
    }

    /// Open without applying migrations (for `vaka migrate --status` and tests).
    pub async fn connect(url: &str) -> Result<Store> {
        let display_url = redact_url(url);
        let connect_err = |source| StoreError::Connect {
            url: display_url.clone(),
            source,
        };
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(connect_err)?
                .create_if_missing(true)
                .page_size(SQLITE_PAGE_SIZE)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(60))
                .pragma("cache_size", SQLITE_CACHE_SIZE)
                // Temporary b-trees and sorts stay in the page cache while they
                // fit and spill to a temporary file beyond it. In memory they
                // grew with the data: the `fact_cube` rebuild's GROUP BY took
                // 1.2 GB for 9 M facts.
                .pragma("temp_store", "file")
                // Bulk inserts use a few fixed statement shapes per table (see `batch`).
                .statement_cache_capacity(256)
                .log_slow_statements(log::LevelFilter::Debug, SLOW_STATEMENT);
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .min_connections(1)
                .connect_with(opts)
                .await
                .map_err(connect_err)?;
            Ok(Store {
                pool: Pool::Sqlite(pool),
                backend: Backend::Sqlite,
                display_url,
                memo: Default::default(),
            })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)
                .map_err(connect_err)?
                // Vaka's statements are small lookups and memoised aggregates;
                // PostgreSQL's JIT compiled some of them for 150 ms to run
                // them in 0.1 ms (an activity page on 100 k activities: 360 ms).
                .options([("jit", "off")])
                .log_slow_statements(log::LevelFilter::Debug, SLOW_STATEMENT);
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await
                .map_err(connect_err)?;
            Ok(Store {
                pool: Pool::Postgres(pool),
                backend: Backend::Postgres,
                display_url,
                memo: Default::default(),
            })
        } else {
            Err(StoreError::UnsupportedUrl(display_url))
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL with any password replaced by `***`, safe to print and log.
    pub fn display_url(&self) -> &str {
        &self.display_url
    }

    /// Close every pooled connection (SQLite checkpoints its WAL on close).
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }

    /// Whether the database answers a trivial query (readiness).
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }
}

/// Hide the password of a database URL (`postgres://u:secret@h/db` → `postgres://u:***@h/db`).
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => format!(
            "{}{}:***{}",
            &url[..scheme_end + 3],
            &authority[..colon],
            &rest[at..]
        ),
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact_url("postgres://vaka:s3cret@db:5432/vaka?sslmode=require"),
            "postgres://vaka:***@db:5432/vaka?sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://root@127.0.0.1/test"),
            "postgres://root@127.0.0.1/test"
        );
        assert_eq!(redact_url("sqlite://vaka.db"), "sqlite://vaka.db");
    }
}
