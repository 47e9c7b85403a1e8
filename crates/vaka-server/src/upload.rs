//! Receiving a file upload and importing it, shared by the import page
//! (`POST /import`), the API (`POST /api/v1/imports`) and the announcement
//! upload page (`POST /announcements/upload`, which reads the received release
//! instead of importing a path: [`Received::read_text`]).
//!
//! The upload is streamed to a part file in `UPLOAD_DIR/ORG/`, counting bytes,
//! and refused (413) as soon as it passes the configured limit: it is never held
//! whole in memory. The finished file is moved to `UPLOAD_DIR/ORG/FILE-NAME`, so
//! uploading a new version of the same file replaces its activities (datasets are
//! identified by path). A file the reader rejects changes nothing: the previous
//! version of the file is put back.

use std::path::{Path, PathBuf};

use axum::extract::Multipart;
use tokio::io::AsyncWriteExt;
use vaka_domain::access::{Actor, Role};
use vaka_store::import::{ImportOptions, ImportSummary, NoProgress};

use crate::AppState;
use crate::error::{Error, ErrorKind};

/// Serialises imports of uploads: two uploads of the same name must not swap
/// files under each other.
static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Editors and admins may import; everyone else is refused with the reason.
pub fn may_import(actor: &Actor) -> Result<(), Error> {
    if actor.is_admin() || actor.role == Role::Editor {
        Ok(())
    } else {
        Err(Error::forbidden(format!(
            "`{}` is a {} and cannot import data: editors and admins can",
            actor.username, actor.role
        )))
    }
}

/// What an upload must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An IATI file (`.xml`, `.xml.gz`), up to the configured limit.
    Iati,
    /// A ministerial release (`.md`, `.txt`), up to [`ANNOUNCEMENT_MAX_BYTES`]
    /// (or the configured limit when smaller): it is read whole.
    Announcement,
}

/// Largest announcement file accepted: releases are a few kilobytes.
pub const ANNOUNCEMENT_MAX_BYTES: u64 = 1024 * 1024;

impl Kind {
    fn extensions(self) -> &'static [&'static str] {
        match self {
            Kind::Iati => &[".xml", ".xml.gz"],
            Kind::Announcement => &[".md", ".markdown", ".txt"],
        }
    }

    fn limit(self, configured: u64) -> u64 {
        match self {
            Kind::Iati => configured,
            Kind::Announcement => configured.min(ANNOUNCEMENT_MAX_BYTES),
        }
    }

    fn wrong_type(self, original: &str) -> String {
        match self {
            Kind::Iati => format!("`{original}`: upload an IATI file ending in .xml or .xml.gz"),
            Kind::Announcement => format!(
                "`{original}`: upload a release (Markdown with YAML front matter) ending in .md or .txt"
            ),
        }
    }
}

/// A file name safe to keep: the last path component, with only plain
/// characters, if it ends in one of `extensions`.
fn clean_name(name: &str, extensions: &[&str]) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next()?.trim();
    let clean: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let lower = clean.to_ascii_lowercase();
    (!clean.starts_with('.') && extensions.iter().any(|e| lower.ends_with(e))).then_some(clean)
}

/// A size for people: `200 MB`, `1 MB`, `900 bytes`.
fn size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        format!("{} MB", bytes / MB)
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// A part file, removed unless it was moved into place.
struct PartFile(PathBuf);

impl Drop for PartFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A received upload, waiting in its organisation's folder.
pub struct Received {
    /// The cleaned file name it will be stored under.
    pub name: String,
    dir: PathBuf,
    part: PartFile,
}

impl Received {
    /// The received file as UTF-8 text (for small uploads such as releases;
    /// the size limit of [`Kind::Announcement`] bounds it).
    pub async fn read_text(&self) -> Result<String, Error> {
        let bytes = tokio::fs::read(&self.part.0)
            .await
            .map_err(Error::internal)?;
        String::from_utf8(bytes).map_err(|e| {
            Error::bad_request(format!(
                "`{}` is not UTF-8 text (invalid byte at offset {})",
                self.name,
                e.utf8_error().valid_up_to()
            ))
        })
    }
}

