//! The SQLite import writer: synchronous, on a connection of its own, with one
//! prepared single-row `INSERT` per table.
//!
//! Through sqlx every statement is handed to the driver's worker thread and
//! every value is first copied into the driver's argument list; at import
//! volume (about 375,000 rows per 100 MB of IATI XML) that hand-off and the
//! statement journal that multi-row `INSERT`s need cost as much CPU as
//! SQLite's own work. Here the rows go from the parser's channel straight into
//! statements prepared once per file, on the thread that owns the connection.
//!
//! The connection is configured like the pool's (WAL, foreign keys, busy
//! timeout, page cache), each file is one `BEGIN IMMEDIATE` transaction, and
//! anything but an imported file rolls back, so a rejected or interrupted
//! file leaves the database exactly as it was.

use std::path::Path;
use std::sync::mpsc::{Receiver, sync_channel};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, Statement, ToSql, TransactionBehavior};

use super::rows::{ACTIVITY_PREFIX, DocForm, diagnostic_row};
use super::{
    Accepted, CHANNEL, Event, FileJob, FileOutcome, FileState, FileStatus, Next, Progress,
    RunState, Table, header_event, next_event, no_parser, spawn_parser, sql, unchanged,
};
use crate::analysis::cube;
use crate::batch::{TableDef, Val};
use crate::db::SQLITE_CACHE_SIZE;
use crate::error::{Result, StoreError};
use crate::util::now_utc;

impl rusqlite::ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        // Booleans are stored as 0/1, as sqlx stores them.
        Ok(ToSqlOutput::Borrowed(match self {
            Val::I64(Some(v)) => ValueRef::Integer(*v),
            Val::Text(Some(s)) => ValueRef::Text(s.as_bytes()),
            Val::F64(Some(v)) => ValueRef::Real(*v),
            Val::Bool(Some(b)) => ValueRef::Integer(i64::from(*b)),
            Val::Blob(b) => ValueRef::Blob(b),
            Val::I64(None) | Val::Text(None) | Val::F64(None) | Val::Bool(None) => ValueRef::Null,
        }))
    }
}

/// Open the import connection to the database file the pool uses.
///
/// It does not checkpoint the WAL on commit (`wal_autocheckpoint = 0`): a
/// [`Checkpointer`] does that on its own thread while the next file is read,
/// instead of every file waiting for its pages to be copied and synced.
fn open(file: &Path) -> Result<Connection> {
    if file.as_os_str().is_empty() || file == Path::new(":memory:") {
        return Err(StoreError::Invalid(
            "importing needs a database file: an in-memory SQLite database is not supported".into(),
        ));
    }
    let conn = connect(file)?;
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA temp_store = FILE; \
         PRAGMA cache_size = {SQLITE_CACHE_SIZE}; PRAGMA wal_autocheckpoint = 0;"
    ))?;
    // The pool put the file in WAL mode when it created it; make sure of it
    // (readers then never wait for an import).
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Invalid(format!(
            "the database is in journal mode `{mode}`, not WAL"
        )));
    }
    Ok(conn)
}

fn connect(file: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(60))?;
    Ok(conn)
}

/// The WAL size past which the writer checkpoints and truncates it itself
/// before the next file, so that a long import does not grow the WAL to the
/// size of everything it wrote (the background checkpoints copy pages back
/// but cannot rewind a WAL that is being written to).
const WAL_LIMIT: u64 = 256 << 20;

/// Copies committed pages from the WAL into the database file on a thread of
/// its own (`PRAGMA wal_checkpoint(PASSIVE)`, which never blocks the writer),
/// after each imported file.
struct Checkpointer {
    wake: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    wal: std::path::PathBuf,
}

impl Checkpointer {
    fn start(file: &Path) -> Result<Checkpointer> {
        let conn = connect(file)?;
        let (wake, rx) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("vaka-checkpoint".into())
            .spawn(move || {
                while rx.recv().is_ok() {
                    // Several wake-ups while busy need one more pass, not several.
                    while rx.try_recv().is_ok() {}
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    {
                        tracing::debug!(error = %e, "background checkpoint did not run");
                    }
                }
            })
            .map_err(|e| StoreError::Invalid(format!("cannot start the checkpoint thread: {e}")))?;
        let mut wal = file.as_os_str().to_owned();
        wal.push("-wal");
        Ok(Checkpointer {
            wake: Some(wake),
            thread: Some(thread),
            wal: wal.into(),
        })
    }

