//! Importing IATI files: the rules of the IATI Registry, made atomic.
//!
//! - A dataset is identified by its path as given. Re-importing an unchanged file
//!   (same SHA-256) does nothing; a changed file replaces that dataset's
//!   activities; each file is one transaction, so a rejected or interrupted file
//!   leaves the store exactly as it was.
//! - Within one file a repeated `iati-identifier` keeps the last occurrence and
//!   records a diagnostic. The same identifier in two files is kept in both and
//!   reported as a cross-dataset duplicate (see [`crate::diagnostics`]).
//! - The import run is recorded lazily, inside the first transaction that writes
//!   a dataset, so a run that only rejects files leaves no trace in the store.
//!
//! Parsing runs on its own thread and hands prepared rows to the writer through
//! a bounded channel: both cores work, and memory stays bounded by the channel
//! size and the largest activity, whatever the file size.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use sqlx::Row;
use tokio::sync::mpsc;
use vaka_iati::model::{Activity, Narrative};
use vaka_iati::{
    ActivityReader, DatasetHeader, Diagnostic, DiagnosticKind, ParsedActivity, ReadError, Severity,
};

use crate::analysis::{AREA_TAG, AnalysisRows, Analyzer, FACT};
use crate::batch::{TableBatch, TableDef, Ty, Val};
use crate::db::{Backend, Pool, Store};
use crate::error::{Result, StoreError};
use crate::migrate::begin_immediate;
use crate::util::now_utc;

/// Who started an import, for the run record.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// `cli`, `web`, `demo`, …
    pub origin: String,
    /// The user or account that started it, if known.
    pub actor: Option<String>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            origin: "cli".into(),
            actor: None,
        }
    }
}

/// Receives progress while files are imported (a terminal progress bar, a log).
pub trait Progress: Send + Sync {
    /// A file is about to be read; `bytes` is its size on disk.
    fn file_started(&self, _path: &str, _bytes: u64) {}
    /// `bytes` more input bytes and `activities` more activities were processed.
    fn advanced(&self, _bytes: u64, _activities: u64) {}
    fn file_finished(&self, _outcome: &FileOutcome) {}
}

/// Progress that goes nowhere.
pub struct NoProgress;
impl Progress for NoProgress {}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase", tag = "status")]
pub enum FileStatus {
    Imported,
    Unchanged,
    Rejected { reason: String },
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct FileOutcome {
    pub path: String,
    #[serde(flatten)]
    pub status: FileStatus,
    pub dataset_id: Option<i64>,
    pub bytes: u64,
    pub activities: u64,
    pub transactions: u64,
    /// Diagnostics by (severity, kind).
    #[serde(skip)]
    pub diagnostics: BTreeMap<(Severity, DiagnosticKind), u64>,
}

/// The result of importing a set of files.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportSummary {
    /// The run that wrote something, if any file was imported.
    pub run_id: Option<i64>,
    pub files: Vec<FileOutcome>,
}

impl ImportSummary {
    pub fn count(&self, pred: impl Fn(&FileStatus) -> bool) -> usize {
        self.files.iter().filter(|f| pred(&f.status)).count()
    }
    pub fn imported(&self) -> usize {
        self.count(|s| matches!(s, FileStatus::Imported))
    }
    pub fn unchanged(&self) -> usize {
        self.count(|s| matches!(s, FileStatus::Unchanged))
    }
    pub fn rejected(&self) -> usize {
        self.count(|s| matches!(s, FileStatus::Rejected { .. }))
    }
    pub fn activities(&self) -> u64 {
        self.files.iter().map(|f| f.activities).sum()
    }
    pub fn transactions(&self) -> u64 {
        self.files.iter().map(|f| f.transactions).sum()
    }
    /// Diagnostics of the imported files by (severity, kind).
    pub fn diagnostics(&self) -> BTreeMap<(Severity, DiagnosticKind), u64> {
        let mut all = BTreeMap::new();
        for f in &self.files {
            for (k, n) in &f.diagnostics {
                *all.entry(*k).or_insert(0) += n;
            }
        }
        all
    }
}

/// Expand files and directories (recursively) into the IATI files to import:
/// `.xml` and `.xml.gz`, sorted. Files named explicitly are taken whatever their
/// extension. A path that does not exist is an error.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        let io = |source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .map(|e| e.map(|e| e.path()))
            .collect::<std::io::Result<_>>()
            .map_err(io)?;
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out)?;
            } else if is_iati_file_name(&p) {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|source| StoreError::Io {
            path: p.clone(),
            source,
        })?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn is_iati_file_name(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.ends_with(".xml") || name.ends_with(".xml.gz")
}

