//! `vaka serve`, `vaka org add|list`, `vaka user add|list`, `vaka token create`.

use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use vaka_domain::access::{OrgKind, Role};
use vaka_store::accounts::NewUser;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "VAKA_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Largest accepted upload, in megabytes.
    #[arg(long, default_value_t = 200)]
    pub max_upload_mb: u64,
    /// Mark cookies Secure (set this when Vaka is served behind TLS).
    #[arg(long, env = "VAKA_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Folder for uploaded files (default: a `vaka-uploads` folder in the system's temporary folder).
    #[arg(long, env = "VAKA_UPLOAD_DIR")]
    pub upload_dir: Option<PathBuf>,
}

impl ServeArgs {
    pub fn config(&self) -> vaka_server::ServerConfig {
        let mut c = vaka_server::ServerConfig {
            addr: self.addr,
            max_upload_bytes: self.max_upload_mb.saturating_mul(1024 * 1024),
            secure_cookies: self.secure_cookies,
            ..Default::default()
        };
        if let Some(d) = &self.upload_dir {
            c.upload_dir = d.clone();
        }
        c
    }
}

/// `vaka serve`: serve an existing database until Ctrl-C.
pub async fn serve(db: &str, args: ServeArgs) -> anyhow::Result<u8> {
    let store = crate::open_store(db).await?;
    eprintln!(
        "Vaka is serving {} on http://{}/ (Ctrl-C to stop)",
        store.display_url(),
        args.addr
    );
    vaka_server::serve(store.clone(), args.config()).await?;
    store.close().await;
    Ok(0)
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organisation (a partner such as NZ-1, or a government such as GOV-TO).
    Add {
        /// Identifier: the IATI organisation identifier of a partner (NZ-1), GOV-XX for a government.
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["partner", "government", "other"])]
        kind: String,
        /// ISO 3166-1 alpha-2 code (required for governments).
        #[arg(long)]
        country: Option<String>,
    },
    /// List organisations.
    List,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. The password is read from standard input with
    /// --password-stdin, else asked for on the terminal.
    Add {
        username: String,
        #[arg(long)]
        org: String,
        /// admin, editor, focal-point or viewer.
        #[arg(long, value_parser = ["admin", "editor", "focal-point", "focal_point", "viewer"])]
        role: String,
        #[arg(long, default_value = "")]
        display_name: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users (never their passwords).
    List,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user; it is printed once and never stored.
    Create {
        /// The user the token acts as.
        #[arg(long)]
        user: String,
        /// What the token is for (e.g. "nightly import").
        #[arg(long)]
        name: String,
    },
    /// List API tokens (names and last use; never the tokens).
    List,
}

/// Who ran the command, for the audit log.
fn cli_actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}

pub async fn org(db: &str, cmd: OrgCommand) -> anyhow::Result<u8> {
    let store = crate::open_store(db).await?;
    match cmd {
        OrgCommand::Add {
            id,
            name,
            kind,
            country,
        } => {
            let kind = OrgKind::parse(&kind).context("unknown organisation kind")?;
            let org = store
                .create_organisation(&id, &name, kind, country.as_deref(), &cli_actor())
                .await?;
            println!(
                "created organisation {} ({}, {})",
                org.id,
                org.name,
                org.kind.as_str()
            );
        }
        OrgCommand::List => {
            for o in store.organisations().await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    o.id,
                    o.kind.as_str(),
                    o.country.as_deref().unwrap_or("-"),
                    o.name
                );
            }
        }
    }
    store.close().await;
    Ok(0)
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if !from_stdin && stdin.is_terminal() {
        // Without a terminal library the echo cannot be turned off; say so.
        eprint!("Password for the new user (input is visible; prefer --password-stdin): ");
        std::io::stderr().flush()?;
    } else if !from_stdin {
        bail!(
            "no terminal to ask for the password: pass it on standard input with --password-stdin"
        );
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let pw = line.trim_end_matches(['\r', '\n']).to_string();
    if pw.is_empty() {
        bail!("empty password");
    }
    Ok(pw)
}

pub async fn user(db: &str, cmd: UserCommand) -> anyhow::Result<u8> {
    match cmd {
        UserCommand::Add {
            username,
            org,
            role,
            display_name,
            password_stdin,
        } => {
            let role = Role::parse(&role).context("unknown role")?;
            let password = read_password(password_stdin)?;
            let store = crate::open_store(db).await?;
            let u = store
                .create_user(
                    &NewUser {
                        username: &username,
                        display_name: &display_name,
                        password: &password,
                        org: &org,
                        role,
                    },
                    &cli_actor(),
                )
                .await?;
            println!("created user {} ({}, {})", u.username, u.org, u.role);
            store.close().await;
        }
        UserCommand::List => {
            let store = crate::open_store(db).await?;
            for u in store.users().await? {
                println!(
                    "{}\t{}\t{}\t{}{}",
                    u.username,
                    u.org,
                    u.role,
                    u.display_name,
                    if u.disabled { "\t(disabled)" } else { "" }
                );
            }
            store.close().await;
        }
    }
    Ok(0)
}

pub async fn token(db: &str, cmd: TokenCommand) -> anyhow::Result<u8> {
    let store = crate::open_store(db).await?;
    match cmd {
        TokenCommand::Create { user, name } => {
            let token = store.create_api_token(&user, &name, &cli_actor()).await?;
            eprintln!(
                "API token for {user} (shown once; send it as `Authorization: Bearer TOKEN`):"
            );
            println!("{token}");
        }
        TokenCommand::List => {
            for t in store.api_tokens().await? {
                println!(
                    "{}\t{}\t{}\tcreated {}\tlast used {}",
                    t.id,
                    t.username,
                    t.name,
                    t.created_at,
                    t.last_used_at.as_deref().unwrap_or("never")
                );
            }
        }
    }
    store.close().await;
    Ok(0)
}
