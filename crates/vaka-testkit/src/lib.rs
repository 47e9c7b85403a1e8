//! Test support for Vaka's crates (a dev-dependency only).
//!
//! - [`shared_data`] locates the shared real data (`../shared/data` next to the
//!   repository, or `VAKA_SHARED_DATA`), [`repo_root`] the repository.
//! - [`TestDb`] gives each test a fresh database on either backend: a new SQLite
//!   file in a temporary directory, or a new PostgreSQL database on the server
//!   named by [`PG_ENV`]. The PostgreSQL leg never skips: if the server cannot be
//!   reached the test fails and says how to fix it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;
use vaka_store::{Backend, Store};

/// The variable naming the PostgreSQL server used by tests (a URL to any database
/// on it; the user must be allowed to create databases). `.ci/run` sets it.
pub const PG_ENV: &str = "VAKA_TEST_PG";
/// Default when [`PG_ENV`] is unset: the local server of a development machine.
pub const PG_DEFAULT: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The shared real data folder (`../shared/data` beside the repository).
pub fn shared_data() -> PathBuf {
    if let Ok(p) = std::env::var("VAKA_SHARED_DATA") {
        return PathBuf::from(p);
    }
    let p = repo_root().join("../shared/data");
    assert!(
        p.is_dir(),
        "shared data not found at {}; set VAKA_SHARED_DATA to the shared data folder",
        p.display()
    );
    p
}

/// The bundled data folder of the repository (`data/`).
pub fn bundled_data() -> PathBuf {
    repo_root().join("data")
}

/// The PostgreSQL server URL for tests.
pub fn pg_url() -> String {
    std::env::var(PG_ENV).unwrap_or_else(|_| PG_DEFAULT.to_string())
}

/// Replace the database name of a PostgreSQL URL.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..path_start], db);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh, empty, migrated database for one test. Dropped with the test.
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => Self::sqlite(),
            Backend::Postgres => Self::postgres().await,
        }
    }

    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("vaka.db").display());
        TestDb {
            url,
            backend: Backend::Sqlite,
            pg_name: None,
            _dir: Some(dir),
        }
    }

    pub async fn postgres() -> TestDb {
        let admin = pg_url();
        let name = format!(
            "vaka_t{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        );
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| {
            panic!(
                "the PostgreSQL leg of the tests needs a server: cannot connect to {admin} ({e}). \
                 Start PostgreSQL or set {PG_ENV} to a server URL (see README)."
            )
        });
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.ok();
        TestDb {
            url: with_database(&admin, &name),
            backend: Backend::Postgres,
            pg_name: Some(name),
            _dir: None,
        }
    }

    /// Open the store (migrated).
    pub async fn store(&self) -> Store {
        Store::open(&self.url).await.unwrap()
    }

    /// The folder holding the SQLite file (a scratch folder for the test), if any.
    pub fn dir(&self) -> Option<&std::path::Path> {
        self._dir.as_ref().map(|d| d.path())
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else {
            return;
        };
        let admin = pg_url();
        // Drop runs outside any runtime we can rely on: use a short-lived one on a thread.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&admin).await.ok()?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await
                .ok()?;
                conn.close().await.ok()
            })
        })
        .join();
    }
}

/// Generate one test per backend: `both_backends!(name, |db: TestDb| async move { … });`
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::TestDb::new(vaka_store::Backend::Sqlite).await;
                ($body)(db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let db = $crate::TestDb::new(vaka_store::Backend::Postgres).await;
                ($body)(db).await;
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            super::with_database("postgres://u@h:5432/postgres?sslmode=disable", "x"),
            "postgres://u@h:5432/x?sslmode=disable"
        );
        assert_eq!(
            super::with_database("postgres://u@h", "x"),
            "postgres://u@h/x"
        );
    }
}
