//! The audit log: who changed what, when, with the value before and after.
//! Written inside the same transaction as the change it records.

use serde::Serialize;
use sqlx::Row;

use crate::db::{Store, on_pool};
use crate::error::Result;
use crate::util::now_utc;

/// One change, as recorded by [`record`].
pub struct AuditEntry<'a> {
    /// The user (e-mail or name) or process (`cli:USER`) that made the change.
    pub actor: &'a str,
    /// `create`, `update`, `delete`, `transition:…`, …
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    /// JSON of the object before (`None` for a creation).
    pub before: Option<&'a str>,
    /// JSON of the object after (`None` for a deletion).
    pub after: Option<&'a str>,
}

/// Record a change on an open connection or transaction of either backend.
pub async fn record<'c, E>(conn: E, e: &AuditEntry<'_>) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'c>,
    for<'q> <E::Database as sqlx::Database>::Arguments: sqlx::IntoArguments<E::Database>,
    for<'q> &'q str: sqlx::Encode<'q, E::Database> + sqlx::Type<E::Database>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, E::Database> + sqlx::Type<E::Database>,
    String: for<'q> sqlx::Encode<'q, E::Database> + sqlx::Type<E::Database>,
{
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, object_type, object_id, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now_utc())
    .bind(e.actor)
    .bind(e.action)
    .bind(e.object_type)
    .bind(e.object_id)
    .bind(e.before)
    .bind(e.after)
    .execute(conn)
    .await?;
    Ok(())
}

/// A recorded change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Store {
    /// The history of one object, oldest first.
    pub async fn audit_history(
        &self,
        object_type: &str,
        object_id: &str,
    ) -> Result<Vec<AuditRecord>> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT id, at, actor, action, object_type, object_id, before_json, after_json FROM audit_log \
                 WHERE object_type = $1 AND object_id = $2 ORDER BY id",
            )
            .bind(object_type)
            .bind(object_id)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| {
                Ok(AuditRecord {
                    id: r.try_get(0)?,
                    at: r.try_get(1)?,
                    actor: r.try_get(2)?,
                    action: r.try_get(3)?,
                    object_type: r.try_get(4)?,
                    object_id: r.try_get(5)?,
                    before: r.try_get(6)?,
                    after: r.try_get(7)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        Ok(rows)
    }
}
