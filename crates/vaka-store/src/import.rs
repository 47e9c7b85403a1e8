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
//! size and the largest activity, whatever the file size. The writer is
//! backend-specific: on SQLite a synchronous writer with prepared statements
//! on a connection of its own ([`sqlite`]), on PostgreSQL batched
//! `INSERT … SELECT FROM UNNEST` statements over sqlx ([`postgres`]). What
//! does not depend on the database (row ids, repeated identifiers, counts) is
//! shared in [`FileState`].

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use sqlx::Row;
use vaka_iati::{ActivityReader, DatasetHeader, Diagnostic, DiagnosticKind, ReadError, Severity};

use crate::analysis::Analyzer;
use crate::batch::Val;
use crate::db::{Backend, Pool, Store};
use crate::error::{Result, StoreError};
use crate::util::now_utc;

mod postgres;
mod read_ahead;
mod rows;
mod sqlite;

use crate::analysis::cube;
use rows::{DocForm, Prepared, Table};

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
        let mut bulk = match &self.pool {
            Pool::Sqlite(pool) if !sources.is_empty() => {
                let options = pool.connect_options();
                Some(blocking_section(|| {
                    sqlite::Bulk::open(options.get_filename())
                })?)
            }
            _ => None,
        };
        // SQLite: one thread reads the files in turn, ahead of the writer.
        let read_ahead = match &bulk {
            Some(_) => {
                let known = self.dataset_hashes().await?;
                read_ahead::ReadAhead::start(
                    sources.clone(),
                    known,
                    run.analyzer.clone(),
                    DocForm::Packed,
                )
                .map_err(|e| tracing::warn!(error = %e, "cannot start the read-ahead thread"))
                .ok()
            }
            None => None,
        };
        for source in sources {
            // Waits for the read-ahead thread (it may still be hashing the
            // file): not on the runtime's own time.
            let planned = read_ahead
                .as_ref()
                .and_then(|r| blocking_section(|| r.next()));
            let outcome = self
                .import_one(&source, planned, &mut run, bulk.as_mut(), progress)
                .await?;
            // The SQLite writer moves the data version in the file's own transaction.
            if matches!(outcome.status, FileStatus::Imported) && self.backend() == Backend::Postgres
            {
                self.bump_data_version().await?;
            }
            progress.file_finished(&outcome);
            summary.files.push(outcome);
        }
        drop(read_ahead);
        if let Some(b) = bulk {
            blocking_section(|| b.finish());
        }
        summary.run_id = run.id;
        if let Some(id) = run.id {
            on_run_finished(self, id, &summary).await?;
            // Each file kept the cube right in its own transaction; only an
            // interrupted classification leaves it to rebuild.
            self.refresh_cube_if_stale().await?;
            if let Pool::Postgres(pool) = &self.pool {
                // Fresh planner statistics for the rows just written, rather
                // than waiting for autovacuum: with the estimates of an empty
                // table the planner chose nested scans over the new rows.
                sqlx::query("ANALYZE").execute(pool).await?;
            }
        }
        Ok(summary)
    }

    /// Import one source. `planned` is what the read-ahead thread already
    /// did for it (its hash, and its events if it parsed it).
    async fn import_one(
        &self,
        source: &Source,
        planned: Option<read_ahead::Planned>,
        run: &mut RunState,
        mut bulk: Option<&mut sqlite::Bulk>,
        progress: &dyn Progress,
    ) -> Result<FileOutcome> {
        let name = source.name();
        let (hashed, mut events) = match planned {
            Some(p) => (p.hashed, p.events),
            None => {
                let s = source.clone();
                let hashed = tokio::task::spawn_blocking(move || s.hash())
                    .await
                    .map_err(|e| StoreError::Corrupt(format!("hashing thread failed: {e}")))?;
                (hashed, None)
            }
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
            let job = FileJob {
                source,
                path: &name,
                sha: &sha,
                bytes,
            };
            // A retry parses the file again, on a parser of its own.
            match self
                .write_dataset(&job, events.take(), run, bulk.as_deref_mut(), progress)
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

    /// The stored SHA-256 of every dataset, by path.
    async fn dataset_hashes(&self) -> Result<HashMap<String, String>> {
        let rows: Vec<(String, String)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT path, sha256 FROM dataset")
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().collect())
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

    /// Write one file. `events` are the file's events if it is already being
    /// parsed (SQLite's read-ahead); otherwise a parser is started for it.
    async fn write_dataset(
        &self,
        job: &FileJob<'_>,
        events: Option<std::sync::mpsc::Receiver<Event>>,
        run: &mut RunState,
        bulk: Option<&mut sqlite::Bulk>,
        progress: &dyn Progress,
    ) -> Result<FileOutcome> {
        match &self.pool {
            Pool::Sqlite(_) => {
                let bulk = bulk.ok_or_else(|| {
                    StoreError::Corrupt("the SQLite import connection is not open".into())
                })?;
                blocking_section(|| sqlite::write_dataset(bulk, job, events, run, progress))
            }
            Pool::Postgres(pool) => postgres::write_dataset(pool, job, run, progress).await,
        }
    }
}

/// One file to write: its source, dataset path, SHA-256 and size.
struct FileJob<'a> {
    source: &'a Source,
    path: &'a str,
    sha: &'a str,
    bytes: u64,
}

