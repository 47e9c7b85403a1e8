//! A realistic IATI corpus of any size, made from real 2.0x files.
//!
//! The `<iati-activity>` elements of the sample files are emitted again and
//! again, each pass over a source file (a *batch*) under a publisher and a
//! currency drawn from a seeded generator:
//!
//! - identifiers become `{publisher}-B{batch}-{original}`, unique across the
//!   corpus and starting with the publisher's reference, and every reference
//!   to an activity of the same source file (related activities, provider and
//!   receiver activity ids) is rewritten the same way, so hierarchies hold;
//! - the reporting organisation's `ref` (wherever it appears as a `ref`)
//!   becomes the publisher's;
//! - `default-currency` and every `currency` attribute become the batch's
//!   currency.
//!
//! Files are written one at a time through a buffer; only the (small) source
//! files are held in memory. The output is the same for the same seed.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::Sample;

/// Publishers the corpus is spread over, with their usual currency.
pub const PUBLISHERS: [(&str, &str); 5] = [
    ("NZ-1", "NZD"),
    ("JP-8", "JPY"),
    ("AU-5", "AUD"),
    ("XM-DAC-41114", "USD"),
    ("XM-DAC-903", "USD"),
];

/// Currencies values are published in.
pub const CURRENCIES: [&str; 5] = ["USD", "NZD", "JPY", "AUD", "EUR"];

/// Default size of one output file when `files` is not given.
pub const DEFAULT_FILE_SIZE: u64 = 35_000_000;

/// Default number of activities in one output file when counting activities.
pub const DEFAULT_FILE_ACTIVITIES: u64 = 5_000;

#[derive(Debug, Clone)]
pub struct Options {
    pub out: PathBuf,
    /// Total size in bytes (each file ends after the activity that reaches its share).
    pub size: u64,
    /// Number of activities instead of a size: each file gets its share exactly.
    pub activities: Option<u64>,
    /// Number of files; by default about one per 35 MB.
    pub files: Option<u32>,
    pub seed: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub files: Vec<(PathBuf, u64)>,
    pub activities: u64,
    pub bytes: u64,
}

/// splitmix64: small, fast, and enough for choosing among a few options.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// An activity identifier: prefixed with publisher and batch.
    Activity,
    /// The reporting organisation's own reference: replaced by the publisher.
    Publisher,
    /// A currency code.
    Currency,
}

/// One activity, cut into literal text and slots to fill.
#[derive(Debug, Clone)]
struct Block {
    text: String,
    /// `(start, end, slot)` byte ranges in `text`, sorted, not overlapping.
    slots: Vec<(usize, usize, Slot)>,
}

/// The activities of one source file.
#[derive(Debug, Clone)]
struct Source {
    blocks: Vec<Block>,
}

/// Split a source file into activity blocks and find the slots in each.
fn prepare(sample: &Sample) -> Result<Source> {
    let text = std::str::from_utf8(&sample.bytes)
        .with_context(|| format!("{} is not UTF-8", sample.name))?;
    let mut raw_blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = find_activity_start(rest) {
        let tail = &rest[start..];
        let end = tail
            .find("</iati-activity>")
            .context("unclosed iati-activity")?
            + "</iati-activity>".len();
        raw_blocks.push(&tail[..end]);
        rest = &tail[end..];
    }
    let ids: HashSet<&str> = raw_blocks
        .iter()
        .filter_map(|b| between(b, "<iati-identifier>", "</iati-identifier>"))
        .map(str::trim)
        .collect();
    let blocks = raw_blocks.iter().map(|b| cut(b, &ids)).collect();
    Ok(Source { blocks })
}

fn find_activity_start(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find("<iati-activity") {
        let at = from + i;
        match s.as_bytes().get(at + "<iati-activity".len()) {
            Some(b' ' | b'>' | b'\n' | b'\t' | b'\r') => return Some(at),
            _ => from = at + 1,
        }
    }
    None
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let a = s.find(open)? + open.len();
    let b = s[a..].find(close)? + a;
    Some(&s[a..b])
}

