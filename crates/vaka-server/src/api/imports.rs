//! `POST /api/v1/imports`: upload one IATI file (multipart field `file`) and
//! import it, for editors and admins. The upload is streamed to disk under the
//! size limit of the server configuration and never held in memory; a file the
//! reader rejects changes nothing and answers 422 with the reason, as the CLI
//! does.

use std::path::PathBuf;

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use tokio::io::AsyncWriteExt;
use vaka_domain::access::{Actor, Role};
use vaka_store::import::{ImportOptions, NoProgress};

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Error, ErrorKind};

/// Serialises API uploads so two uploads of one name never swap files.
static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn may_import(auth: &Auth) -> Result<&Actor, Error> {
    let actor = auth.require()?;
    if actor.is_admin() || actor.role == Role::Editor {
        Ok(actor)
    } else {
        Err(Error::forbidden(format!(
            "`{}` is a {} and cannot import data: editors and admins can",
            actor.username, actor.role
        )))
    }
}

/// The last path component, with only plain characters, if it names an IATI file.
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

/// Removes a partial upload unless it was kept.
struct Part(PathBuf);

impl Drop for Part {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

pub(super) async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    mut multipart: Multipart,
) -> ApiResult<(StatusCode, axum::Json<serde_json::Value>)> {
    let actor = may_import(&auth)?.clone();
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
    let mut saved = None;
    while let Some(mut field) = multipart.next_field().await.map_err(interrupted)? {
        if field.name() != Some("file") {
            continue;
        }
        let original = field.file_name().unwrap_or("").to_string();
        let Some(name) = clean_name(&original) else {
            return Err(Error::new(
                ErrorKind::UnsupportedMediaType,
                format!("`{original}`: upload an IATI file ending in .xml or .xml.gz"),
            )
            .into());
        };
        let part = Part(dir.join(format!(".part-{}", vaka_store::accounts::random_token()?)));
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
                )
                .into());
            }
            out.write_all(&chunk).await.map_err(Error::internal)?;
        }
        out.flush().await.map_err(Error::internal)?;
        if written == 0 {
            return Err(Error::bad_request(format!("`{name}` is empty")).into());
        }
        saved = Some((name, part));
        break;
    }
    let Some((name, part)) = saved else {
        return Err(Error::bad_request("multipart field `file`: choose a file to upload").into());
    };
    let _guard = LOCK.lock().await;
    let target = dir.join(&name);
    let backup = target.with_extension("previous");
    let had_previous = tokio::fs::try_exists(&target).await.unwrap_or(false);
    if had_previous {
        tokio::fs::rename(&target, &backup)
            .await
            .map_err(Error::internal)?;
    }
    tokio::fs::rename(&part.0, &target)
        .await
        .map_err(Error::internal)?;
    let opts = ImportOptions {
        origin: "api".into(),
        actor: Some(actor.username.clone()),
    };
    let outcome = state
        .store
        .import_paths(std::slice::from_ref(&target), &opts, &NoProgress)
        .await;
    let keep = matches!(&outcome, Ok(s) if s.rejected() == 0);
    if keep {
        if had_previous {
            let _ = tokio::fs::remove_file(&backup).await;
        }
    } else if had_previous {
        let _ = tokio::fs::rename(&backup, &target).await;
    } else {
        let _ = tokio::fs::remove_file(&target).await;
    }
    let summary = outcome?;
    tracing::info!(user = %actor.username, file = %name, imported = summary.imported(),
        rejected = summary.rejected(), "api import");
    let status = if summary.rejected() > 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body = serde_json::to_value(&summary).map_err(Error::internal)?;
    Ok((status, axum::Json(body)))
}