    /// A file was committed: copy its pages back in the background.
    fn committed(&self) {
        if let Some(w) = &self.wake {
            let _ = w.send(());
        }
    }

    /// Before the writer's next file: if the WAL has grown past [`WAL_LIMIT`],
    /// finish the copy here and truncate it.
    fn keep_small(&self, conn: &Connection) -> Result<()> {
        let size = std::fs::metadata(&self.wal).map_or(0, |m| m.len());
        if size > WAL_LIMIT {
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(())
    }

    /// Wait for the pending checkpoint to finish.
    fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.wake = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The SQLite side of an import run: the writer's connection and its checkpointer.
pub(super) struct Bulk {
    conn: Connection,
    checkpointer: Checkpointer,
}

impl Bulk {
    pub fn open(file: &Path) -> Result<Bulk> {
        Ok(Bulk {
            conn: open(file)?,
            checkpointer: Checkpointer::start(file)?,
        })
    }

    /// Wait for the background checkpoint, then close the writer's connection.
    pub fn finish(self) {
        self.checkpointer.finish();
    }
}

/// Import one source in one transaction.
pub(super) fn write_dataset(
    bulk: &mut Bulk,
    job: &FileJob<'_>,
    events: Option<Receiver<Event>>,
    run: &mut RunState,
    progress: &dyn Progress,
) -> Result<FileOutcome> {
    let FileJob {
        source,
        path,
        sha,
        bytes,
    } = *job;
    let (rx, parser) = match events {
        Some(rx) => (rx, None),
        None => {
            let (out, rx) = sync_channel(CHANNEL);
            match spawn_parser(source.clone(), run.analyzer.clone(), DocForm::Packed, out) {
                Ok(p) => (rx, Some(p)),
                Err(e) => return Ok(no_parser(path, bytes, &e)),
            }
        }
    };
    let result = (|| {
        bulk.checkpointer.keep_small(&bulk.conn)?;
        let tx = bulk
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let outcome = write_events(&tx, rx, path, sha, bytes, run, progress)?;
        if matches!(outcome.status, FileStatus::Imported) {
            tx.commit()?;
            bulk.checkpointer.committed();
        }
        // Otherwise dropping the transaction rolls it back.
        Ok(outcome)
    })();
    // The receiver is gone by now, so the parser stops at its next event.
    if let Some(p) = parser {
        let _ = p.join();
    }
    result
}

fn write_events(
    conn: &Connection,
    rx: Receiver<Event>,
    path: &str,
    sha: &str,
    bytes: u64,
    run: &mut RunState,
    progress: &dyn Progress,
) -> Result<FileOutcome> {
    let existing: Option<(i64, String)> = {
        let mut stmt = numbered(conn, sql::EXISTING, &[&path])?;
        let mut rows = stmt.raw_query();
        match rows.next()? {
            Some(r) => Some((r.get(0)?, r.get(1)?)),
            None => None,
        }
    };
    if let Some((_, s)) = &existing
        && s == sha
    {
        return Ok(unchanged(path, bytes));
    }
    let (header, file_diags) = match header_event(rx.recv().ok(), path, bytes) {
        Ok(h) => h,
        Err(rejection) => return Ok(rejection),
    };

    let run_id = match run.id {
        Some(id) => id,
        None => {
            let id = query_id(
                conn,
                sql::NEW_RUN,
                &[&run.started_at, &run.opts.origin, &run.opts.actor],
            )?;
            run.id = Some(id);
            id
        }
    };
    let now = now_utc();
    let size = bytes as i64;
    let version = header.version.as_str();
    // The values after the first parameter of both dataset statements.
    let dataset_values: [&dyn ToSql; 9] = [
        &sha,
        &size,
        &header.declared_version,
        &version,
        &header.generated_datetime,
        &header.encoding,
        &header.gzipped,
        &run_id,
        &now,
    ];
    let dataset_id = match existing {
        Some((id, _)) => {
            // The old activities' sums leave the cube before they do.
            let (first, last) = sql::dataset_rows(id);
            execute(conn, cube::DELTA, &[&first, &last, &-1i64])?;
            for clear in sql::CLEAR_DATASET {
                execute(conn, clear, &[&id])?;
            }
            let mut vals: Vec<&dyn ToSql> = vec![&id];
            vals.extend(dataset_values);
            execute(conn, sql::RESET_DATASET, &vals)?;
            id
        }
        None => {
            let mut vals: Vec<&dyn ToSql> = vec![&path];
            vals.extend(dataset_values);
            query_id(conn, sql::NEW_DATASET, &vals)?
        }
    };

    let mut state = FileState::new(path, bytes, dataset_id);
    let mut inserts = Inserts::prepare(conn)?;
    // The full-text index takes this file's activities in bulk (see
    // migration 8): everything with a row id from `unindexed` on is not in it yet.
    let mut unindexed = (dataset_id << super::ORDINAL_BITS) + 1;
    // The last activity row written.
    let mut written = unindexed - 1;
    state.count(&file_diags);
    for d in &file_diags {
        inserts.diagnostic(dataset_id, None, d, run_id)?;
    }
    let sums = loop {
        match next_event(rx.recv().ok(), path, bytes) {
            Ok(Next::Activity(p, advanced)) => {
                let accepted = match state.accept(*p) {
                    Ok(a) => a,
                    Err(rejection) => return Ok(rejection),
                };
                if let Some(old) = accepted.replaces {
                    // The delete trigger takes the old row out of the index,
                    // so it must be in it first.
                    unindexed = index_text(conn, unindexed, written)?;
                    // The file's sums count every occurrence: take the
                    // dropped one's out (the cube may go below zero until
                    // the sums are added at the end).
                    execute(conn, cube::DELTA, &[&old, &old, &-1i64])?;
                    for drop in sql::DROP_OCCURRENCE {
                        execute(conn, drop, &[&old])?;
                    }
                }
                inserts.add(&accepted, dataset_id, run_id)?;
                progress.advanced(advanced, 1);
                if let Some(id) = accepted.id {
                    written = id;
                    if written - unindexed >= TEXT_CHUNK {
                        unindexed = index_text(conn, unindexed, written)?;
                    }
                }
            }
            Ok(Next::Done(advanced, late, sums)) => {
                state.count(&late);
                for d in &late {
                    inserts.diagnostic(dataset_id, None, d, run_id)?;
                }
                progress.advanced(advanced, 0);
                break sums;
            }
            Err(rejection) => return Ok(rejection),
        }
    };
    index_text(conn, unindexed, written)?;
    add_sums(conn, &sums)?;
    execute(conn, cube::PRUNE, &[])?;
    let outcome = state.outcome;
    let (activities, transactions) = (outcome.activities as i64, outcome.transactions as i64);
    execute(
        conn,
        sql::COUNTS,
        &[&dataset_id, &activities, &transactions],
    )?;
    // Memoised answers are filed under the data version (see `memo`): moving
    // it in the same transaction makes the new rows and the new version
    // visible together.
    conn.execute("UPDATE data_version SET n = n + 1 WHERE id = 1", [])?;
    Ok(outcome)
}

/// Add a file's sums to the cube, one upsert per cell.
fn add_sums(conn: &Connection, sums: &cube::Sums) -> Result<()> {
    let mut stmt = conn.prepare(cube::ADD_CELL)?;
    for (key, amount, facts) in sums.cells() {
        let t = &key.text;
        // `$1` … `$12` appear in order, so they bind by position: the texts
        // of the key, the two years, the currency, then the sums.
        let vals: [&dyn ToSql; 12] = [
            &t[0],
            &t[1],
            &t[2],
            &t[3],
            &t[4],
            &t[5],
            &t[6],
            &key.year,
            &key.rate_year,
            &t[7],
            &amount,
            &facts,
        ];
        for (i, v) in vals.iter().enumerate() {
            stmt.raw_bind_parameter(i + 1, v)?;
        }
        stmt.raw_execute()?;
    }
    Ok(())
}

/// `sql` (shared with PostgreSQL) prepared with `vals` bound to `$1`, `$2`, …
/// by name: SQLite numbers named parameters in order of appearance, and the
/// shared statements do not always name them in order.
fn numbered<'c>(conn: &'c Connection, sql: &str, vals: &[&dyn ToSql]) -> Result<Statement<'c>> {
    let mut stmt = conn.prepare(sql)?;
    for (i, v) in vals.iter().enumerate() {
        let name = format!("${}", i + 1);
        let idx = stmt
            .parameter_index(&name)?
            .ok_or_else(|| StoreError::Corrupt(format!("no parameter {name} in `{sql}`")))?;
        stmt.raw_bind_parameter(idx, v)?;
    }
    Ok(stmt)
}