/// Stream the multipart field `file` to a part file in the actor's
/// organisation folder, enforcing `kind`'s size limit while streaming.
pub async fn receive(
    state: &AppState,
    actor: &Actor,
    multipart: &mut Multipart,
    kind: Kind,
) -> Result<Received, Error> {
    let limit = kind.limit(state.config.max_upload_bytes);
    let org_dir = clean_name(&format!("{}.xml", actor.org), &[".xml"])
        .map(|n| n.trim_end_matches(".xml").to_string())
        .unwrap_or_else(|| "org".into());
    let dir = state.config.upload_dir.join(org_dir);
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(Error::internal)?;
    let interrupted = |e: axum::extract::multipart::MultipartError| {
        Error::bad_request(format!("upload interrupted: {e}"))
    };
    while let Some(mut field) = multipart.next_field().await.map_err(interrupted)? {
        if field.name() != Some("file") {
            continue;
        }
        let original = field.file_name().unwrap_or("").to_string();
        let Some(name) = clean_name(&original, kind.extensions()) else {
            return Err(Error::new(
                ErrorKind::UnsupportedMediaType,
                kind.wrong_type(&original),
            ));
        };
        let part = PartFile(dir.join(format!(".part-{}", vaka_store::accounts::random_token()?)));
        let mut out = tokio::fs::File::create(&part.0)
            .await
            .map_err(Error::internal)?;
        let mut written = 0u64;
        while let Some(chunk) = field.chunk().await.map_err(interrupted)? {
            written += chunk.len() as u64;
            if written > limit {
                return Err(Error::new(
                    ErrorKind::PayloadTooLarge,
                    format!(
                        "`{name}` is larger than the upload limit of {}",
                        size(limit)
                    ),
                ));
            }
            out.write_all(&chunk).await.map_err(Error::internal)?;
        }
        out.flush().await.map_err(Error::internal)?;
        if written == 0 {
            return Err(Error::bad_request(format!("`{name}` is empty")));
        }
        return Ok(Received { name, dir, part });
    }
    Err(Error::bad_request(
        "choose a file to upload (multipart field `file`)",
    ))
}

/// Put the received file in place and import it; if the reader rejects it, put
/// the previous file back so disk and database agree. `origin` is `web` or `api`.
pub async fn import(
    state: &AppState,
    received: Received,
    user: &str,
    origin: &str,
) -> Result<ImportSummary, Error> {
    let _guard = LOCK.lock().await;
    let target = received.dir.join(&received.name);
    let backup = target.with_extension("previous");
    let had_previous = tokio::fs::try_exists(&target).await.unwrap_or(false);
    if had_previous {
        tokio::fs::rename(&target, &backup)
            .await
            .map_err(Error::internal)?;
    }
    tokio::fs::rename(&received.part.0, &target)
        .await
        .map_err(Error::internal)?;
    let outcome = import_file(state, &target, user, origin).await;
    let keep_new = matches!(&outcome, Ok(s) if s.rejected() == 0);
    if keep_new {
        if had_previous {
            let _ = tokio::fs::remove_file(&backup).await;
        }
    } else if had_previous {
        let _ = tokio::fs::rename(&backup, &target).await;
    } else {
        let _ = tokio::fs::remove_file(&target).await;
    }
    let summary = outcome?;
    tracing::info!(
        user,
        origin,
        file = %received.name,
        imported = summary.imported(),
        rejected = summary.rejected(),
        "upload imported"
    );
    Ok(summary)
}

async fn import_file(
    state: &AppState,
    target: &Path,
    user: &str,
    origin: &str,
) -> Result<ImportSummary, Error> {
    let opts = ImportOptions {
        origin: origin.into(),
        actor: Some(user.to_string()),
    };
    Ok(state
        .store
        .import_paths(&[target.to_path_buf()], &opts, &NoProgress)
        .await?)
}
