//! Receiving an IATI file upload and importing it, shared by the import page
//! (`POST /import`) and the API (`POST /api/v1/imports`).
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

/// A file name safe to keep: the last path component, with only plain
/// characters, if it names an IATI file.
fn clean_name(name: &str) -> Option<String> {
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
    (!clean.starts_with('.') && (lower.ends_with(".xml") || lower.ends_with(".xml.gz")))
        .then_some(clean)
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

/// Stream the multipart field `file` to a part file in the actor's
/// organisation folder, enforcing the size limit while streaming.
pub async fn receive(
    state: &AppState,
    actor: &Actor,
    multipart: &mut Multipart,
) -> Result<Received, Error> {
    let limit = state.config.max_upload_bytes;
    let org_dir = clean_name(&format!("{}.xml", actor.org))
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
        let Some(name) = clean_name(&original) else {
            return Err(Error::new(
                ErrorKind::UnsupportedMediaType,
                format!("`{original}`: upload an IATI file ending in .xml or .xml.gz"),
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
                        "`{name}` is larger than the upload limit of {} MB",
                        limit / (1024 * 1024)
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
