//! The PostgreSQL import writer: rows collected per table and written as
//! `INSERT … SELECT FROM UNNEST` statements (see [`crate::batch`]), in one
//! transaction per file.

use sqlx::{PgConnection, PgPool, Row};
use tokio::sync::mpsc;

use super::rows::{ACTIVITY_PREFIX, diagnostic_row};
use super::{
    Accepted, CHANNEL, Event, FileJob, FileOutcome, FileState, FileStatus, Progress, RunState,
    Table, describe, no_parser, rejected, spawn_parser, unchanged,
};
use crate::batch::{TableBatch, Val};
use crate::error::Result;
use crate::util::now_utc;

/// Rows buffered before a flush. Each statement is a round trip, and without
/// TCP_NODELAY (which sqlx does not set) the tail of a large message can wait
/// for a delayed ACK, so fewer, larger statements are much faster (see
/// BENCHMARKS.md).
const FLUSH_AT: usize = 40_000;

pub(super) async fn write_dataset(
    pool: &PgPool,
    job: &FileJob<'_>,
    run: &mut RunState,
    progress: &dyn Progress,
) -> Result<FileOutcome> {
    let FileJob {
        source,
        path,
        sha,
        bytes,
    } = *job;
    let (out, rx) = mpsc::channel(CHANNEL);
    let parser = match spawn_parser(source.clone(), run.analyzer.clone(), out) {
        Ok(p) => p,
        Err(e) => return Ok(no_parser(path, bytes, &e)),
    };
    let mut tx = pool.begin().await?;
    // Serialise writers of the same dataset path across processes.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(path)
        .execute(&mut *tx)
        .await?;
    let r = write_events(&mut tx, rx, path, sha, bytes, run, progress).await;
    let result = match r {
        Ok(outcome) if matches!(outcome.status, FileStatus::Imported) => {
            tx.commit().await?;
            Ok(outcome)
        }
        Ok(outcome) => {
            tx.rollback().await?;
            Ok(outcome)
        }
        // Dropping the transaction rolls it back.
        Err(e) => Err(e),
    };
    // The parser stops on its own once the receiver is gone.
    let _ = tokio::task::spawn_blocking(move || parser.join()).await;
    result
}

