//! `vaka framework …`, `vaka classify`, `vaka report matrix`.

use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use rust_decimal::Decimal;
use vaka_analysis::matrix::{Dim, MatrixMeasure, MatrixRequest, PartnerBy, to_xlsx};
use vaka_domain::framework::Framework;

#[derive(Debug, Subcommand)]
pub enum FrameworkCommand {
    /// Load (or replace) a framework from a TOML file; re-classifies the store.
    Load { file: PathBuf },
    /// List stored frameworks.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one framework: partners, objectives, areas and their rules, countries, mechanisms.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

pub async fn framework(db: &str, cmd: FrameworkCommand) -> anyhow::Result<u8> {
    let store = crate::open_store(db).await?;
    match cmd {
        FrameworkCommand::Load { file } => {
            let fw = Framework::load_file(&file)?;
            let changed = store.put_framework(&fw, &file.to_string_lossy()).await?;
            if changed {
                let s = store.classify_all().await?;
                println!(
                    "Loaded framework {} ({}); re-classified {} activities",
                    fw.id, fw.name, s.activities
                );
            } else {
                println!("Framework {} is unchanged.", fw.id);
            }
        }
        FrameworkCommand::List { json } => {
            let all = store.frameworks().await?;
            if json {
                let v: Vec<_> = all
                    .iter()
                    .map(|f| {
                        serde_json::json!({
                            "id": f.framework.id,
                            "name": f.framework.name,
                            "signed": f.framework.signed.to_string(),
                            "partners": f.framework.partners.iter().map(|p| &p.ref_).collect::<Vec<_>>(),
                            "areas": f.framework.areas.iter().map(|a| &a.id).collect::<Vec<_>>(),
                            "source": f.source,
                            "version": f.version,
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                for f in &all {
                    let fw = &f.framework;
                    println!(
                        "{:<16} {}  (signed {}, {} areas, {} focus countries)",
                        fw.id,
                        fw.name,
                        fw.signed,
                        fw.areas.len(),
                        fw.focus_countries.len()
                    );
                }
            }
        }
        FrameworkCommand::Show { id, json } => {
            let f = store.framework(&id).await?;
            let fw = &f.framework;
            if json {
                println!("{}", serde_json::to_string_pretty(fw)?);
            } else {
                println!("{} — {}", fw.id, fw.name);
                println!(
                    "Signed {}{}",
                    fw.signed,
                    fw.signed_place
                        .as_deref()
                        .map(|p| format!(", {p}"))
                        .unwrap_or_default()
                );
                println!("\nPartners:");
                for p in &fw.partners {
                    println!("  {:<14} {} ({})", p.ref_, p.name, p.country);
                }
                println!("\nObjectives:");
                for o in &fw.objectives {
                    println!("  - {o}");
                }
                println!("\nGuiding principles:");
                for o in &fw.principles {
                    println!("  - {o}");
                }
                println!("\nPriority areas:");
                for a in &fw.areas {
                    println!("  {:<26} {}", a.id, a.name.en);
                    let sectors: Vec<_> = a.rules.sectors.iter().map(|s| s.code.as_str()).collect();
                    if !sectors.is_empty() {
                        println!("      sectors: {}", sectors.join(" "));
                    }
                }
                println!("\nFocus countries: {}", fw.focus_countries.join(" "));
                println!("\nConsultation mechanisms:");
                for m in &fw.mechanisms {
                    println!("  {:<28} {} ({}, {})", m.id, m.name, m.level, m.cadence);
                }
                println!(
                    "\nSource: {} (version {}, loaded {})",
                    f.source, f.version, f.loaded_at
                );
            }
        }
    }
    store.close().await;
    Ok(0)
}

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// Set a person's classification for one activity instead of re-running rules:
    /// `--activity ID --framework FW --share renewable-energy=0.6 --reason "…"`.
    #[arg(long, requires_all = ["framework", "reason"])]
    activity: Option<String>,
    #[arg(long)]
    framework: Option<String>,
    /// AREA=SHARE (0..1), repeatable. No shares: the activity becomes unclassified.
    #[arg(long = "share", value_parser = parse_share)]
    shares: Vec<(String, Decimal)>,
    #[arg(long)]
    reason: Option<String>,
    /// The version of the override you are replacing (see `vaka classify --show`), for safe concurrent edits.
    #[arg(long)]
    expect_version: Option<i64>,
}

fn parse_share(s: &str) -> Result<(String, Decimal), String> {
    let (area, share) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: expected AREA=SHARE, e.g. water-security=0.5"))?;
    let share = Decimal::from_str(share.trim())
        .map_err(|_| format!("`{share}` is not a decimal share between 0 and 1"))?;
    Ok((area.trim().to_string(), share))
}

pub async fn classify(db: &str, args: ClassifyArgs) -> anyhow::Result<u8> {
    let store = crate::open_store(db).await?;
    if let Some(activity) = &args.activity {
        let framework = args.framework.as_deref().unwrap_or_default();
        let reason = args.reason.as_deref().unwrap_or_default();
        let actor = format!(
            "cli:{}",
            std::env::var("USER").unwrap_or_else(|_| "unknown".into())
        );
        let version = store
            .set_override(
                framework,
                activity,
                &args.shares,
                &actor,
                reason,
                args.expect_version,
            )
            .await?;
        println!("Override for {activity} in {framework} saved (version {version}).");
    } else {
        let s = store.classify_all().await?;
        println!(
            "Classified {} activities: {} area tags, {} facts.",
            s.activities, s.tags, s.facts
        );
    }
    store.close().await;
    Ok(0)
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The coverage matrix: who funds what, where, in which priority area.
    Matrix(MatrixArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
    Xlsx,
}

#[derive(Debug, Args)]
pub struct MatrixArgs {
    /// Framework id (default: nz-japan-2019 when loaded).
    #[arg(long)]
    framework: Option<String>,
    /// Reporting currency (ISO 4217).
    #[arg(long, default_value = "USD")]
    currency: String,
    #[arg(long)]
    from: Option<i32>,
    #[arg(long)]
    to: Option<i32>,
    #[arg(long, value_enum, default_value_t = MeasureArg::Disbursements)]
    measure: MeasureArg,
    /// Grouping, comma separated: country,area,partner,year.
    #[arg(long, default_value = "country,area", value_delimiter = ',', value_parser = parse_dim)]
    by: Vec<Dim>,
    /// Which organisation is the partner: the reporting organisation or the funder.
    #[arg(long, value_enum, default_value_t = PartnerArg::Reporting)]
    partner_by: PartnerArg,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write to a file instead of standard output (required for xlsx).
    #[arg(short = 'o', long)]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum MeasureArg {
    Disbursements,
    Commitments,
    Budgets,
    Activities,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum PartnerArg {
    Reporting,
    Funding,
}

fn parse_dim(s: &str) -> Result<Dim, String> {
    match s.trim() {
        "country" => Ok(Dim::Country),
        "area" => Ok(Dim::Area),
        "partner" => Ok(Dim::Partner),
        "year" => Ok(Dim::Year),
        other => Err(format!(
            "`{other}` is not a grouping: use country, area, partner or year"
        )),
    }
}

pub async fn report(db: &str, cmd: ReportCommand) -> anyhow::Result<u8> {
    let ReportCommand::Matrix(args) = cmd;
    if let (Some(f), Some(t)) = (args.from, args.to)
        && f > t
    {
        bail!("--from {f} is after --to {t}");
    }
    let store = crate::open_store(db).await?;
    let req = MatrixRequest {
        framework: args.framework.clone(),
        currency: args.currency.to_ascii_uppercase(),
        from_year: args.from,
        to_year: args.to,
        measure: match args.measure {
            MeasureArg::Disbursements => MatrixMeasure::Disbursements,
            MeasureArg::Commitments => MatrixMeasure::Commitments,
            MeasureArg::Budgets => MatrixMeasure::Budgets,
            MeasureArg::Activities => MatrixMeasure::Activities,
        },
        by: args.by.clone(),
        partner_by: match args.partner_by {
            PartnerArg::Reporting => PartnerBy::Reporting,
            PartnerArg::Funding => PartnerBy::Funding,
        },
    };
    let m = store.matrix(&req).await?;
    store.close().await;
    let bytes: Vec<u8> = match args.format {
        Format::Table => m.to_table().into_bytes(),
        Format::Csv => m.to_csv()?.into_bytes(),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&m.to_json())?;
            s.push('\n');
            s.into_bytes()
        }
        Format::Xlsx => {
            if args.output.is_none() {
                bail!("--format xlsx writes a binary file: give -o FILE.xlsx");
            }
            to_xlsx(&m)?
        }
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(0)
}