fn cut(block: &str, ids: &HashSet<&str>) -> Block {
    let org = between(block, "<reporting-org", ">")
        .and_then(|tag| between(tag, "ref=\"", "\""))
        .unwrap_or("");
    let mut slots = Vec::new();
    if let Some(id) = between(block, "<iati-identifier>", "</iati-identifier>") {
        let start = block.find("<iati-identifier>").unwrap_or(0) + "<iati-identifier>".len();
        let lead = id.len() - id.trim_start().len();
        slots.push((start + lead, start + lead + id.trim().len(), Slot::Activity));
    }
    let mut from = 0;
    while let Some(i) = block[from..].find("=\"") {
        let value_start = from + i + 2;
        let Some(len) = block[value_start..].find('"') else {
            break;
        };
        let value = &block[value_start..value_start + len];
        let name_start = block[..from + i]
            .rfind(|c: char| c.is_whitespace())
            .map_or(0, |p| p + 1);
        let name = &block[name_start..from + i];
        let slot = if name == "currency" || name == "default-currency" {
            Some(Slot::Currency)
        } else if name == "ref" && !org.is_empty() && value == org {
            Some(Slot::Publisher)
        } else if ids.contains(value) {
            Some(Slot::Activity)
        } else {
            None
        };
        if let Some(slot) = slot
            && !value.is_empty()
        {
            slots.push((value_start, value_start + len, slot));
        }
        from = value_start + len + 1;
    }
    slots.sort_by_key(|s| s.0);
    Block {
        text: block.to_owned(),
        slots,
    }
}

/// Write `block` with its slots filled.
fn emit(
    out: &mut impl Write,
    block: &Block,
    publisher: &str,
    batch: u64,
    currency: &str,
) -> std::io::Result<u64> {
    let mut written = 0u64;
    let mut at = 0;
    for &(start, end, slot) in &block.slots {
        out.write_all(&block.text.as_bytes()[at..start])?;
        written += (start - at) as u64;
        let original = &block.text[start..end];
        let filled = match slot {
            Slot::Activity => format!("{publisher}-B{batch:06}-{original}"),
            Slot::Publisher => publisher.to_owned(),
            Slot::Currency => currency.to_owned(),
        };
        out.write_all(filled.as_bytes())?;
        written += filled.len() as u64;
        at = end;
    }
    out.write_all(&block.text.as_bytes()[at..])?;
    written += (block.text.len() - at) as u64;
    out.write_all(b"\n")?;
    Ok(written + 1)
}

const HEADER: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<iati-activities version=\"2.03\" generated-datetime=\"2026-01-01T00:00:00Z\">\n";
const FOOTER: &str = "</iati-activities>\n";

/// Generate the corpus described by `opts` from `samples`.
pub fn generate(samples: &[Sample], opts: &Options) -> Result<Summary> {
    let sources: Vec<Source> = samples.iter().map(prepare).collect::<Result<_>>()?;
    let sources: Vec<Source> = sources
        .into_iter()
        .filter(|s| !s.blocks.is_empty())
        .collect();
    anyhow::ensure!(
        !sources.is_empty(),
        "the sample files contain no activities"
    );
    std::fs::create_dir_all(&opts.out)
        .with_context(|| format!("cannot create {}", opts.out.display()))?;

    let n_files = u64::from(
        opts.files
            .unwrap_or_else(|| match opts.activities {
                Some(n) => n.div_ceil(DEFAULT_FILE_ACTIVITIES).max(1) as u32,
                None => opts.size.div_ceil(DEFAULT_FILE_SIZE).max(1) as u32,
            })
            .max(1),
    );
    let mut rng = Rng::new(opts.seed);
    let mut summary = Summary::default();
    let mut batch = 0u64;
    for i in 0..n_files {
        let target = match opts.activities {
            Some(n) => Target::Activities(n / n_files + u64::from(i < n % n_files)),
            None => Target::Bytes(opts.size / n_files + u64::from(i < opts.size % n_files)),
        };
        let path = opts.out.join(format!("corpus-{i:04}.xml"));
        let written = write_file(
            &path,
            target,
            &sources,
            &mut rng,
            &mut batch,
            &mut summary.activities,
        )?;
        summary.bytes += written;
        summary.files.push((path, written));
    }
    Ok(summary)
}

/// When a file is complete.
#[derive(Debug, Clone, Copy)]
enum Target {
    Bytes(u64),
    Activities(u64),
}

