//! The PostgreSQL import writer: rows collected per table and written, all
//! tables at once, as one statement of `INSERT … SELECT FROM UNNEST` parts
//! (see [`crate::batch`]), in one transaction per file.

use sqlx::{PgConnection, PgPool, Row};
use tokio::sync::mpsc;

use super::rows::{ACTIVITY_PREFIX, DocForm, diagnostic_row};
use super::{
    Accepted, CHANNEL, Event, FileJob, FileOutcome, FileState, FileStatus, Next, Progress,
    RunState, Table, header_event, next_event, no_parser, spawn_parser, sql, unchanged,
};
use crate::analysis::cube;
use crate::batch::{self, TableBatch, Val};
use crate::error::Result;
use crate::util::now_utc;

/// Rows buffered before a flush. A flush is one statement for all tables
/// (one round trip): without TCP_NODELAY (which sqlx does not set) the tail
/// of a large message can wait for a delayed ACK, about 40 ms, once per
/// statement. 10,000 rows was the fastest of 5,000 to 40,000 and keeps the
/// statement (and the buffers sqlx keeps at its size) to a few MB; see
/// BENCHMARKS.md.
const FLUSH_AT: usize = 10_000;

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
    let parser = match spawn_parser(source.clone(), run.analyzer.clone(), DocForm::Text, out) {
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
    let existing: Option<(i64, String)> = match sqlx::query(sql::EXISTING)
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
    let (header, file_diags) = match header_event(rx.recv().await, path, bytes) {
        Ok(h) => h,
        Err(rejection) => return Ok(rejection),
    };
    // The file will change the cube (see `cube`): hold its lock shared, once
    // for the transaction, so that no full rebuild runs meanwhile.
    sqlx::query(cube::LOCK_SHARED).execute(&mut *conn).await?;

    let run_id = match run.id {
        Some(id) => id,
        None => {
            let id = sqlx::query(sql::NEW_RUN)
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
    let values = DatasetValues {
        sha,
        bytes,
        header: &header,
        run_id,
        now: &now,
    };
    let dataset_id = match existing {
        Some((id, _)) => {
            // The old activities' sums leave the cube before they do.
            let (first, last) = sql::dataset_rows(id);
            cube_delta(conn, first, last, -1).await?;
            for clear in sql::CLEAR_DATASET {
                sqlx::query(clear).bind(id).execute(&mut *conn).await?;
            }
            values
                .bind(sqlx::query(sql::RESET_DATASET).bind(id))
                .execute(&mut *conn)
                .await?;
            id
        }
        None => values
            .bind(sqlx::query(sql::NEW_DATASET).bind(path))
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
    let sums = loop {
        match next_event(rx.recv().await, path, bytes) {
            Ok(Next::Activity(p, advanced)) => {
                let accepted = match state.accept(*p) {
                    Ok(a) => a,
                    Err(rejection) => return Ok(rejection),
                };
                if let Some(old) = accepted.replaces {
                    batches.flush(conn).await?;
                    // The file's sums count every occurrence: take the
                    // dropped one's out (see the SQLite writer).
                    cube_delta(conn, old, old, -1).await?;
                    for drop in sql::DROP_OCCURRENCE {
                        sqlx::query(drop).bind(old).execute(&mut *conn).await?;
                    }
                }
                batches.add(accepted, dataset_id, run_id);
                progress.advanced(advanced, 1);
                if batches.pending() >= FLUSH_AT {
                    batches.flush(conn).await?;
                }
            }
            Ok(Next::Done(advanced, late, sums)) => {
                state.count(&late);
                for d in &late {
                    batches.push(
                        Table::Diagnostic,
                        diagnostic_row(dataset_id, None, d, run_id),
                    );
                }
                progress.advanced(advanced, 0);
                break sums;
            }
            Err(rejection) => return Ok(rejection),
        }
    };
    batches.flush(conn).await?;
    add_sums(conn, &sums).await?;
    sqlx::query(cube::PRUNE).execute(&mut *conn).await?;
    let outcome = state.outcome;
    sqlx::query(sql::COUNTS)
        .bind(dataset_id)
        .bind(outcome.activities as i64)
        .bind(outcome.transactions as i64)
        .execute(&mut *conn)
        .await?;
    Ok(outcome)
}

/// Subtract (`sign` -1) or add (1) the sums of the facts of activity rows
/// `first..=last` to the cube.
async fn cube_delta(conn: &mut PgConnection, first: i64, last: i64, sign: i64) -> Result<()> {
    sqlx::query(cube::DELTA)
        .bind(first)
        .bind(last)
        .bind(sign)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Add a file's sums (computed by the parser) to the cube in one statement.
async fn add_sums(conn: &mut PgConnection, sums: &cube::Sums) -> Result<()> {
    let mut text: [Vec<&str>; 8] = Default::default();
    let (mut years, mut rate_years, mut amounts, mut facts) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (key, amount, n) in sums.cells() {
        for (col, value) in text.iter_mut().zip(&key.text) {
            col.push(value.as_str());
        }
        years.push(key.year);
        rate_years.push(key.rate_year);
        amounts.push(amount);
        facts.push(n);
    }
    if years.is_empty() {
        return Ok(());
    }
    let [
        framework,
        measure,
        geo_kind,
        geo_code,
        area,
        reporting,
        funding,
        currency,
    ] = text;
    sqlx::query(cube::ADD_CELLS)
        .bind(framework)
        .bind(measure)
        .bind(geo_kind)
        .bind(geo_code)
        .bind(area)
        .bind(reporting)
        .bind(funding)
        .bind(years)
        .bind(rate_years)
        .bind(currency)
        .bind(amounts)
        .bind(facts)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// The values after the first parameter of both dataset statements
/// (`sql::RESET_DATASET`, `sql::NEW_DATASET`).
struct DatasetValues<'a> {
    sha: &'a str,
    bytes: u64,
    header: &'a vaka_iati::DatasetHeader,
    run_id: i64,
    now: &'a str,
}

impl<'a> DatasetValues<'a> {
    fn bind(&self, q: PgQuery<'a>) -> PgQuery<'a> {
        q.bind(self.sha)
            .bind(self.bytes as i64)
            .bind(&self.header.declared_version)
            .bind(self.header.version.as_str())
            .bind(&self.header.generated_datetime)
            .bind(&self.header.encoding)
            .bind(self.header.gzipped)
            .bind(self.run_id)
            .bind(self.now)
    }
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

    /// Write everything pending, in one statement.
    async fn flush(&mut self, conn: &mut PgConnection) -> Result<()> {
        batch::flush_pg_together(&mut self.tables, conn).await?;
        Ok(())
    }
}