async fn write_events(
    conn: &mut PgConnection,
    mut rx: mpsc::Receiver<Event>,
    path: &str,
    sha: &str,
    bytes: u64,
    run: &mut RunState,
    progress: &dyn Progress,
) -> Result<FileOutcome> {
    // Another process may have imported the same content while we hashed.
    let existing: Option<(i64, String)> =
        match sqlx::query("SELECT id, sha256 FROM dataset WHERE path = $1")
            .bind(path)
            .fetch_optional(&mut *conn)
            .await?
        {
            Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
            None => None,
        };
    if let Some((_, s)) = &existing
        && s == sha
    {
        return Ok(unchanged(path, bytes));
    }

    let (header, file_diags) = match rx.recv().await {
        Some(Event::Header {
            header,
            diagnostics,
        }) => (header, diagnostics),
        Some(Event::Failed(e)) => return Ok(rejected(path, bytes, describe(&e))),
        _ => {
            return Ok(rejected(
                path,
                bytes,
                "the file ended before its root element".into(),
            ));
        }
    };

    let run_id = match run.id {
        Some(id) => id,
        None => {
            let id = sqlx::query(
                "INSERT INTO import_run (started_at, origin, actor) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(&run.started_at)
            .bind(&run.opts.origin)
            .bind(&run.opts.actor)
            .fetch_one(&mut *conn)
            .await?
            .try_get::<i64, _>(0)?;
            run.id = Some(id);
            id
        }
    };
    let now = now_utc();
    let dataset_id = match existing {
        Some((id, _)) => {
            sqlx::query("DELETE FROM diagnostic WHERE dataset_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM activity WHERE dataset_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "UPDATE dataset SET sha256 = $2, bytes = $3, declared_version = $4, iati_version = $5, \
                 generated_datetime = $6, encoding = $7, gzipped = $8, activities = 0, transactions = 0, \
                 import_run_id = $9, imported_at = $10 WHERE id = $1",
            )
            .bind(id)
            .bind(sha)
            .bind(bytes as i64)
            .bind(&header.declared_version)
            .bind(header.version.as_str())
            .bind(&header.generated_datetime)
            .bind(&header.encoding)
            .bind(header.gzipped)
            .bind(run_id)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
            id
        }
        None => sqlx::query(
            "INSERT INTO dataset (path, sha256, bytes, declared_version, iati_version, generated_datetime, \
             encoding, gzipped, activities, transactions, import_run_id, imported_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, $9, $10) RETURNING id",
        )
        .bind(path)
        .bind(sha)
        .bind(bytes as i64)
        .bind(&header.declared_version)
        .bind(header.version.as_str())
        .bind(&header.generated_datetime)
        .bind(&header.encoding)
        .bind(header.gzipped)
        .bind(run_id)
        .bind(&now)
        .fetch_one(&mut *conn)
        .await?
        .try_get::<i64, _>(0)?,
    };

    let mut state = FileState::new(path, bytes, dataset_id);
    let mut batches = Batches::new();
    state.count(&file_diags);
    for d in &file_diags {
        batches.push(
            Table::Diagnostic,
            diagnostic_row(dataset_id, None, d, run_id),
        );
    }
    loop {
        match rx.recv().await {
            Some(Event::Activity(p, advanced)) => {
                let accepted = match state.accept(*p) {
                    Ok(a) => a,
                    Err(rejection) => return Ok(rejection),
                };
                if let Some(old) = accepted.replaces {
                    batches.flush(conn).await?;
                    delete_activity(conn, old).await?;
                }
                batches.add(accepted, dataset_id, run_id);
                progress.advanced(advanced, 1);
                if batches.pending() >= FLUSH_AT {
                    batches.flush(conn).await?;
                }
            }
            Some(Event::Done(advanced, late)) => {
                state.count(&late);
                for d in &late {
                    batches.push(
                        Table::Diagnostic,
                        diagnostic_row(dataset_id, None, d, run_id),
                    );
                }
                progress.advanced(advanced, 0);
                break;
            }
            Some(Event::Failed(e)) => return Ok(rejected(path, bytes, describe(&e))),
            Some(Event::Header { .. }) | None => {
                return Ok(rejected(
                    path,
                    bytes,
                    "the parser stopped unexpectedly".into(),
                ));
            }
        }
    }
    batches.flush(conn).await?;
    let outcome = state.outcome;
    sqlx::query("UPDATE dataset SET activities = $2, transactions = $3 WHERE id = $1")
        .bind(dataset_id)
        .bind(outcome.activities as i64)
        .bind(outcome.transactions as i64)
        .execute(&mut *conn)
        .await?;
    Ok(outcome)
}

/// Drop what was written for an earlier occurrence of a repeated identifier
/// (its child rows go with it, by cascade).
async fn delete_activity(conn: &mut PgConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM diagnostic WHERE activity_id = $1 AND kind <> 'duplicate-identifier'")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM activity WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Rows waiting to be written, one batch per table.
struct Batches {
    tables: Vec<TableBatch>,
}

impl Batches {
    fn new() -> Self {
        Batches {
            tables: Table::ALL
                .iter()
                .map(|t| TableBatch::new(t.def()))
                .collect(),
        }
    }

    fn push(&mut self, table: Table, row: Vec<Val>) {
        self.tables[table.index()].push(row);
    }

    /// Queue an accepted activity's rows, completing them with their ids.
    fn add(&mut self, a: Accepted, dataset_id: i64, run_id: i64) {
        let Some(id) = a.id else {
            for d in &a.diagnostics {
                self.push(
                    Table::Diagnostic,
                    diagnostic_row(dataset_id, None, d, run_id),
                );
            }
            return;
        };
        let mut row = Vec::with_capacity(a.activity.len() + ACTIVITY_PREFIX);
        row.push(Val::from(id));
        row.push(Val::from(dataset_id));
        row.push(Val::from(run_id));
        row.extend(a.activity);
        self.push(Table::Activity, row);
        for (table, vals) in a.children {
            let mut row = Vec::with_capacity(vals.len() + 1);
            row.push(Val::from(id));
            row.extend(vals);
            self.push(table, row);
        }
        for d in &a.diagnostics {
            self.push(
                Table::Diagnostic,
                diagnostic_row(dataset_id, Some(id), d, run_id),
            );
        }
    }

    fn pending(&self) -> usize {
        self.tables.iter().map(TableBatch::len).sum()
    }

    /// Write everything pending, parents before children.
    async fn flush(&mut self, conn: &mut PgConnection) -> Result<()> {
        for b in &mut self.tables {
            b.flush_pg(conn).await?;
        }
        Ok(())
    }
}