/// Run synchronous database work from async code. On a multi-threaded
/// runtime `block_in_place` first hands this worker's other tasks to another
/// thread; on a current-thread runtime (tests, small tools) the work simply
/// runs here, as the import is then the only thing the runtime is doing.
fn blocking_section<R>(f: impl FnOnce() -> R) -> R {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

pub(crate) struct RunState {
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
    /// End of file: the last input bytes, file-level findings known only at
    /// the end (e.g. the encoding fallback), and the cube's sums of every
    /// activity's facts sent.
    Done(u64, Vec<Diagnostic>, Box<cube::Sums>),
}

/// Where the parser thread puts its events: a channel to the writer.
trait Outbox: Send + 'static {
    /// False once the writer has gone away (the parser then stops).
    fn put(&self, e: Event) -> bool;
}

impl Outbox for tokio::sync::mpsc::Sender<Event> {
    fn put(&self, e: Event) -> bool {
        self.blocking_send(e).is_ok()
    }
}

impl Outbox for std::sync::mpsc::SyncSender<Event> {
    fn put(&self, e: Event) -> bool {
        self.send(e).is_ok()
    }
}

/// How many prepared activities may wait between the parser and the writer.
const CHANNEL: usize = 512;

/// Start the parser thread for `source`. Its events go to `out` until the file
/// ends, fails, or the receiver is dropped.
fn spawn_parser(
    source: Source,
    analyzer: Arc<Analyzer>,
    doc: DocForm,
    out: impl Outbox,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("vaka-parse".into())
        .spawn(move || parse_into(&source, &analyzer, doc, &out))
}

fn parse_into(source: &Source, analyzer: &Analyzer, doc: DocForm, out: &impl Outbox) {
    let opened = match source {
        Source::File(path) => ActivityReader::open(path),
        Source::Memory { bytes, .. } => {
            ActivityReader::from_reader(std::io::Cursor::new(bytes.clone()))
        }
    };
    let mut reader = match opened {
        Ok(r) => r,
        Err(e) => {
            out.put(Event::Failed(e));
            return;
        }
    };
    let header = reader.header().clone();
    let diagnostics = reader.take_file_diagnostics();
    if !out.put(Event::Header {
        header,
        diagnostics,
    }) {
        return;
    }
    let mut last = reader.bytes_consumed();
    let mut sums = Box::<cube::Sums>::default();
    loop {
        match reader.next_activity() {
            Ok(Some(parsed)) => {
                let now = reader.bytes_consumed();
                let prepared = rows::prepare(parsed, analyzer, doc, &mut sums);
                if !out.put(Event::Activity(Box::new(prepared), now - last)) {
                    return;
                }
                last = now;
            }
            Ok(None) => {
                let now = reader.bytes_consumed();
                let late = reader.take_file_diagnostics();
                out.put(Event::Done(now.saturating_sub(last), late, sums));
                return;
            }
            Err(e) => {
                out.put(Event::Failed(e));
                return;
            }
        }
    }
}

