//! `vaka import announcement`, `vaka announcement …`, `vaka project …`,
//! `vaka consultation …`: the framework at work from a shell.
//!
//! Every write acts as an [`Actor`]. `--as USERNAME` acts as that account
//! (it must exist and be enabled; organisation, role and country come from the
//! account), with the same permission rules as on the web. Without `--as`, the
//! command acts as the local operator `cli:$USER`, an administrator: whoever can
//! open the database can change it anyway, and the first organisations, users
//! and framework data have to be created by someone before any account exists.
//! A refused write (not allowed, stale version, invalid input) prints one line
//! and exits 1; an unknown `--as` user is a usage error (exit 2).

use std::path::PathBuf;
use std::str::FromStr;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use rust_decimal::Decimal;
use serde_json::json;
use vaka_coord::commitment::ReviewStatus;
use vaka_coord::consultation::{ActionStatus, AgendaItem, ConsultationInput};
use vaka_coord::project::{
    Action, Contribution, PartnerRole, Project, ProjectInput, ProjectPartner, parse_date,
};
use vaka_domain::access::{Actor, OrgKind, Role};
use vaka_store::StoreError;
use vaka_store::coord::{ActionFilter, CommitmentReview, ItemRecord, localised};

/// Who the command acts as.
#[derive(Debug, Clone, Args)]
pub struct ActorArgs {
    /// Act as this user account (see `vaka user list`); default: the local
    /// operator cli:$USER, an administrator.
    #[arg(long = "as", global = true, value_name = "USERNAME")]
    as_user: Option<String>,
}

impl ActorArgs {
    /// The actor of `--as`, resolved against the accounts of `store`; the
    /// local operator without it.
    pub async fn actor(&self, store: &vaka_store::Store) -> Result<Actor> {
        let Some(name) = &self.as_user else {
            return Ok(local_operator());
        };
        match store.user_actor(name).await {
            Ok(a) => Ok(a),
            // An error here ends the command with exit code 2 (usage error).
            Err(StoreError::NotFound(_)) => Err(anyhow::anyhow!(
                "--as {name}: no user `{name}` in this database (see `vaka user list`; create one with `vaka user add`)"
            )),
            Err(StoreError::Forbidden(m)) => Err(anyhow::anyhow!("--as {name}: {m}")),
            Err(e) => Err(anyhow::Error::new(e).context(format!("looking up the user `{name}`"))),
        }
    }
}

/// The operator at the keyboard: an administrator named `cli:$USER`.
fn local_operator() -> Actor {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    Actor {
        user_id: 0,
        username: format!("cli:{user}"),
        org: "cli".into(),
        org_kind: OrgKind::Other,
        country: None,
        role: Role::Admin,
    }
}

/// Print a refused write as one line and return exit code 1; other errors go up.
fn refused(e: StoreError) -> Result<u8> {
    match e {
        StoreError::Forbidden(_)
        | StoreError::Conflict { .. }
        | StoreError::Invalid(_)
        | StoreError::NotFound(_) => {
            eprintln!("error: {e}");
            Ok(1)
        }
        other => Err(other.into()),
    }
}

macro_rules! try_store {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return refused(e),
        }
    };
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

fn today() -> String {
    let now = time::OffsetDateTime::now_utc().date();
    format!(
        "{:04}-{:02}-{:02}",
        now.year(),
        u8::from(now.month()),
        now.day()
    )
}

fn day(s: Option<String>) -> Result<String> {
    let s = s.unwrap_or_else(today);
    parse_date(&s)?;
    Ok(s)
}

// ---------------------------------------------------------------------------
// Announcements