/// Something to import: a file, or a named document held in memory.
#[derive(Debug, Clone)]
pub enum Source {
    File(PathBuf),
    /// `name` is the dataset identity (e.g. `bundled/iati/pacific/Tonga.xml`).
    Memory {
        name: String,
        bytes: Arc<[u8]>,
    },
}

impl Source {
    /// The dataset identity: the path as given, or the in-memory name.
    pub fn name(&self) -> String {
        match self {
            Source::File(p) => p.to_string_lossy().to_string(),
            Source::Memory { name, .. } => name.clone(),
        }
    }

    fn hash(&self) -> std::io::Result<(String, u64)> {
        match self {
            Source::File(p) => hash_file(p),
            Source::Memory { bytes, .. } => {
                Ok((hex::encode(Sha256::digest(bytes)), bytes.len() as u64))
            }
        }
    }
}

/// SHA-256 and size of a file, read in a streaming fashion.
pub fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), total))
}

/// Activity row ids are `(dataset id << ORDINAL_BITS) + ordinal`.
pub const ORDINAL_BITS: u32 = 28;

/// How many times a dataset transaction is retried when the database asks for it.
const MAX_ATTEMPTS: u32 = 6;

impl Store {
    /// Import files and directories. Each file is its own transaction; the
    /// summary says what happened to every file. Errors are returned only for
    /// problems of the database itself (a bad file is a `Rejected` outcome).
    pub async fn import_paths(
        &self,
        paths: &[PathBuf],
        opts: &ImportOptions,
        progress: &dyn Progress,
    ) -> Result<ImportSummary> {
        let files = collect_files(paths)?;
        let sources = files.into_iter().map(Source::File).collect();
        self.import_sources(sources, opts, progress).await
    }

    /// Import sources (files or in-memory documents such as the bundled demo
    /// data). Each source is its own transaction, as in [`Store::import_paths`].
    pub async fn import_sources(
        &self,
        sources: Vec<Source>,
        opts: &ImportOptions,
        progress: &dyn Progress,
    ) -> Result<ImportSummary> {
        let mut summary = ImportSummary::default();
        let analyzer = self.analyzer().await?;
        let mut run = RunState {
            analyzer,
            id: None,
            started_at: now_utc(),
            opts: opts.clone(),
        };
        for source in sources {
            let outcome = self.import_one(&source, &mut run, progress).await?;
            if matches!(outcome.status, FileStatus::Imported) {
                self.bump_data_version().await?;
            }
            progress.file_finished(&outcome);
            summary.files.push(outcome);
        }
        summary.run_id = run.id;
        if let Some(id) = run.id {
            on_run_finished(self, id, &summary).await?;
            self.refresh_cube().await?;
            if let Pool::Postgres(pool) = &self.pool {
                // Fresh planner statistics for the rows just written, rather
                // than waiting for autovacuum: with the estimates of an empty
                // table the planner chose nested scans over the new rows.
                sqlx::query("ANALYZE").execute(pool).await?;
            }
        }
        Ok(summary)
    }

    async fn import_one(
        &self,
        source: &Source,
        run: &mut RunState,
        progress: &dyn Progress,
    ) -> Result<FileOutcome> {
        let name = source.name();
        let hashed = {
            let s = source.clone();
            tokio::task::spawn_blocking(move || s.hash())
                .await
                .map_err(|e| StoreError::Corrupt(format!("hashing thread failed: {e}")))?
        };
        let (sha, bytes) = match hashed {
            Ok(h) => h,
            Err(e) => {
                return Ok(rejected(&name, 0, format!("cannot read file: {e}")));
            }
        };
        progress.file_started(&name, bytes);
        if self.dataset_sha(&name).await?.as_deref() == Some(sha.as_str()) {
            progress.advanced(bytes, 0);
            return Ok(unchanged(&name, bytes));
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let run_before = run.id;
            match self
                .write_dataset(source, &name, &sha, bytes, run, progress)
                .await
            {
                Err(e) if e.is_retryable() && attempt < MAX_ATTEMPTS => {
                    run.id = run_before;
                    tracing::warn!(source = name.as_str(), attempt, error = %e, "retrying dataset transaction");
                    tokio::time::sleep(std::time::Duration::from_millis(50 * u64::from(attempt)))
                        .await;
                }
                Err(e) => {
                    run.id = run_before;
                    return Err(e);
                }
                Ok(outcome) => {
                    if !matches!(outcome.status, FileStatus::Imported) {
                        run.id = run_before;
                    }
                    return Ok(outcome);
                }
            }
        }
    }

