//! `vaka`: the command-line entry point. Thin: it parses arguments, opens the
//! store and calls into the library crates.
//!
//! Exit codes: 0 success; 1 some input was rejected (the rest was processed);
//! 2 usage or fatal error.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod analysis;
mod coord;
mod demo;
mod import;
mod report;
mod serve;
mod web;

/// mimalloc rather than the system allocator: the import builds rows on the
/// parser thread and frees them on the writer's (see ARCHITECTURE.md, "Memory
/// allocation").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Vaka: coordinate development cooperation in the Pacific on real IATI data.
#[derive(Debug, Parser)]
#[command(name = "vaka", version, about, long_about = None)]
struct Cli {
    /// Database URL: sqlite://FILE (embedded, the default) or postgres://USER@HOST:PORT/DB.
    #[arg(
        long,
        global = true,
        env = "VAKA_DB",
        default_value = "sqlite://vaka.db"
    )]
    db: String,

    /// Log format on stderr (filter with RUST_LOG, e.g. RUST_LOG=vaka=debug).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load the bundled real Pacific data into the database and serve it on the web.
    Demo(demo::DemoArgs),
    /// Import data into the store.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Reconciliation figures: activities, transactions and sums by publisher.
    Stats(report::StatsArgs),
    /// List what the reader found wrong in the imported data, with file and line.
    Diagnostics(report::DiagnosticsArgs),
    /// Apply database migrations (they are also applied automatically on start).
    Migrate(report::MigrateArgs),
    /// Cooperation frameworks: load, list, show.
    #[command(subcommand)]
    Framework(analysis::FrameworkCommand),
    /// Re-run classification into priority areas, or set a person's classification of one activity.
    Classify(analysis::ClassifyArgs),
    /// Coordination reports.
    #[command(subcommand)]
    Report(analysis::ReportCommand),
    /// Ministerial announcements: extracted facts and candidate commitments.
    Announcement(coord::AnnouncementArgs),
    /// Joint projects: create, move through the lifecycle, link activities.
    Project(coord::ProjectArgs),
    /// Consultation meetings, their record and action items.
    Consultation(coord::ConsultationArgs),
    /// Serve the web application and API on an existing database.
    Serve(web::ServeArgs),
    /// Organisations that users belong to.
    #[command(subcommand)]
    Org(web::OrgCommand),
    /// Users of the web application.
    #[command(subcommand)]
    User(web::UserCommand),
    /// API tokens for scripts.
    #[command(subcommand)]
    Token(web::TokenCommand),
}

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Demo(args) => demo::run(&cli.db, args).await,
        Command::Import(cmd) => import::run(&cli.db, cmd).await,
        Command::Stats(args) => report::stats(&cli.db, args).await,
        Command::Diagnostics(args) => report::diagnostics(&cli.db, args).await,
        Command::Migrate(args) => report::migrate(&cli.db, args).await,
        Command::Framework(cmd) => analysis::framework(&cli.db, cmd).await,
        Command::Classify(args) => analysis::classify(&cli.db, args).await,
        Command::Report(cmd) => analysis::report(&cli.db, cmd).await,
        Command::Announcement(args) => coord::announcement(&cli.db, args).await,
        Command::Project(args) => coord::project(&cli.db, args).await,
        Command::Consultation(args) => coord::consultation(&cli.db, args).await,
        Command::Serve(args) => web::serve(&cli.db, args).await,
        Command::Org(cmd) => web::org(&cli.db, cmd).await,
        Command::User(cmd) => web::user(&cli.db, cmd).await,
        Command::Token(cmd) => web::token(&cli.db, cmd).await,
    }
}

/// `vaka stats | head` closes our stdout early: that is not an error worth a
/// panic message, so leave quietly as other command-line tools do.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Open the store named by `--db`, migrating it.
pub async fn open_store(db: &str) -> anyhow::Result<vaka_store::Store> {
    use anyhow::Context;
    vaka_store::Store::open(db)
        .await
        .with_context(|| format!("opening the database {}", vaka_store::redact_url(db)))
}
