//! `vaka import …`

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use vaka_store::import::{FileOutcome, FileStatus, ImportOptions, ImportSummary, Progress};

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import IATI activity files (.xml, .xml.gz) and directories (recursively).
    Iati {
        /// Files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Import ministerial releases (Markdown with YAML front matter); prints
    /// the id of each stored announcement.
    Announcement {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        who: crate::coord::ActorArgs,
    },
}

pub async fn run(db: &str, cmd: ImportCommand) -> anyhow::Result<u8> {
    match cmd {
        ImportCommand::Iati { paths, json } => iati(db, paths, json).await,
        ImportCommand::Announcement { files, who } => {
            crate::coord::import_announcements(db, files, who).await
        }
    }
}

async fn iati(db: &str, paths: Vec<PathBuf>, json: bool) -> anyhow::Result<u8> {
    let store = crate::open_store(db).await?;
    let files = vaka_store::import::collect_files(&paths)?;
    let total: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let bar = TerminalProgress::new(total);
    let started = Instant::now();
    let opts = ImportOptions {
        origin: "cli".into(),
        actor: std::env::var("USER").ok(),
    };
    let summary = store.import_paths(&files, &opts, &bar).await?;
    bar.finish();
    let elapsed = started.elapsed();
    if json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print_summary(&summary, elapsed.as_secs_f64());
    }
    store.close().await;
    Ok(if summary.rejected() > 0 { 1 } else { 0 })
}

pub fn print_summary(s: &ImportSummary, secs: f64) {
    println!(
        "Files: {} imported, {} unchanged, {} rejected ({:.2} s)",
        s.imported(),
        s.unchanged(),
        s.rejected(),
        secs
    );
    for f in &s.files {
        if let FileStatus::Rejected { reason } = &f.status {
            println!("  rejected {}: {}", f.path, reason);
        }
    }
    println!(
        "Activities: {}   Transactions: {}",
        s.activities(),
        s.transactions()
    );
    let diags = s.diagnostics();
    if diags.is_empty() {
        println!("Diagnostics: none");
        return;
    }
    println!("Diagnostics:");
    let mut current = None;
    for ((sev, kind), n) in &diags {
        if current != Some(*sev) {
            let total: u64 = diags
                .iter()
                .filter(|((s2, _), _)| s2 == sev)
                .map(|(_, n)| n)
                .sum();
            println!("  {sev}: {total}");
            current = Some(*sev);
        }
        println!("    {kind}: {n}");
    }
    println!("(details: vaka diagnostics)");
}

/// A progress bar on a terminal; silent otherwise.
struct TerminalProgress {
    bar: Option<ProgressBar>,
}

impl TerminalProgress {
    fn new(total: u64) -> Self {
        if !std::io::stderr().is_terminal() {
            return TerminalProgress { bar: None };
        }
        let bar = ProgressBar::new(total);
        if let Ok(style) = ProgressStyle::with_template(
            "{bar:30.cyan/blue} {bytes}/{total_bytes} {bytes_per_sec} {msg}",
        ) {
            bar.set_style(style);
        }
        TerminalProgress { bar: Some(bar) }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Progress for TerminalProgress {
    fn advanced(&self, bytes: u64, activities: u64) {
        if let Some(b) = &self.bar {
            b.inc(bytes);
            if activities > 0 {
                let n: u64 = b
                    .message()
                    .split(' ')
                    .next()
                    .and_then(|x| x.parse().ok())
                    .unwrap_or(0);
                b.set_message(format!("{} activities", n + activities));
            }
        }
    }

    fn file_finished(&self, outcome: &FileOutcome) {
        if let (Some(b), FileStatus::Rejected { reason }) = (&self.bar, &outcome.status) {
            b.println(format!("rejected {}: {}", outcome.path, reason));
        }
    }
}