/// A rejection for a file whose parser thread could not be started.
fn no_parser(path: &str, bytes: u64, e: &std::io::Error) -> FileOutcome {
    rejected(path, bytes, format!("cannot start the parser thread: {e}"))
}

/// The bookkeeping of one file that does not depend on the database: row ids,
/// the keep-the-last-occurrence rule for repeated identifiers, and the counts
/// of the outcome. Both writers feed their events through it.
struct FileState {
    base: i64,
    ordinal: i64,
    /// identifier -> (activity id, line, transactions) of the occurrence kept so far.
    seen: HashMap<String, (i64, u64, u64)>,
    outcome: FileOutcome,
}

/// One activity, ready for the database.
struct Accepted {
    /// The activity's row id; `None` when it has no identifier: unusable as
    /// published (it cannot be referenced or replaced later), so only its
    /// diagnostics are kept, at dataset level.
    id: Option<i64>,
    /// The row of an earlier occurrence of the same identifier in this file,
    /// to delete before this one is written.
    replaces: Option<i64>,
    activity: Vec<Val>,
    children: Vec<(Table, Vec<Val>)>,
    diagnostics: Vec<Diagnostic>,
}

impl FileState {
    fn new(path: &str, bytes: u64, dataset_id: i64) -> Self {
        FileState {
            base: dataset_id << ORDINAL_BITS,
            ordinal: 0,
            seen: HashMap::new(),
            outcome: FileOutcome {
                path: path.to_string(),
                status: FileStatus::Imported,
                dataset_id: Some(dataset_id),
                bytes,
                activities: 0,
                transactions: 0,
                diagnostics: BTreeMap::new(),
            },
        }
    }

    fn count(&mut self, diagnostics: &[Diagnostic]) {
        for d in diagnostics {
            *self
                .outcome
                .diagnostics
                .entry((d.severity, d.kind))
                .or_insert(0) += 1;
        }
    }