    /// The stored SHA-256 of the dataset at `path`, if any.
    pub async fn dataset_sha(&self, path: &str) -> Result<Option<String>> {
        let sha = on_pool!(self, pool => {
            sqlx::query("SELECT sha256 FROM dataset WHERE path = $1")
                .bind(path)
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get::<String, _>(0))
                .transpose()?
        });
        Ok(sha)
    }

    async fn write_dataset(
        &self,
        source: &Source,
        display: &str,
        sha: &str,
        bytes: u64,
        run: &mut RunState,
        progress: &dyn Progress,
    ) -> Result<FileOutcome> {
        let (rx, parser) = spawn_parser(source.clone(), run.analyzer.clone());
        let result = match &self.pool {
            Pool::Sqlite(pool) => {
                let mut tx = pool.begin_with(begin_immediate(Backend::Sqlite)).await?;
                let r = write_events(
                    &mut Writer::Sqlite(&mut tx),
                    rx,
                    display,
                    sha,
                    bytes,
                    run,
                    progress,
                )
                .await;
                finish(tx, r).await
            }
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                // Serialise writers of the same dataset path across processes.
                sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                    .bind(display)
                    .execute(&mut *tx)
                    .await?;
                let r = write_events(
                    &mut Writer::Postgres(&mut tx),
                    rx,
                    display,
                    sha,
                    bytes,
                    run,
                    progress,
                )
                .await;
                finish(tx, r).await
            }
        };
        // The parser stops on its own once the receiver is gone.
        let _ = tokio::task::spawn_blocking(move || parser.join()).await;
        result
    }
}

async fn finish<DB: sqlx::Database>(
    tx: sqlx::Transaction<'static, DB>,
    r: Result<FileOutcome>,
) -> Result<FileOutcome> {
    match r {
        Ok(outcome) if matches!(outcome.status, FileStatus::Imported) => {
            tx.commit().await?;
            Ok(outcome)
        }
        Ok(outcome) => {
            tx.rollback().await?;
            Ok(outcome)
        }
        Err(e) => {
            // Dropping the transaction rolls it back.
            drop(tx);
            Err(e)
        }
    }
}

struct RunState {
    analyzer: Arc<Analyzer>,
    id: Option<i64>,
    started_at: String,
    opts: ImportOptions,
}

fn rejected(path: &str, bytes: u64, reason: String) -> FileOutcome {
    FileOutcome {
        path: path.to_string(),
        status: FileStatus::Rejected { reason },
        dataset_id: None,
        bytes,
        activities: 0,
        transactions: 0,
        diagnostics: BTreeMap::new(),
    }
}

fn unchanged(path: &str, bytes: u64) -> FileOutcome {
    FileOutcome {
        status: FileStatus::Unchanged,
        ..rejected(path, bytes, String::new())
    }
}

/// What the parser thread sends to the writer.
enum Event {
    Header {
        header: DatasetHeader,
        diagnostics: Vec<Diagnostic>,
    },
    Activity(Box<Prepared>, u64),
    Failed(ReadError),
    /// End of file: the last input bytes and file-level findings known only at
    /// the end (e.g. the encoding fallback).
    Done(u64, Vec<Diagnostic>),
}

/// An activity with its rows built, waiting only for its id.
struct Prepared {
    identifier: String,
    line: u64,
    transactions: u64,
    activity: Vec<Val>,
    children: Vec<(Child, Vec<Val>)>,
    diagnostics: Vec<Diagnostic>,
}

fn spawn_parser(
    source: Source,
    analyzer: Arc<Analyzer>,
) -> (mpsc::Receiver<Event>, std::thread::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(512);
    let handle = std::thread::Builder::new()
        .name("vaka-parse".into())
        .spawn(move || parse_into(&source, &analyzer, &tx));
    let handle = match handle {
        Ok(h) => h,
        Err(e) => {
            // Could not start a thread: report it as a read failure on this file.
            let (tx2, rx2) = mpsc::channel(1);
            let _ = tx2.try_send(Event::Failed(ReadError {
                kind: vaka_iati::ReadErrorKind::Io,
                line: None,
                column: None,
                message: format!("cannot start parser thread: {e}"),
            }));
            return (rx2, std::thread::spawn(|| {}));
        }
    };
    (rx, handle)
}

fn parse_into(source: &Source, analyzer: &Analyzer, tx: &mpsc::Sender<Event>) {
    let opened = match source {
        Source::File(path) => ActivityReader::open(path),
        Source::Memory { bytes, .. } => {
            ActivityReader::from_reader(std::io::Cursor::new(bytes.clone()))
        }
    };
    let mut reader = match opened {
        Ok(r) => r,
        Err(e) => {
            let _ = tx.blocking_send(Event::Failed(e));
            return;
        }
    };
    let header = reader.header().clone();
    let diagnostics = reader.take_file_diagnostics();
    if tx
        .blocking_send(Event::Header {
            header,
            diagnostics,
        })
        .is_err()
    {
        return;
    }
    let mut last = reader.bytes_consumed();
    loop {
        match reader.next_activity() {
            Ok(Some(parsed)) => {
                let now = reader.bytes_consumed();
                let prepared = prepare(parsed, analyzer);
                if tx
                    .blocking_send(Event::Activity(Box::new(prepared), now - last))
                    .is_err()
                {
                    return;
                }
                last = now;
            }
            Ok(None) => {
                let now = reader.bytes_consumed();
                let late = reader.take_file_diagnostics();
                let _ = tx.blocking_send(Event::Done(now.saturating_sub(last), late));
                return;
            }
            Err(e) => {
                let _ = tx.blocking_send(Event::Failed(e));
                return;
            }
        }
    }
}

