//! `vaka diagnostics`: what the reader found in the stored datasets, with file
//! and line, plus identifiers published in more than one dataset.

use serde::Serialize;
use sqlx::Row;
use vaka_iati::{DiagnosticKind, Severity};

use crate::db::{Store, on_pool};
use crate::error::Result;

/// Which diagnostics to list.
#[derive(Debug, Clone, Default)]
pub struct DiagnosticFilter {
    /// Only this severity and worse (`error` also lists `critical`).
    pub min_severity: Option<Severity>,
    pub kind: Option<DiagnosticKind>,
    /// Only this dataset path.
    pub file: Option<String>,
    /// Only this activity.
    pub activity: Option<String>,
    pub limit: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiagnosticRow {
    pub file: String,
    pub line: u64,
    pub severity: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity: Option<String>,
    pub path: String,
    pub message: String,
}

fn severities_up_to(s: Severity) -> Vec<String> {
    [Severity::Critical, Severity::Error, Severity::Warning]
        .into_iter()
        .filter(|x| *x <= s)
        .map(|x| x.as_str().to_string())
        .collect()
}

impl Store {
    /// Stored diagnostics matching `filter`, by file and line, followed by
    /// cross-dataset duplicates (computed, so they are never stale).
    pub async fn diagnostics(&self, filter: &DiagnosticFilter) -> Result<Vec<DiagnosticRow>> {
        let sev = filter.min_severity.unwrap_or(Severity::Warning);
        let allowed = severities_up_to(sev);
        let limit = filter
            .limit
            .map(|l| l.min(i64::MAX as u64) as i64)
            .unwrap_or(i64::MAX);
        // A plain equality (not `$6 IS NULL OR …`) lets the index on the
        // identifier serve one activity's page.
        let by_activity = if filter.activity.is_some() {
            "g.iati_identifier = $6"
        } else {
            "$6 IS NULL"
        };
        let mut out = on_pool!(self, pool => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT d.path AS file, g.line, g.severity, g.kind, g.iati_identifier, g.path, g.message \
                 FROM diagnostic g JOIN dataset d ON d.id = g.dataset_id \
                 WHERE g.severity IN ($1, $2, $3) \
                   AND ($4 IS NULL OR g.kind = $4) \
                   AND ($5 IS NULL OR d.path = $5) \
                   AND {by_activity} \
                 ORDER BY d.path, g.line, g.id LIMIT $7"
            )))
            .bind(allowed.first().cloned())
            .bind(allowed.get(1).cloned())
            .bind(allowed.get(2).cloned())
            .bind(filter.kind.map(|k| k.as_str()))
            .bind(filter.file.as_deref())
            .bind(filter.activity.as_deref())
            .bind(limit)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| {
                Ok(DiagnosticRow {
                    file: r.try_get(0)?,
                    line: r.try_get::<i64, _>(1)?.max(0) as u64,
                    severity: r.try_get(2)?,
                    kind: r.try_get(3)?,
                    activity: r.try_get(4)?,
                    path: r.try_get(5)?,
                    message: r.try_get(6)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        let want_dups = sev >= Severity::Warning
            && filter
                .kind
                .is_none_or(|k| k == DiagnosticKind::CrossDatasetDuplicate);
        if want_dups {
            for d in self.duplicates_of(filter.activity.as_deref()).await? {
                if filter.file.as_ref().is_some_and(|f| *f != d.file)
                    || filter
                        .activity
                        .as_ref()
                        .is_some_and(|a| Some(a) != d.activity.as_ref())
                {
                    continue;
                }
                out.push(d);
            }
        }
        out.truncate(limit.max(0) as usize);
        Ok(out)
    }

    /// Every occurrence of an identifier that is published in more than one dataset.
    pub async fn cross_dataset_duplicates(&self) -> Result<Vec<DiagnosticRow>> {
        self.duplicates_of(None).await
    }

    /// Cross-dataset duplicates of one identifier (`Some`), or of all (`None`).
    /// With an identifier the activity index keeps this cheap on a large store.
    async fn duplicates_of(&self, identifier: Option<&str>) -> Result<Vec<DiagnosticRow>> {
        let (one, one_inner) = if identifier.is_some() {
            ("a.iati_identifier = $1", "iati_identifier = $1")
        } else {
            ("$1 IS NULL", "$1 IS NULL")
        };
        let rows = on_pool!(self, pool => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT a.iati_identifier, d.path, a.line, \
                        (SELECT COUNT(DISTINCT a2.dataset_id) FROM activity a2 WHERE a2.iati_identifier = a.iati_identifier) \
                 FROM activity a JOIN dataset d ON d.id = a.dataset_id \
                 WHERE {one} AND a.iati_identifier IN ( \
                     SELECT iati_identifier FROM activity WHERE {one_inner} \
                     GROUP BY iati_identifier HAVING COUNT(DISTINCT dataset_id) > 1) \
                 ORDER BY a.iati_identifier, d.path, a.line"
            )))
            .bind(identifier)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| {
                Ok((
                    r.try_get::<String, _>(0)?,
                    r.try_get::<String, _>(1)?,
                    r.try_get::<i64, _>(2)?,
                    r.try_get::<i64, _>(3)?,
                ))
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        Ok(rows
            .into_iter()
            .map(|(id, file, line, n)| DiagnosticRow {
                file,
                line: line.max(0) as u64,
                severity: Severity::Warning.as_str().into(),
                kind: DiagnosticKind::CrossDatasetDuplicate.as_str().into(),
                activity: Some(id.clone()),
                path: "iati-identifier".into(),
                message: format!("`{id}` is published in {n} datasets; each keeps its own copy"),
            })
            .collect())
    }
}