fn execute(conn: &Connection, sql: &str, vals: &[&dyn ToSql]) -> Result<()> {
    numbered(conn, sql, vals)?.raw_execute()?;
    Ok(())
}

/// Run a statement that returns one id (`… RETURNING id`).
fn query_id(conn: &Connection, sql: &str, vals: &[&dyn ToSql]) -> Result<i64> {
    let mut stmt = numbered(conn, sql, vals)?;
    let mut rows = stmt.raw_query();
    let row = rows
        .next()?
        .ok_or_else(|| StoreError::Corrupt(format!("no id returned by `{sql}`")))?;
    Ok(row.get(0)?)
}

/// Activities indexed for full-text search per statement. Indexing as the
/// rows arrive keeps the work beside the parser's; one statement per
/// activity would make FTS5 write a segment per activity (see migration 8).
const TEXT_CHUNK: i64 = 1_000;

/// Add the activities with row ids `from..=upto` to the full-text index, in
/// one statement: FTS5 then collects their terms in memory and writes few,
/// large index segments. Returns the first id not indexed.
fn index_text(conn: &Connection, from: i64, upto: i64) -> Result<i64> {
    if from <= upto {
        conn.execute(
            "INSERT INTO activity_fts (rowid, title, search_text) \
             SELECT id, title, search_text FROM activity WHERE id >= ?1 AND id <= ?2",
            [from, upto],
        )?;
    }
    Ok(upto + 1)
}