enum Writer<'a, 'c> {
    Sqlite(&'a mut sqlx::Transaction<'c, sqlx::Sqlite>),
    Postgres(&'a mut sqlx::Transaction<'c, sqlx::Postgres>),
}

/// Run `$body` with `$conn` bound to the writer's connection.
macro_rules! on_writer {
    ($w:expr, $conn:ident => $body:expr) => {
        match $w {
            Writer::Sqlite(tx) => {
                let $conn = &mut ***tx;
                $body
            }
            Writer::Postgres(tx) => {
                let $conn = &mut ***tx;
                $body
            }
        }
    };
}

async fn write_events(
    w: &mut Writer<'_, '_>,
    mut rx: mpsc::Receiver<Event>,
    path: &str,
    sha: &str,
    bytes: u64,
    run: &mut RunState,
    progress: &dyn Progress,
) -> Result<FileOutcome> {
    // Another process may have imported the same content while we hashed.
    let existing: Option<(i64, String)> = on_writer!(w, conn => {
        match sqlx::query("SELECT id, sha256 FROM dataset WHERE path = $1")
            .bind(path)
            .fetch_optional(&mut *conn)
            .await?
        {
            Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
            None => None,
        }
    });
    if let Some((_, s)) = &existing
        && s == sha
    {
        drain(&mut rx).await;
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
            let id = insert_run(w, run).await?;
            run.id = Some(id);
            id
        }
    };
    let now = now_utc();
    let dataset_id = match existing {
        Some((id, _)) => {
            on_writer!(w, conn => {
                sqlx::query("DELETE FROM diagnostic WHERE dataset_id = $1").bind(id).execute(&mut *conn).await?;
                sqlx::query("DELETE FROM activity WHERE dataset_id = $1").bind(id).execute(&mut *conn).await?;
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
            });
            id
        }
        None => on_writer!(w, conn => {
            sqlx::query(
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
            .try_get::<i64, _>(0)?
        }),
    };

    let mut batches = Batches::new();
    let mut outcome = FileOutcome {
        path: path.to_string(),
        status: FileStatus::Imported,
        dataset_id: Some(dataset_id),
        bytes,
        activities: 0,
        transactions: 0,
        diagnostics: BTreeMap::new(),
    };
    for d in &file_diags {
        batches.diagnostic(dataset_id, None, d, run_id);
        *outcome.diagnostics.entry((d.severity, d.kind)).or_insert(0) += 1;
    }
    // identifier -> (activity id, line, transactions) of the occurrence kept so far.
    let mut seen: HashMap<String, (i64, u64, u64)> = HashMap::new();
    let mut ordinal: i64 = 0;
    let base = dataset_id << ORDINAL_BITS;
    // Rows buffered before a flush. PostgreSQL takes larger batches: each
    // statement is a round trip, and without TCP_NODELAY (which sqlx does not
    // set) the tail of a large message can wait for a delayed ACK, so fewer,
    // larger statements are much faster there (see BENCHMARKS.md).
    let flush_at = match w {
        Writer::Sqlite(_) => 4_000,
        Writer::Postgres(_) => 40_000,
    };
    loop {
        match rx.recv().await {
            Some(Event::Activity(p, advanced)) => {
                ordinal += 1;
                if ordinal >= (1 << ORDINAL_BITS) {
                    drain(&mut rx).await;
                    return Ok(rejected(
                        path,
                        bytes,
                        format!(
                            "more than {} activities in one file",
                            (1i64 << ORDINAL_BITS) - 1
                        ),
                    ));
                }
                let id = base + ordinal;
                if p.identifier.is_empty() {
                    // Unusable as published: it cannot be referenced or replaced later.
                    // The reader's critical diagnostic is kept at dataset level.
                    for d in &p.diagnostics {
                        batches.diagnostic(dataset_id, None, d, run_id);
                        *outcome.diagnostics.entry((d.severity, d.kind)).or_insert(0) += 1;
                    }
                    progress.advanced(advanced, 1);
                    continue;
                }
                let Prepared {
                    identifier,
                    line,
                    transactions,
                    activity,
                    children,
                    mut diagnostics,
                } = *p;
                if let Some((old_id, old_line, old_tx)) = seen.get(&identifier).copied() {
                    // Keep the last occurrence: drop what was written for the earlier one.
                    batches.flush(w).await?;
                    on_writer!(w, conn => {
                        sqlx::query("DELETE FROM diagnostic WHERE activity_id = $1 AND kind <> 'duplicate-identifier'")
                            .bind(old_id)
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("DELETE FROM activity WHERE id = $1").bind(old_id).execute(&mut *conn).await?;
                    });
                    outcome.activities -= 1;
                    outcome.transactions -= old_tx;
                    diagnostics.push(Diagnostic {
                        severity: Severity::Warning,
                        kind: DiagnosticKind::DuplicateIdentifier,
                        activity: Some(identifier.clone()),
                        line,
                        path: "iati-identifier".into(),
                        message: format!(
                            "`{identifier}` also appears at line {old_line} of this file; the later occurrence (line {line}) is kept"
                        ),
                    });
                }
                seen.insert(identifier, (id, line, transactions));
                let mut row = Vec::with_capacity(activity.len() + 3);
                row.push(Val::from(id));
                row.push(Val::from(dataset_id));
                row.push(Val::from(run_id));
                row.extend(activity);
                batches.activity.push(row);
                for (child, vals) in children {
                    let mut row = Vec::with_capacity(vals.len() + 1);
                    row.push(Val::from(id));
                    row.extend(vals);
                    batches.child(child).push(row);
                }
                for d in &diagnostics {
                    batches.diagnostic(dataset_id, Some(id), d, run_id);
                    *outcome.diagnostics.entry((d.severity, d.kind)).or_insert(0) += 1;
                }
                outcome.activities += 1;
                outcome.transactions += transactions;
                progress.advanced(advanced, 1);
                if batches.pending() >= flush_at {
                    batches.flush(w).await?;
                }
            }
            Some(Event::Done(advanced, late)) => {
                for d in &late {
                    batches.diagnostic(dataset_id, None, d, run_id);
                    *outcome.diagnostics.entry((d.severity, d.kind)).or_insert(0) += 1;
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
    batches.flush(w).await?;
    on_writer!(w, conn => {
        sqlx::query("UPDATE dataset SET activities = $2, transactions = $3 WHERE id = $1")
            .bind(dataset_id)
            .bind(outcome.activities as i64)
            .bind(outcome.transactions as i64)
            .execute(&mut *conn)
            .await?;
    });
    Ok(outcome)
}

async fn drain(rx: &mut mpsc::Receiver<Event>) {
    rx.close();
    while rx.recv().await.is_some() {}
}

/// The one-line reason for a rejected file, with its position when known.
fn describe(e: &ReadError) -> String {
    match (e.line, e.column) {
        (Some(l), Some(c)) => format!("line {l}, column {c}: {}", e.message),
        (Some(l), None) => format!("line {l}: {}", e.message),
        _ => e.message.clone(),
    }
}

async fn insert_run(w: &mut Writer<'_, '_>, run: &RunState) -> Result<i64> {
    let id = on_writer!(w, conn => {
        sqlx::query("INSERT INTO import_run (started_at, origin, actor) VALUES ($1, $2, $3) RETURNING id")
            .bind(&run.started_at)
            .bind(&run.opts.origin)
            .bind(&run.opts.actor)
            .fetch_one(&mut *conn)
            .await?
            .try_get::<i64, _>(0)?
    });
    Ok(id)
}

async fn on_run_finished(store: &Store, run_id: i64, summary: &ImportSummary) -> Result<()> {
    on_pool!(store, pool => {
        sqlx::query(
            "UPDATE import_run SET finished_at = $2, files_imported = $3, files_unchanged = $4, files_rejected = $5 \
             WHERE id = $1",
        )
        .bind(run_id)
        .bind(now_utc())
        .bind(summary.imported() as i64)
        .bind(summary.unchanged() as i64)
        .bind(summary.rejected() as i64)
        .execute(pool)
        .await?;
    });
    Ok(())
}

use crate::db::on_pool;

// ---------------------------------------------------------------------------
// Rows

static ACTIVITY: TableDef = TableDef {
    name: "activity",
    cols: &[
        ("id", Ty::I64),
        ("dataset_id", Ty::I64),
        ("import_run_id", Ty::I64),
        ("line", Ty::I64),
        ("iati_identifier", Ty::Text),
        ("reporting_org", Ty::Text),
        ("reporting_org_type", Ty::Text),
        ("reporting_org_name", Ty::Text),
        ("title", Ty::Text),
        ("description", Ty::Text),
        ("lang", Ty::Text),
        ("default_currency", Ty::Text),
        ("hierarchy", Ty::I64),
        ("status", Ty::Text),
        ("scope", Ty::Text),
        ("humanitarian", Ty::Bool),
        ("last_updated", Ty::Text),
        ("start_date", Ty::Text),
        ("end_date", Ty::Text),
        ("collaboration_type", Ty::Text),
        ("default_flow_type", Ty::Text),
        ("default_finance_type", Ty::Text),
        ("default_aid_type", Ty::Text),
        ("default_tied_status", Ty::Text),
        ("search_text", Ty::Text),
        ("doc", Ty::Text),
    ],
};

static PARTICIPATING_ORG: TableDef = TableDef {
    name: "participating_org",
    cols: &[
        ("activity_id", Ty::I64),
        ("seq", Ty::I64),
        ("role", Ty::Text),
        ("ref", Ty::Text),
        ("type", Ty::Text),
        ("org_activity_id", Ty::Text),
        ("name", Ty::Text),
    ],
};

static RECIPIENT_COUNTRY: TableDef = TableDef {
    name: "recipient_country",
    cols: &[
        ("activity_id", Ty::I64),
        ("seq", Ty::I64),
        ("code", Ty::Text),
        ("percentage", Ty::Text),
    ],
};

static RECIPIENT_REGION: TableDef = TableDef {
    name: "recipient_region",
    cols: &[
        ("activity_id", Ty::I64),
        ("seq", Ty::I64),
        ("code", Ty::Text),
        ("vocabulary", Ty::Text),
        ("percentage", Ty::Text),
    ],
};

static SECTOR: TableDef = TableDef {
    name: "sector",
    cols: &[
        ("activity_id", Ty::I64),
        ("seq", Ty::I64),
        ("vocabulary", Ty::Text),
        ("code", Ty::Text),
        ("percentage", Ty::Text),
    ],
};

static BUDGET: TableDef = TableDef {
    name: "budget",
    cols: &[
        ("activity_id", Ty::I64),
        ("seq", Ty::I64),
        ("type", Ty::Text),
        ("status", Ty::Text),
        ("period_start", Ty::Text),
        ("period_end", Ty::Text),
        ("value", Ty::Text),
        ("currency", Ty::Text),
        ("value_date", Ty::Text),
    ],
};

static TXN: TableDef = TableDef {
    name: "txn",
    cols: &[
        ("activity_id", Ty::I64),
        ("seq", Ty::I64),
        ("line", Ty::I64),
        ("type", Ty::Text),
        ("date", Ty::Text),
        ("value", Ty::Text),
        ("currency", Ty::Text),
        ("value_date", Ty::Text),
        ("provider_ref", Ty::Text),
        ("provider_activity_id", Ty::Text),
        ("provider_name", Ty::Text),
        ("receiver_ref", Ty::Text),
        ("receiver_activity_id", Ty::Text),
        ("receiver_name", Ty::Text),
        ("flow_type", Ty::Text),
        ("finance_type", Ty::Text),
        ("aid_type", Ty::Text),
        ("tied_status", Ty::Text),
        ("disbursement_channel", Ty::Text),
        ("humanitarian", Ty::Bool),
    ],
};

static LOCATION: TableDef = TableDef {
    name: "location",
    cols: &[
        ("activity_id", Ty::I64),
        ("seq", Ty::I64),
        ("name", Ty::Text),
        ("lat", Ty::F64),
        ("lon", Ty::F64),
        ("exactness", Ty::Text),
        ("location_class", Ty::Text),
    ],
};

static DIAGNOSTIC: TableDef = TableDef {
    name: "diagnostic",
    cols: &[
        ("dataset_id", Ty::I64),
        ("activity_id", Ty::I64),
        ("iati_identifier", Ty::Text),
        ("severity", Ty::Text),
        ("kind", Ty::Text),
        ("line", Ty::I64),
        ("path", Ty::Text),
        ("message", Ty::Text),
        ("import_run_id", Ty::I64),
    ],
};

#[derive(Debug, Clone, Copy)]
enum Child {
    ParticipatingOrg,
    RecipientCountry,
    RecipientRegion,
    Sector,
    Budget,
    Txn,
    Location,
    AreaTag,
    Fact,
}

struct Batches {
    activity: TableBatch,
    participating_org: TableBatch,
    recipient_country: TableBatch,
    recipient_region: TableBatch,
    sector: TableBatch,
    budget: TableBatch,
    txn: TableBatch,
    location: TableBatch,
    area_tag: TableBatch,
    fact: TableBatch,
    diagnostic: TableBatch,
}

impl Batches {
    fn new() -> Self {
        Batches {
            activity: TableBatch::new(&ACTIVITY),
            participating_org: TableBatch::new(&PARTICIPATING_ORG),
            recipient_country: TableBatch::new(&RECIPIENT_COUNTRY),
            recipient_region: TableBatch::new(&RECIPIENT_REGION),
            sector: TableBatch::new(&SECTOR),
            budget: TableBatch::new(&BUDGET),
            txn: TableBatch::new(&TXN),
            location: TableBatch::new(&LOCATION),
            area_tag: TableBatch::new(&AREA_TAG),
            fact: TableBatch::new(&FACT),
            diagnostic: TableBatch::new(&DIAGNOSTIC),
        }
    }

    fn child(&mut self, c: Child) -> &mut TableBatch {
        match c {
            Child::ParticipatingOrg => &mut self.participating_org,
            Child::RecipientCountry => &mut self.recipient_country,
            Child::RecipientRegion => &mut self.recipient_region,
            Child::Sector => &mut self.sector,
            Child::Budget => &mut self.budget,
            Child::Txn => &mut self.txn,
            Child::Location => &mut self.location,
            Child::AreaTag => &mut self.area_tag,
            Child::Fact => &mut self.fact,
        }
    }

    fn diagnostic(
        &mut self,
        dataset_id: i64,
        activity_id: Option<i64>,
        d: &Diagnostic,
        run_id: i64,
    ) {
        self.diagnostic.push(vec![
            dataset_id.into(),
            activity_id.into(),
            d.activity.clone().into(),
            d.severity.as_str().into(),
            d.kind.as_str().into(),
            (d.line as i64).into(),
            d.path.clone().into(),
            d.message.clone().into(),
            run_id.into(),
        ]);
    }

    fn pending(&self) -> usize {
        self.activity.len()
            + self.participating_org.len()
            + self.recipient_country.len()
            + self.recipient_region.len()
            + self.sector.len()
            + self.budget.len()
            + self.txn.len()
            + self.location.len()
            + self.area_tag.len()
            + self.fact.len()
            + self.diagnostic.len()
    }

    /// Write everything pending, parents before children.
    async fn flush(&mut self, w: &mut Writer<'_, '_>) -> Result<()> {
        match w {
            Writer::Sqlite(tx) => {
                let conn: &mut sqlx::SqliteConnection = tx;
                for b in self.in_order() {
                    b.flush_sqlite(conn).await?;
                }
            }
            Writer::Postgres(tx) => {
                let conn: &mut sqlx::PgConnection = tx;
                for b in self.in_order() {
                    b.flush_pg(conn).await?;
                }
            }
        }
        Ok(())
    }

    fn in_order(&mut self) -> [&mut TableBatch; 11] {
        [
            &mut self.activity,
            &mut self.participating_org,
            &mut self.recipient_country,
            &mut self.recipient_region,
            &mut self.sector,
            &mut self.budget,
            &mut self.txn,
            &mut self.location,
            &mut self.area_tag,
            &mut self.fact,
            &mut self.diagnostic,
        ]
    }
}

fn first_text(n: &[Narrative], default_lang: Option<&str>) -> Option<String> {
    vaka_iati::model::pick_narrative(n, default_lang.unwrap_or("en"), default_lang)
        .map(str::to_string)
}

fn date_of(a: &Activity, types: &[&str]) -> Option<String> {
    types.iter().find_map(|t| {
        a.dates
            .iter()
            .find(|d| d.type_ == *t)
            .and_then(|d| d.iso_date.clone())
    })
}

/// All title and description narratives, in every language, one per line.
fn search_text(a: &Activity) -> String {
    let mut out = String::new();
    for n in a
        .title
        .iter()
        .chain(a.descriptions.iter().flat_map(|d| d.narratives.iter()))
    {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(n.text.trim());
    }
    out
}

/// Build the rows of one activity (without the ids the writer assigns).
fn prepare(parsed: ParsedActivity, analyzer: &Analyzer) -> Prepared {
    let ParsedActivity {
        activity: a,
        mut diagnostics,
    } = parsed;
    let analysis = if a.identifier.is_empty() {
        AnalysisRows::default()
    } else {
        analyzer.analyse(&a)
    };
    diagnostics.extend(analysis.diagnostics);
    let lang = a.lang.as_deref();
    let reporting = a.reporting_org.as_ref();
    let description = a
        .descriptions
        .iter()
        .find(|d| d.type_.as_deref().is_none_or(|t| t == "1"))
        .or(a.descriptions.first())
        .and_then(|d| first_text(&d.narratives, lang));
    let doc = serde_json::to_string(&a).unwrap_or_else(|_| "{}".into());
    let activity = vec![
        Val::from(a.line as i64),
        Val::from(a.identifier.clone()),
        Val::from(a.reporting_org_ref().to_string()),
        Val::from(reporting.and_then(|r| r.type_.clone())),
        Val::from(reporting.and_then(|r| first_text(&r.name, lang))),
        Val::from(first_text(&a.title, lang)),
        Val::from(description),
        Val::from(a.lang.clone()),
        Val::from(a.default_currency.clone()),
        Val::from(a.hierarchy.map(i64::from)),
        Val::from(a.status.clone()),
        Val::from(a.scope.clone()),
        Val::from(a.humanitarian),
        Val::from(a.last_updated_datetime.clone()),
        Val::from(date_of(&a, &["2", "1"])),
        Val::from(date_of(&a, &["4", "3"])),
        Val::from(a.collaboration_type.clone()),
        Val::from(a.default_flow_type.clone()),
        Val::from(a.default_finance_type.clone()),
        Val::from(a.default_aid_types.first().map(|t| t.code.clone())),
        Val::from(a.default_tied_status.clone()),
        Val::from(search_text(&a)),
        Val::from(doc),
    ];
    let mut children = Vec::new();
    for (i, p) in a.participating_orgs.iter().enumerate() {
        children.push((
            Child::ParticipatingOrg,
            vec![
                Val::from(i as i64),
                Val::from(p.role.clone()),
                Val::from(p.ref_.clone()),
                Val::from(p.type_.clone()),
                Val::from(p.activity_id.clone()),
                Val::from(first_text(&p.name, lang)),
            ],
        ));
    }
    for (i, c) in a.recipient_countries.iter().enumerate() {
        children.push((
            Child::RecipientCountry,
            vec![
                Val::from(i as i64),
                Val::from(c.code.clone()),
                Val::from(c.percentage.map(|p| p.to_string())),
            ],
        ));
    }
    for (i, r) in a.recipient_regions.iter().enumerate() {
        children.push((
            Child::RecipientRegion,
            vec![
                Val::from(i as i64),
                Val::from(r.code.clone()),
                Val::from(r.vocabulary.clone()),
                Val::from(r.percentage.map(|p| p.to_string())),
            ],
        ));
    }
    for (i, s) in a.sectors.iter().enumerate() {
        children.push((
            Child::Sector,
            vec![
                Val::from(i as i64),
                Val::from(s.vocabulary.clone()),
                Val::from(s.code.clone()),
                Val::from(s.percentage.map(|p| p.to_string())),
            ],
        ));
    }
    for (i, b) in a.budgets.iter().enumerate() {
        let currency = b
            .value
            .as_ref()
            .map(|v| a.currency_of(v).to_string())
            .unwrap_or_default();
        children.push((
            Child::Budget,
            vec![
                Val::from(i as i64),
                Val::from(b.type_.clone()),
                Val::from(b.status.clone()),
                Val::from(b.period_start.clone()),
                Val::from(b.period_end.clone()),
                Val::from(b.value.as_ref().map(|v| v.amount.to_string())),
                Val::from(currency),
                Val::from(b.value.as_ref().and_then(|v| v.value_date.clone())),
            ],
        ));
    }
    for (i, t) in a.transactions.iter().enumerate() {
        let currency = t
            .value
            .as_ref()
            .map(|v| a.currency_of(v).to_string())
            .unwrap_or_else(|| a.default_currency.clone().unwrap_or_default());
        let prov = t.provider_org.as_ref();
        let recv = t.receiver_org.as_ref();
        children.push((
            Child::Txn,
            vec![
                Val::from(i as i64),
                Val::from(t.line as i64),
                Val::from(t.type_.clone()),
                Val::from(t.date.clone()),
                Val::from(t.value.as_ref().map(|v| v.amount.to_string())),
                Val::from(currency),
                Val::from(t.value.as_ref().and_then(|v| v.value_date.clone())),
                Val::from(prov.and_then(|o| o.ref_.clone())),
                Val::from(prov.and_then(|o| o.activity_id.clone())),
                Val::from(prov.and_then(|o| first_text(&o.name, lang))),
                Val::from(recv.and_then(|o| o.ref_.clone())),
                Val::from(recv.and_then(|o| o.activity_id.clone())),
                Val::from(recv.and_then(|o| first_text(&o.name, lang))),
                Val::from(t.flow_type.clone()),
                Val::from(t.finance_type.clone()),
                Val::from(t.aid_types.first().map(|x| x.code.clone())),
                Val::from(t.tied_status.clone()),
                Val::from(t.disbursement_channel.clone()),
                Val::from(t.humanitarian),
            ],
        ));
    }
    for (i, l) in a.locations.iter().enumerate() {
        children.push((
            Child::Location,
            vec![
                Val::from(i as i64),
                Val::from(first_text(&l.name, lang)),
                Val::from(l.point.map(|p| p.lat)),
                Val::from(l.point.map(|p| p.lon)),
                Val::from(l.exactness.clone()),
                Val::from(l.location_class.clone()),
            ],
        ));
    }
    children.extend(analysis.tags.into_iter().map(|r| (Child::AreaTag, r)));
    children.extend(analysis.facts.into_iter().map(|r| (Child::Fact, r)));
    Prepared {
        identifier: a.identifier.clone(),
        line: a.line,
        transactions: a.transactions.len() as u64,
        activity,
        children,
        diagnostics,
    }
}
