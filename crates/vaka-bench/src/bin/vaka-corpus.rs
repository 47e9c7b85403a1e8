//! `vaka-corpus --out DIR --size 1GB [--files N] [--seed S]`: scale the real
//! IATI 2.0x sample files to a corpus of the given size (see
//! `vaka_bench::corpus`).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use clap::Parser;
use vaka_bench::corpus::{self, Options};

#[derive(Parser)]
#[command(about = "Generate a realistic IATI activity corpus from the bundled 2.0x files")]
struct Args {
    /// Directory to write `corpus-NNNN.xml` files into (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Total size, e.g. `1GB`, `500MB`, `64MiB`.
    #[arg(long, value_parser = vaka_bench::parse_size, required_unless_present = "activities")]
    size: Option<u64>,
    /// Number of activities instead of a size, e.g. `1000000`.
    #[arg(long, conflicts_with = "size")]
    activities: Option<u64>,
    /// Number of files (default: one per ~35 MB, or per 5,000 activities).
    #[arg(long)]
    files: Option<u32>,
    /// Seed for the choice of source files, publishers and currencies.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let samples = vaka_bench::samples()?;
    let started = Instant::now();
    let summary = corpus::generate(
        &samples,
        &Options {
            out: args.out,
            size: args.size.unwrap_or(0),
            activities: args.activities,
            files: args.files,
            seed: args.seed,
        },
    )?;
    let secs = started.elapsed().as_secs_f64();
    for (path, bytes) in &summary.files {
        println!("{}\t{bytes}", path.display());
    }
    println!(
        "{} files, {} activities, {} bytes in {secs:.1} s ({:.0} MB/s written) from {} sample files",
        summary.files.len(),
        summary.activities,
        summary.bytes,
        summary.bytes as f64 / secs / 1e6,
        samples.len()
    );
    Ok(())
}