/// One prepared `INSERT` per table, in [`Table::ALL`] order.
struct Inserts<'c> {
    stmts: Vec<Statement<'c>>,
}

impl<'c> Inserts<'c> {
    fn prepare(conn: &'c Connection) -> Result<Self> {
        let stmts = Table::ALL
            .iter()
            .map(|t| conn.prepare(&insert_sql(t.def())))
            .collect::<rusqlite::Result<_>>()?;
        Ok(Inserts { stmts })
    }

    /// Write an accepted activity's rows, completing them with their ids.
    fn add(&mut self, a: &Accepted, dataset_id: i64, run_id: i64) -> Result<()> {
        let Some(id) = a.id else {
            for d in &a.diagnostics {
                self.diagnostic(dataset_id, None, d, run_id)?;
            }
            return Ok(());
        };
        let prefix: [i64; ACTIVITY_PREFIX] = [id, dataset_id, run_id];
        insert(
            &mut self.stmts[Table::Activity.index()],
            &prefix,
            &a.activity,
        )?;
        for (table, vals) in &a.children {
            insert(&mut self.stmts[table.index()], &[id], vals)?;
        }
        for d in &a.diagnostics {
            self.diagnostic(dataset_id, Some(id), d, run_id)?;
        }
        Ok(())
    }

    fn diagnostic(
        &mut self,
        dataset_id: i64,
        activity_id: Option<i64>,
        d: &vaka_iati::Diagnostic,
        run_id: i64,
    ) -> Result<()> {
        let row = diagnostic_row(dataset_id, activity_id, d, run_id);
        insert(&mut self.stmts[Table::Diagnostic.index()], &[], &row)
    }
}

/// Bind `prefix` then `vals` to the statement's parameters in order, and run it.
fn insert(stmt: &mut Statement<'_>, prefix: &[i64], vals: &[Val]) -> Result<()> {
    let mut i = 1;
    for p in prefix {
        stmt.raw_bind_parameter(i, p)?;
        i += 1;
    }
    for v in vals {
        stmt.raw_bind_parameter(i, v)?;
        i += 1;
    }
    stmt.raw_execute()?;
    Ok(())
}

/// `INSERT INTO t (a, b, …) VALUES (?1, ?2, …)`.
fn insert_sql(def: &TableDef) -> String {
    let columns: Vec<&str> = def.cols.iter().map(|(name, _)| *name).collect();
    let params: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO {} ({}) VALUES ({})",
        def.name,
        columns.join(", "),
        params.join(", ")
    )
}
