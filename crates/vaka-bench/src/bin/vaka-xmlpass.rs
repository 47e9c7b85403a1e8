//! `vaka-xmlpass DIR [--reader]`: the bare quick-xml pass over every `*.xml`
//! (or `*.xml.gz`) file in DIR, printing MB/s — the practical ceiling an import
//! is compared against. With `--reader`, also runs `ActivityReader` over the
//! same files for comparison.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;

#[derive(Parser)]
#[command(about = "Bare quick-xml pass over a corpus, in MB/s")]
struct Args {
    /// Directory holding the corpus.
    dir: PathBuf,
    /// Also run the full IATI reader over the same files.
    #[arg(long)]
    reader: bool,
}

fn files(dir: &PathBuf) -> Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.to_string_lossy();
            name.ends_with(".xml") || name.ends_with(".xml.gz")
        })
        .collect();
    out.sort();
    anyhow::ensure!(!out.is_empty(), "no .xml files in {}", dir.display());
    Ok(out)
}

fn open(path: &PathBuf) -> Result<Box<dyn std::io::BufRead + Send>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(if path.to_string_lossy().ends_with(".gz") {
        Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::read::MultiGzDecoder::new(file),
        ))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, file))
    })
}

fn main() -> Result<()> {
    let args = Args::parse();
    let files = files(&args.dir)?;
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();

    let started = Instant::now();
    let mut events = 0u64;
    for f in &files {
        events += vaka_bench::bare_pass(open(f)?).with_context(|| format!("{}", f.display()))?;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "bare quick-xml pass: {} files, {bytes} bytes, {events} events in {secs:.2} s = {:.1} MB/s",
        files.len(),
        bytes as f64 / secs / 1e6
    );

    if args.reader {
        let started = Instant::now();
        let (mut activities, mut diagnostics) = (0u64, 0u64);
        for f in &files {
            let (a, d) =
                vaka_bench::reader_pass(open(f)?).with_context(|| format!("{}", f.display()))?;
            activities += a;
            diagnostics += d;
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "ActivityReader:      {activities} activities, {diagnostics} diagnostics in {secs:.2} s = {:.1} MB/s",
            bytes as f64 / secs / 1e6
        );
    }
    Ok(())
}