    /// Take the next activity of the file, or reject the file (too many activities).
    fn accept(&mut self, p: Prepared) -> std::result::Result<Accepted, FileOutcome> {
        self.ordinal += 1;
        if self.ordinal >= (1 << ORDINAL_BITS) {
            return Err(rejected(
                &self.outcome.path,
                self.outcome.bytes,
                format!(
                    "more than {} activities in one file",
                    (1i64 << ORDINAL_BITS) - 1
                ),
            ));
        }
        let id = self.base + self.ordinal;
        if p.identifier.is_empty() {
            self.count(&p.diagnostics);
            return Ok(Accepted {
                id: None,
                replaces: None,
                activity: Vec::new(),
                children: Vec::new(),
                diagnostics: p.diagnostics,
            });
        }
        let Prepared {
            identifier,
            line,
            transactions,
            activity,
            children,
            mut diagnostics,
        } = p;
        let mut replaces = None;
        if let Some((old_id, old_line, old_tx)) = self.seen.get(&identifier).copied() {
            // Keep the last occurrence: what was written for the earlier one goes.
            replaces = Some(old_id);
            self.outcome.activities -= 1;
            self.outcome.transactions -= old_tx;
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
        self.seen.insert(identifier, (id, line, transactions));
        self.count(&diagnostics);
        self.outcome.activities += 1;
        self.outcome.transactions += transactions;
        Ok(Accepted {
            id: Some(id),
            replaces,
            activity,
            children,
            diagnostics,
        })
    }
}

/// The SQL both writers run, with PostgreSQL-style numbered parameters; the
/// SQLite writer binds them by name (they do not always appear in order).
mod sql {
    /// Another process may have imported the same content while we hashed.
    pub const EXISTING: &str = "SELECT id, sha256 FROM dataset WHERE path = $1";
    pub const NEW_RUN: &str =
        "INSERT INTO import_run (started_at, origin, actor) VALUES ($1, $2, $3) RETURNING id";
    /// A changed file: its previous activities and findings go first.
    pub const CLEAR_DATASET: [&str; 2] = [
        "DELETE FROM diagnostic WHERE dataset_id = $1",
        "DELETE FROM activity WHERE dataset_id = $1",
    ];
    /// `$1` the dataset id, then the values of [`NEW_DATASET`] after its path.
    pub const RESET_DATASET: &str = "UPDATE dataset SET sha256 = $2, bytes = $3, \
        declared_version = $4, iati_version = $5, generated_datetime = $6, encoding = $7, \
        gzipped = $8, activities = 0, transactions = 0, import_run_id = $9, imported_at = $10 \
        WHERE id = $1";
    pub const NEW_DATASET: &str = "INSERT INTO dataset (path, sha256, bytes, declared_version, \
        iati_version, generated_datetime, encoding, gzipped, activities, transactions, \
        import_run_id, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, $9, $10) \
        RETURNING id";
    /// An earlier occurrence of a repeated identifier; its child rows go with
    /// it, by cascade.
    pub const DROP_OCCURRENCE: [&str; 2] = [
        "DELETE FROM diagnostic WHERE activity_id = $1 AND kind <> 'duplicate-identifier'",
        "DELETE FROM activity WHERE id = $1",
    ];
    pub const COUNTS: &str = "UPDATE dataset SET activities = $2, transactions = $3 WHERE id = $1";
    /// The row ids a dataset's activities can have (see `ORDINAL_BITS`).
    pub fn dataset_rows(dataset_id: i64) -> (i64, i64) {
        let first = dataset_id << super::ORDINAL_BITS;
        (first, first + (1 << super::ORDINAL_BITS) - 1)
    }
}

/// The first event of a file: its header, or the reason to reject it.
fn header_event(
    event: Option<Event>,
    path: &str,
    bytes: u64,
) -> std::result::Result<(DatasetHeader, Vec<Diagnostic>), FileOutcome> {
    match event {
        Some(Event::Header {
            header,
            diagnostics,
        }) => Ok((header, diagnostics)),
        Some(Event::Failed(e)) => Err(rejected(path, bytes, describe(&e))),
        _ => Err(rejected(
            path,
            bytes,
            "the file ended before its root element".into(),
        )),
    }
}

/// An event after the header.
enum Next {
    Activity(Box<Prepared>, u64),
    /// End of file: the last input bytes, file-level findings and the
    /// cube's sums of the file's facts.
    Done(u64, Vec<Diagnostic>, Box<cube::Sums>),
}

/// An event after the header, or the reason to reject the file.
fn next_event(
    event: Option<Event>,
    path: &str,
    bytes: u64,
) -> std::result::Result<Next, FileOutcome> {
    match event {
        Some(Event::Activity(p, advanced)) => Ok(Next::Activity(p, advanced)),
        Some(Event::Done(advanced, late, sums)) => Ok(Next::Done(advanced, late, sums)),
        Some(Event::Failed(e)) => Err(rejected(path, bytes, describe(&e))),
        Some(Event::Header { .. }) | None => Err(rejected(
            path,
            bytes,
            "the parser stopped unexpectedly".into(),
        )),
    }
}

/// The one-line reason for a rejected file, with its position when known.
fn describe(e: &ReadError) -> String {
    match (e.line, e.column) {
        (Some(l), Some(c)) => format!("line {l}, column {c}: {}", e.message),
        (Some(l), None) => format!("line {l}: {}", e.message),
        _ => e.message.clone(),
    }
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