fn write_file(
    path: &Path,
    target: Target,
    sources: &[Source],
    rng: &mut Rng,
    batch: &mut u64,
    activities: &mut u64,
) -> Result<u64> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    out.write_all(HEADER.as_bytes())?;
    let mut written = (HEADER.len() + FOOTER.len()) as u64;
    let mut count = 0u64;
    let done = |written: u64, count: u64| match target {
        Target::Bytes(b) => written >= b,
        Target::Activities(n) => count >= n,
    };
    'batches: while !done(written, count) {
        let source = &sources[rng.below(sources.len())];
        let (publisher, home) = PUBLISHERS[rng.below(PUBLISHERS.len())];
        // Mostly the publisher's own currency, sometimes another.
        let currency = if rng.below(10) < 7 {
            home
        } else {
            CURRENCIES[rng.below(CURRENCIES.len())]
        };
        *batch += 1;
        for block in &source.blocks {
            written += emit(&mut out, block, publisher, *batch, currency)?;
            *activities += 1;
            count += 1;
            if done(written, count) {
                break 'batches;
            }
        }
    }
    out.write_all(FOOTER.as_bytes())?;
    out.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_samples() -> Vec<Sample> {
        crate::samples()
            .unwrap()
            .into_iter()
            .filter(|s| s.name.contains("Tonga") || s.name.contains("albania"))
            .collect()
    }

    #[test]
    fn corpus_is_valid_unique_and_deterministic() {
        let dir = std::env::temp_dir().join(format!("vaka-corpus-test-{}", std::process::id()));
        let opts = Options {
            out: dir.clone(),
            size: 600_000,
            activities: None,
            files: Some(3),
            seed: 7,
        };
        let summary = generate(&tiny_samples(), &opts).unwrap();
        assert_eq!(summary.files.len(), 3);
        assert!(
            summary.bytes >= 600_000 && summary.bytes < 700_000,
            "{}",
            summary.bytes
        );

        let mut ids = HashSet::new();
        let mut publishers = HashSet::new();
        let mut currencies = HashSet::new();
        let mut read = 0;
        for (path, size) in &summary.files {
            assert_eq!(std::fs::metadata(path).unwrap().len(), *size);
            let mut r = vaka_iati::ActivityReader::open(path).unwrap();
            while let Some(p) = r.next_activity().unwrap() {
                let a = &p.activity;
                assert!(
                    ids.insert(a.identifier.clone()),
                    "duplicate {}",
                    a.identifier
                );
                assert!(
                    a.identifier.starts_with(a.reporting_org_ref()),
                    "{} / {}",
                    a.identifier,
                    a.reporting_org_ref()
                );
                publishers.insert(a.reporting_org_ref().to_owned());
                let cur = a.default_currency.clone().unwrap_or_default();
                for t in &a.transactions {
                    if let Some(v) = &t.value {
                        assert_eq!(
                            a.currency_of(v),
                            cur,
                            "consistent currency in {}",
                            a.identifier
                        );
                    }
                }
                currencies.insert(cur);
                // Hierarchies survive: related activities point at rewritten identifiers.
                for rel in &a.related_activities {
                    assert!(rel.ref_.starts_with(a.reporting_org_ref()), "{}", rel.ref_);
                }
                read += 1;
            }
        }
        assert_eq!(read, summary.activities);
        assert!(publishers.len() >= 3, "{publishers:?}");
        assert!(currencies.len() >= 2, "{currencies:?}");

        // Same seed, same bytes; another seed, other bytes.
        let again = generate(
            &tiny_samples(),
            &Options {
                out: dir.join("again"),
                ..opts.clone()
            },
        )
        .unwrap();
        let other = generate(
            &tiny_samples(),
            &Options {
                out: dir.join("other"),
                seed: 8,
                ..opts.clone()
            },
        )
        .unwrap();
        let first = std::fs::read(&summary.files[0].0).unwrap();
        assert_eq!(first, std::fs::read(&again.files[0].0).unwrap());
        assert_ne!(first, std::fs::read(&other.files[0].0).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn corpus_by_activity_count() {
        let dir = std::env::temp_dir().join(format!("vaka-corpus-count-{}", std::process::id()));
        let opts = Options {
            out: dir.clone(),
            size: 0,
            activities: Some(101),
            files: Some(2),
            seed: 3,
        };
        let summary = generate(&tiny_samples(), &opts).unwrap();
        assert_eq!(summary.activities, 101);
        let mut read = 0;
        for (path, _) in &summary.files {
            let mut r = vaka_iati::ActivityReader::open(path).unwrap();
            let mut here = 0;
            while r.next_activity().unwrap().is_some() {
                here += 1;
            }
            // 51 + 50: shares differ by at most one.
            assert!(here == 50 || here == 51, "{here}");
            read += here;
        }
        assert_eq!(read, 101);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn rng_is_deterministic() {
        let (mut a, mut b) = (Rng::new(1), Rng::new(1));
        assert!((0..100).all(|_| a.next_u64() == b.next_u64()));
        assert!((0..1000).all(|_| a.below(5) < 5));
    }
}
