//! Datasets and the provenance of stored activities.

use serde::Serialize;
use sqlx::Row;

use crate::db::{Store, on_pool};
use crate::error::Result;

/// Where a stored activity came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    pub activity_id: i64,
    pub iati_identifier: String,
    pub file: String,
    pub sha256: String,
    pub iati_version: String,
    pub declared_version: Option<String>,
    pub generated_datetime: Option<String>,
    pub line: u64,
    pub import_run_id: i64,
    pub imported_at: String,
}

/// One stored dataset (file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatasetInfo {
    pub id: i64,
    pub path: String,
    pub sha256: String,
    pub bytes: i64,
    pub iati_version: String,
    pub generated_datetime: Option<String>,
    pub activities: i64,
    pub transactions: i64,
    pub import_run_id: i64,
    pub imported_at: String,
}

impl Store {
    /// Every stored copy of an activity (one per dataset that publishes it).
    pub async fn activity_provenance(&self, iati_identifier: &str) -> Result<Vec<Provenance>> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT a.id, a.iati_identifier, d.path, d.sha256, d.iati_version, d.declared_version, \
                        d.generated_datetime, a.line, a.import_run_id, d.imported_at \
                 FROM activity a JOIN dataset d ON d.id = a.dataset_id \
                 WHERE a.iati_identifier = $1 ORDER BY d.path",
            )
            .bind(iati_identifier)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| {
                Ok(Provenance {
                    activity_id: r.try_get(0)?,
                    iati_identifier: r.try_get(1)?,
                    file: r.try_get(2)?,
                    sha256: r.try_get(3)?,
                    iati_version: r.try_get(4)?,
                    declared_version: r.try_get(5)?,
                    generated_datetime: r.try_get(6)?,
                    line: r.try_get::<i64, _>(7)?.max(0) as u64,
                    import_run_id: r.try_get(8)?,
                    imported_at: r.try_get(9)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        Ok(rows)
    }

    /// All datasets, by path.
    pub async fn datasets(&self) -> Result<Vec<DatasetInfo>> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT id, path, sha256, bytes, iati_version, generated_datetime, activities, transactions, \
                        import_run_id, imported_at FROM dataset ORDER BY path",
            )
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| {
                Ok(DatasetInfo {
                    id: r.try_get(0)?,
                    path: r.try_get(1)?,
                    sha256: r.try_get(2)?,
                    bytes: r.try_get(3)?,
                    iati_version: r.try_get(4)?,
                    generated_datetime: r.try_get(5)?,
                    activities: r.try_get(6)?,
                    transactions: r.try_get(7)?,
                    import_run_id: r.try_get(8)?,
                    imported_at: r.try_get(9)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        Ok(rows)
    }

    /// Identifiers of the activities stored for one dataset, in file order.
    pub async fn dataset_activity_ids(&self, path: &str) -> Result<Vec<String>> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT a.iati_identifier FROM activity a JOIN dataset d ON d.id = a.dataset_id \
                 WHERE d.path = $1 ORDER BY a.line, a.id",
            )
            .bind(path)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        Ok(rows)
    }

    /// A logical dump of one dataset's activities and transactions (for tests
    /// that check a dataset was left untouched).
    pub async fn dataset_dump(&self, path: &str) -> Result<String> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT a.id, a.iati_identifier, a.line, a.import_run_id, a.doc, d.sha256, \
                        (SELECT COUNT(*) FROM txn t WHERE t.activity_id = a.id) \
                 FROM activity a JOIN dataset d ON d.id = a.dataset_id WHERE d.path = $1 ORDER BY a.id",
            )
            .bind(path)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| {
                Ok(format!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    r.try_get::<i64, _>(0)?,
                    r.try_get::<String, _>(1)?,
                    r.try_get::<i64, _>(2)?,
                    r.try_get::<i64, _>(3)?,
                    r.try_get::<crate::doc::StoredDoc, _>(4)?.0,
                    r.try_get::<String, _>(5)?,
                    r.try_get::<i64, _>(6)?,
                ))
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        Ok(rows.join("\n"))
    }
}