/// `vaka import announcement FILE...`: print the id of each stored announcement.
pub async fn import_announcements(db: &str, files: Vec<PathBuf>, who: ActorArgs) -> Result<u8> {
    let store = crate::open_store(db).await?;
    let actor = who.actor(&store).await?;
    let batch = format!("cli {}", time::OffsetDateTime::now_utc().unix_timestamp());
    let mut code = 0;
    for f in &files {
        let name = f.display().to_string();
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("rejected {name}: {e}");
                code = 1;
                continue;
            }
        };
        match store
            .import_announcement(Some(&actor), &name, &text, &batch)
            .await
        {
            Ok(o) => println!("{}\t{}\t{} (version {})", o.id, name, o.change, o.version),
            Err(e @ (StoreError::Invalid(_) | StoreError::Forbidden(_))) => {
                eprintln!("rejected {e}");
                code = 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
    store.close().await;
    Ok(code)
}

#[derive(Debug, Args)]
pub struct AnnouncementArgs {
    #[command(flatten)]
    who: ActorArgs,
    #[command(subcommand)]
    cmd: AnnouncementCommand,
}

#[derive(Debug, Subcommand)]
enum AnnouncementCommand {
    /// List stored announcements.
    List {
        /// Every announcement in the full JSON shape.
        #[arg(long)]
        json: bool,
    },
    /// What was extracted from one announcement, and its commitments.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Confirm a candidate commitment (optionally editing it).
    Confirm(ReviewArgs),
    /// Reject a candidate commitment.
    Reject(ReviewArgs),
    /// Edit a commitment's text or announced amount.
    Edit(ReviewArgs),
    /// Link a confirmed commitment to a joint project or an IATI activity.
    Link {
        commitment: i64,
        #[arg(long)]
        version: i64,
        #[arg(long)]
        project: Option<i64>,
        #[arg(long)]
        activity: Option<String>,
    },
    /// A commitment's derived status: announced vs committed vs disbursed.
    Status {
        commitment: i64,
        #[arg(long, default_value = "USD")]
        currency: String,
        /// Judge lapsing on this date (YYYY-MM-DD; default today).
        #[arg(long)]
        today: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
struct ReviewArgs {
    /// Commitment id (see `vaka announcement show ID`).
    commitment: i64,
    /// The version you saw (a stale one is refused).
    #[arg(long)]
    version: i64,
    #[arg(long)]
    text: Option<String>,
    /// Announced amount, with --currency.
    #[arg(long, requires = "currency")]
    amount: Option<String>,
    #[arg(long, requires = "amount")]
    currency: Option<String>,
}

impl ReviewArgs {
    fn review(&self, status: Option<ReviewStatus>) -> Result<CommitmentReview> {
        let amount = match (&self.amount, &self.currency) {
            (Some(a), Some(c)) => Some((
                Decimal::from_str(a).with_context(|| format!("`{a}` is not a decimal amount"))?,
                c.to_ascii_uppercase(),
            )),
            _ => None,
        };
        Ok(CommitmentReview {
            status,
            text: self.text.clone(),
            amount,
        })
    }
}

pub async fn announcement(db: &str, args: AnnouncementArgs) -> Result<u8> {
    let store = crate::open_store(db).await?;
    let actor = args.who.actor(&store).await?;
    match args.cmd {
        AnnouncementCommand::List { json } => {
            let list = store.announcements().await?;
            if json {
                let mut all = Vec::new();
                for a in &list {
                    all.push(store.announcement_json(a.id).await?);
                }
                print_json(&all)?;
            } else {
                for a in list {
                    println!(
                        "{}\t{}\t{}\tv{}\t{}",
                        a.id, a.date, a.title, a.version, a.url
                    );
                }
            }
        }
        AnnouncementCommand::Show { id, json } => {
            let v = try_store!(store.announcement_json(id).await);
            if json {
                print_json(&v)?;
            } else {
                let text = |x: &serde_json::Value| x.as_str().unwrap_or_default().to_string();
                println!(
                    "{} ({})\n{}",
                    text(&v["title"]),
                    text(&v["date"]),
                    text(&v["url"])
                );
                for key in ["countries", "areas", "frameworks"] {
                    println!("{key}: {}", v[key]);
                }
                for m in v["ministers"].as_array().into_iter().flatten() {
                    println!("minister: {} {}", text(&m["name"]), m["portfolios"]);
                }
                for a in v["amounts"].as_array().into_iter().flatten() {
                    println!("amount: {} {}", text(&a["value"]), text(&a["currency"]));
                }
                for c in v["details"]["commitment_records"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    println!(
                        "commitment {} [{} v{}]: {}",
                        c["id"],
                        text(&c["status"]),
                        c["version"],
                        text(&c["text"])
                    );
                }
            }
        }
        AnnouncementCommand::Confirm(r) => {
            let c = try_store!(
                store
                    .review_commitment(
                        Some(&actor),
                        r.commitment,
                        r.version,
                        &r.review(Some(ReviewStatus::Confirmed))?
                    )
                    .await
            );
            println!("commitment {} confirmed (version {})", c.id, c.version);
        }
        AnnouncementCommand::Reject(r) => {
            let c = try_store!(
                store
                    .review_commitment(
                        Some(&actor),
                        r.commitment,
                        r.version,
                        &r.review(Some(ReviewStatus::Rejected))?
                    )
                    .await
            );
            println!("commitment {} rejected (version {})", c.id, c.version);
        }
        AnnouncementCommand::Edit(r) => {
            let c = try_store!(
                store
                    .review_commitment(Some(&actor), r.commitment, r.version, &r.review(None)?)
                    .await
            );
            println!("commitment {} edited (version {})", c.id, c.version);
        }
        AnnouncementCommand::Link {
            commitment,
            version,
            project,
            activity,
        } => {
            let c = try_store!(
                store
                    .link_commitment(
                        Some(&actor),
                        commitment,
                        version,
                        project,
                        activity.as_deref()
                    )
                    .await
            );
            println!("commitment {} linked (version {})", c.id, c.version);
        }
        AnnouncementCommand::Status {
            commitment,
            currency,
            today,
            json,
        } => {
            let today = parse_date(&day(today)?)?;
            let r = try_store!(
                store
                    .commitment_report(commitment, &currency.to_ascii_uppercase(), today)
                    .await
            );
            if json {
                print_json(&r)?;
            } else {
                let opt = |d: Option<Decimal>| d.map_or("-".to_string(), |d| d.to_string());
                println!(
                    "commitment {} [{}]: {}\nannounced {}  committed {}  disbursed {}  ({})\nstatus: {}",
                    r.commitment.id,
                    r.commitment.status.as_str(),
                    r.commitment.text,
                    opt(r.announced),
                    r.committed,
                    r.disbursed,
                    r.currency,
                    r.progress.map_or("-", |p| p.as_str())
                );
                for u in &r.unconverted {
                    println!(
                        "  unconverted: {} {} {} ({})",
                        u.measure, u.amount, u.currency, u.year
                    );
                }
            }
        }
    }
    store.close().await;
    Ok(0)
}

// ---------------------------------------------------------------------------
// Joint projects

#[derive(Debug, Args)]
pub struct ProjectArgs {
    #[command(flatten)]
    who: ActorArgs,
    #[command(subcommand)]
    cmd: ProjectCommand,
}

#[derive(Debug, Subcommand)]
enum ProjectCommand {
    /// Create a joint project (status concept); prints its id.
    Create(ProjectFields),
    /// One project: partners, links, transitions, planned vs reported.
    Show {
        id: i64,
        #[arg(long, default_value = "USD")]
        currency: String,
        #[arg(long)]
        json: bool,
    },
    /// Every project.
    List {
        #[arg(long)]
        framework: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Move a project: appraise, submit, endorse, decline, approve, start, complete, cancel.
    Transition {
        id: i64,
        action: String,
        #[arg(long)]
        version: i64,
        /// The partner approving (for `approve`; default your organisation).
        #[arg(long)]
        partner: Option<String>,
        /// Comment (the reason, for `decline`).
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Link a partner's IATI activity (by identifier) to a project.
    Link {
        id: i64,
        #[arg(long)]
        version: i64,
        #[arg(long)]
        partner: String,
        #[arg(long)]
        activity: String,
    },
    /// The audit history of a project.
    History { id: i64 },
}

#[derive(Debug, Args)]
struct ProjectFields {
    #[arg(long, default_value = "nz-japan-2019")]
    framework: String,
    /// Title; `ja=…`/`fr=…` for other languages (repeat).
    #[arg(long, required = true)]
    title: Vec<String>,
    #[arg(long)]
    description: Vec<String>,
    /// Recipient country (ISO alpha-2; repeat).
    #[arg(long)]
    country: Vec<String>,
    #[arg(long)]
    region: Option<String>,
    /// Priority area id (repeat).
    #[arg(long)]
    area: Vec<String>,
    /// National-plan pillar (repeat).
    #[arg(long)]
    pillar: Vec<String>,
    /// ORG:ROLE[:AMOUNT:CURRENCY | :in-kind:DESCRIPTION] (repeat); role is lead,
    /// co-financier or implementer.
    #[arg(long, required = true)]
    partner: Vec<String>,
    /// ORG:IATI-IDENTIFIER (repeat).
    #[arg(long)]
    activity: Vec<String>,
    #[arg(long)]
    planned_start: Option<String>,
    #[arg(long)]
    planned_end: Option<String>,
    #[arg(long)]
    json: bool,
}

fn parse_partner(s: &str) -> Result<ProjectPartner> {
    let parts: Vec<&str> = s.splitn(4, ':').collect();
    let (org, role) = match parts.as_slice() {
        [org, role, ..] => (*org, PartnerRole::parse(role)?),
        _ => anyhow::bail!("--partner `{s}`: expected ORG:ROLE[:AMOUNT:CURRENCY]"),
    };
    let contribution = match parts.get(2..) {
        Some(["in-kind", what]) => Some(Contribution::InKind {
            description: (*what).to_string(),
        }),
        Some([amount, cur]) => Some(Contribution::Money {
            amount: Decimal::from_str(amount)
                .with_context(|| format!("--partner `{s}`: `{amount}` is not an amount"))?,
            currency: cur.to_ascii_uppercase(),
        }),
        Some([]) | None => None,
        _ => anyhow::bail!("--partner `{s}`: expected ORG:ROLE[:AMOUNT:CURRENCY]"),
    };
    Ok(ProjectPartner {
        org: org.to_string(),
        role,
        contribution,
        activities: vec![],
        approval: None,
    })
}

impl ProjectFields {
    fn input(&self) -> Result<ProjectInput> {
        let mut partners = self
            .partner
            .iter()
            .map(|p| parse_partner(p))
            .collect::<Result<Vec<_>>>()?;
        for a in &self.activity {
            let (org, ident) = a
                .split_once(':')
                .with_context(|| format!("--activity `{a}`: expected ORG:IATI-IDENTIFIER"))?;
            let p = partners
                .iter_mut()
                .find(|p| p.org.eq_ignore_ascii_case(org))
                .with_context(|| format!("--activity `{a}`: `{org}` is not a --partner"))?;
            p.activities.push(ident.to_string());
        }
        Ok(ProjectInput {
            framework: self.framework.clone(),
            title: localised(&self.title),
            description: localised(&self.description),
            countries: self
                .country
                .iter()
                .map(|c| c.to_ascii_uppercase())
                .collect(),
            region: self.region.clone(),
            areas: self.area.clone(),
            pillars: self.pillar.clone(),
            partners,
            planned_start: self.planned_start.clone(),
            planned_end: self.planned_end.clone(),
            ..Default::default()
        })
    }
}

fn project_line(p: &Project) -> String {
    format!(
        "{}\t{}\tv{}\t{}\t{}",
        p.id,
        p.status,
        p.version,
        p.input.countries.join(","),
        p.title("en")
    )
}

pub async fn project(db: &str, args: ProjectArgs) -> Result<u8> {
    let store = crate::open_store(db).await?;
    let actor = args.who.actor(&store).await?;
    match args.cmd {
        ProjectCommand::Create(f) => {
            let input = f.input()?;
            let p = try_store!(store.create_project(Some(&actor), &input).await);
            if f.json {
                print_json(&p)?;
            } else {
                println!("{}", p.id);
            }
        }
        ProjectCommand::Show { id, currency, json } => {
            let p = try_store!(store.project(id).await);
            let transitions = store.project_transitions(id).await?;
            let figures = store
                .project_figures(id, &currency.to_ascii_uppercase())
                .await?;
            if json {
                print_json(&json!({"project": p, "transitions": transitions, "figures": figures}))?;
            } else {
                println!("{}", project_line(&p));
                if let Some(r) = &p.decline_reason {
                    println!("declined: {r}");
                }
                for f in &figures {
                    let approved = p
                        .partner(&f.org)
                        .and_then(|q| q.approval.as_ref())
                        .map_or(String::new(), |a| format!(" approved by {}", a.by));
                    println!(
                        "partner {} ({}){approved}: planned {} | committed {} disbursed {} {currency} | activities {}",
                        f.org,
                        f.role.as_str(),
                        f.planned_converted
                            .map_or("-".into(), |d| format!("{d} {currency}")),
                        f.reported.committed,
                        f.reported.disbursed,
                        f.activities.join(", ")
                    );
                }
                for t in transitions {
                    println!(
                        "{}\t{} → {}\t{}{}\t{}",
                        t.at,
                        t.from,
                        t.to,
                        t.by,
                        t.partner.map_or(String::new(), |p| format!(" for {p}")),
                        t.comment
                    );
                }
            }
        }
        ProjectCommand::List { framework, json } => {
            let list = store.projects(framework.as_deref()).await?;
            if json {
                print_json(&list)?;
            } else {
                for p in &list {
                    println!("{}", project_line(p));
                }
            }
        }
        ProjectCommand::Transition {
            id,
            action,
            version,
            partner,
            comment,
        } => {
            let action = Action::parse(&action)?;
            let p = try_store!(
                store
                    .transition_project(
                        Some(&actor),
                        id,
                        version,
                        action,
                        partner.as_deref(),
                        &comment
                    )
                    .await
            );
            println!("project {} is {} (version {})", p.id, p.status, p.version);
        }
        ProjectCommand::Link {
            id,
            version,
            partner,
            activity,
        } => {
            let p = try_store!(
                store
                    .link_project_activity(Some(&actor), id, version, &partner, &activity)
                    .await
            );
            println!("project {} linked (version {})", p.id, p.version);
        }
        ProjectCommand::History { id } => {
            for h in store.audit_history("project", &id.to_string()).await? {
                println!("{}\t{}\t{}", h.at, h.actor, h.action);
            }
        }
    }
    store.close().await;
    Ok(0)
}

// ---------------------------------------------------------------------------
// Consultations

#[derive(Debug, Args)]
pub struct ConsultationArgs {
    #[command(flatten)]
    who: ActorArgs,
    #[command(subcommand)]
    cmd: ConsultationCommand,
}

#[derive(Debug, Subcommand)]
enum ConsultationCommand {
    /// Create a meeting under a framework mechanism; prints its id.
    Create {
        #[arg(long, default_value = "nz-japan-2019")]
        framework: String,
        /// Mechanism id from the framework (`senior-officials-consultation`).
        #[arg(long)]
        mechanism: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        date: String,
        #[arg(long)]
        place: Option<String>,
        #[arg(long)]
        online: bool,
        /// Participating organisation (repeat).
        #[arg(long)]
        participant: Vec<String>,
        /// Agenda item title (repeat).
        #[arg(long)]
        item: Vec<String>,
    },
    /// One meeting's record: text, JSON, printable HTML or XLSX.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
        /// Write the printable HTML record to FILE (`-` for stdout).
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// Write the record as an XLSX workbook to FILE.
        #[arg(long, value_name = "FILE")]
        xlsx: Option<PathBuf>,
        /// Judge overdue actions on this date (default today).
        #[arg(long)]
        today: Option<String>,
    },
    /// Every meeting.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Write the record of an agenda item: decisions and minutes.
    Record {
        id: i64,
        #[arg(long)]
        version: i64,
        /// Agenda item number (1-based).
        #[arg(long)]
        item: usize,
        #[arg(long)]
        decision: Vec<String>,
        #[arg(long)]
        minutes: Option<String>,
    },
    /// Action items.
    #[command(subcommand)]
    Action(ActionCommand),
    /// What awaits the acting user's government or organisation.
    Awaiting {
        #[arg(long)]
        today: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum ActionCommand {
    /// Agree an action item at a meeting; prints its id.
    Add {
        consultation: i64,
        #[arg(long)]
        owner: String,
        #[arg(long)]
        due: String,
        #[arg(long)]
        text: String,
        /// Agenda item number (1-based).
        #[arg(long)]
        item: Option<usize>,
    },
    /// Set an action's status: open, done or dropped.
    Set {
        action: i64,
        #[arg(long)]
        version: i64,
        #[arg(long)]
        status: String,
    },
    /// List action items.
    List {
        #[arg(long)]
        consultation: Option<i64>,
        #[arg(long)]
        owner: Option<String>,
        /// Only open items past their due date.
        #[arg(long)]
        overdue: bool,
        #[arg(long)]
        today: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

fn item_index(n: usize) -> Result<usize> {
    n.checked_sub(1).context("agenda items are numbered from 1")
}

pub async fn consultation(db: &str, args: ConsultationArgs) -> Result<u8> {
    let store = crate::open_store(db).await?;
    let actor = args.who.actor(&store).await?;
    match args.cmd {
        ConsultationCommand::Create {
            framework,
            mechanism,
            title,
            date,
            place,
            online,
            participant,
            item,
        } => {
            let input = ConsultationInput {
                framework,
                mechanism,
                title,
                date,
                place,
                online,
                participants: participant,
                agenda: item
                    .into_iter()
                    .map(|title| AgendaItem {
                        title,
                        ..Default::default()
                    })
                    .collect(),
            };
            let c = try_store!(store.create_consultation(Some(&actor), &input).await);
            println!("{}", c.id);
        }
        ConsultationCommand::Show {
            id,
            json,
            html,
            xlsx,
            today,
        } => {
            let rec = try_store!(store.meeting_record(id, &day(today)?).await);
            if let Some(path) = &html {
                let page = vaka_coord::consultation::to_html(&rec);
                if path.as_os_str() == "-" {
                    print!("{page}");
                } else {
                    std::fs::write(path, page)
                        .with_context(|| format!("writing {}", path.display()))?;
                }
            }
            if let Some(path) = xlsx {
                let bytes = vaka_coord::consultation::to_xlsx(&rec)?;
                std::fs::write(&path, bytes)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            if json {
                print_json(&rec)?;
            } else if html.is_none() {
                let c = &rec.consultation;
                println!(
                    "{} v{}: {} ({}, {})",
                    c.id, c.version, c.input.title, c.mechanism_name, c.input.date
                );
                for (i, item) in c.input.agenda.iter().enumerate() {
                    println!("  {}. {}", i + 1, item.title);
                    for d in &item.decisions {
                        println!("     decision: {d}");
                    }
                }
                for a in &rec.actions {
                    println!(
                        "  action {} v{} [{}{}] {} — {} by {}",
                        a.id,
                        a.version,
                        a.status.as_str(),
                        if rec.overdue(a) { ", overdue" } else { "" },
                        a.text,
                        a.owner_org,
                        a.due
                    );
                }
            }
        }
        ConsultationCommand::List { json } => {
            let list = store.consultations(None).await?;
            if json {
                print_json(&list)?;
            } else {
                for c in list {
                    println!(
                        "{}\t{}\t{}\t{}",
                        c.id, c.input.date, c.input.mechanism, c.input.title
                    );
                }
            }
        }
        ConsultationCommand::Record {
            id,
            version,
            item,
            decision,
            minutes,
        } => {
            let c = try_store!(
                store
                    .record_agenda_item(
                        Some(&actor),
                        id,
                        version,
                        ItemRecord {
                            item: Some(item_index(item)?),
                            new_item: None,
                            decisions: decision,
                            minutes,
                        }
                    )
                    .await
            );
            println!("consultation {} recorded (version {})", c.id, c.version);
        }
        ConsultationCommand::Action(ActionCommand::Add {
            consultation,
            owner,
            due,
            text,
            item,
        }) => {
            let item = item.map(item_index).transpose()?;
            let a = try_store!(
                store
                    .add_action(Some(&actor), consultation, item, &text, &owner, &due)
                    .await
            );
            println!("{}", a.id);
        }
        ConsultationCommand::Action(ActionCommand::Set {
            action,
            version,
            status,
        }) => {
            let status = ActionStatus::parse(&status)?;
            let a = try_store!(
                store
                    .set_action_status(Some(&actor), action, version, status)
                    .await
            );
            println!(
                "action {} is {} (version {})",
                a.id,
                a.status.as_str(),
                a.version
            );
        }
        ConsultationCommand::Action(ActionCommand::List {
            consultation,
            owner,
            overdue,
            today,
            json,
        }) => {
            let today = day(today)?;
            let list = store
                .actions(&ActionFilter {
                    consultation,
                    owner,
                    overdue_on: overdue.then(|| today.clone()),
                })
                .await?;
            if json {
                let rows: Vec<_> = list
                    .iter()
                    .map(|a| json!({"action": a, "overdue": vaka_coord::consultation::is_overdue(a.status, &a.due, &today)}))
                    .collect();
                print_json(&rows)?;
            } else {
                for a in list {
                    let od = vaka_coord::consultation::is_overdue(a.status, &a.due, &today);
                    println!(
                        "{}\t{}\t{}{}\t{}\t{}",
                        a.id,
                        a.due,
                        a.status.as_str(),
                        if od { " (overdue)" } else { "" },
                        a.owner_org,
                        a.text
                    );
                }
            }
        }
        ConsultationCommand::Awaiting { today, json } => {
            let w = store.awaiting(&actor, &day(today)?).await?;
            if json {
                print_json(&w)?;
            } else {
                println!(
                    "Awaiting {}{}:",
                    w.org,
                    w.country
                        .as_deref()
                        .map_or(String::new(), |c| format!(" ({c})"))
                );
                for p in &w.projects {
                    println!("  endorse project {}", project_line(p));
                }
                for a in &w.actions {
                    println!(
                        "  action {} due {}{}: {}",
                        a.item.id,
                        a.item.due,
                        if a.overdue { " (overdue)" } else { "" },
                        a.item.text
                    );
                }
            }
        }
    }
    store.close().await;
    Ok(0)
}
