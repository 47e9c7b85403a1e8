//! `vaka stats`, `vaka diagnostics`, `vaka migrate`.

use clap::Args;
use vaka_iati::{DiagnosticKind, Severity};
use vaka_store::diagnostics::DiagnosticFilter;

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print JSON (the reconciliation shape).
    #[arg(long)]
    json: bool,
}

pub async fn stats(db: &str, args: StatsArgs) -> anyhow::Result<u8> {
    let store = crate::open_store(db).await?;
    let stats = store.stats().await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&stats)?);
    } else {
        println!(
            "{} datasets, {} activities, {} transactions, {} budgets",
            stats.datasets, stats.activities, stats.transactions, stats.budgets
        );
        for org in &stats.by_reporting_org {
            let name = if org.ref_.is_empty() {
                "(no reporting-org)"
            } else {
                &org.ref_
            };
            println!("\n{name}: {} activities", org.activities);
            for t in &org.transactions {
                let cur = if t.currency.is_empty() {
                    "???"
                } else {
                    &t.currency
                };
                let ty = if t.type_.is_empty() { "?" } else { &t.type_ };
                println!(
                    "  type {ty:>2}  {cur}  {:>7} transactions  {:>22}",
                    t.count, t.sum
                );
            }
        }
    }
    store.close().await;
    Ok(0)
}

#[derive(Debug, Args)]
pub struct DiagnosticsArgs {
    /// Only this severity and worse: critical, error or warning.
    #[arg(long, value_parser = parse_severity)]
    severity: Option<Severity>,
    /// Only this kind (e.g. invalid-code, invalid-decimal).
    #[arg(long, value_parser = parse_kind)]
    kind: Option<DiagnosticKind>,
    /// Only this dataset (its path as imported).
    #[arg(long)]
    file: Option<String>,
    /// Only this activity (iati-identifier).
    #[arg(long)]
    activity: Option<String>,
    /// At most this many.
    #[arg(long)]
    limit: Option<u64>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s)
        .ok_or_else(|| format!("`{s}` is not a severity: use critical, error or warning"))
}

fn parse_kind(s: &str) -> Result<DiagnosticKind, String> {
    DiagnosticKind::parse(s).ok_or_else(|| {
        let all: Vec<_> = DiagnosticKind::ALL.iter().map(|k| k.as_str()).collect();
        format!(
            "`{s}` is not a diagnostic kind: use one of {}",
            all.join(", ")
        )
    })
}

pub async fn diagnostics(db: &str, args: DiagnosticsArgs) -> anyhow::Result<u8> {
    let store = crate::open_store(db).await?;
    let rows = store
        .diagnostics(&DiagnosticFilter {
            min_severity: args.severity,
            kind: args.kind,
            file: args.file,
            activity: args.activity,
            limit: args.limit,
        })
        .await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        for d in &rows {
            let act = d
                .activity
                .as_deref()
                .map(|a| format!(" {a}"))
                .unwrap_or_default();
            println!(
                "{}:{}: {} [{}]{} {}: {}",
                d.file, d.line, d.severity, d.kind, act, d.path, d.message
            );
        }
        if rows.is_empty() {
            println!("No diagnostics.");
        }
    }
    store.close().await;
    Ok(0)
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Only show which migrations are applied.
    #[arg(long)]
    status: bool,
}

pub async fn migrate(db: &str, args: MigrateArgs) -> anyhow::Result<u8> {
    let store = vaka_store::Store::connect(db).await?;
    if !args.status {
        let applied = store.migrate().await?;
        if applied.is_empty() {
            println!("Schema is up to date.");
        } else {
            println!("Applied migrations: {applied:?}");
        }
    }
    for m in store.applied_migrations().await? {
        println!("{:>4}  {:<24} {}", m.version, m.name, m.applied_at);
    }
    store.close().await;
    Ok(0)
}
