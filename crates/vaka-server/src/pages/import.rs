//! The import page (`/import`): signed-in editors and admins upload an IATI
//! file (`.xml` or `.xml.gz`) and see the import summary and diagnostics.
//!
//! The upload is streamed to a part file in the upload folder, counting bytes,
//! and refused (413) as soon as it passes the configured limit: it is never held
//! whole in memory. The finished file is moved to
//! `UPLOAD_DIR/ORG/FILE-NAME`, so that uploading a new version of the same file
//! replaces its activities (datasets are identified by path). A file the reader
//! rejects changes nothing: the previous version of the file is put back.

use std::path::{Path, PathBuf};

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use tokio::io::AsyncWriteExt;
use vaka_store::import::{FileStatus, ImportOptions, ImportSummary, NoProgress};

use super::{Ctx, href, layout};
use crate::AppState;
use crate::error::{Error, ErrorKind, PageResult};

/// Serialises uploads: two uploads of the same name must not swap files under
/// each other.
static UPLOAD_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn may_import(ctx: &Ctx) -> Result<&vaka_domain::access::Actor, Error> {
    let actor = ctx.auth.require()?;
    if actor.is_admin() || actor.role == vaka_domain::access::Role::Editor {
        Ok(actor)
    } else {
        Err(Error::forbidden(format!(
            "`{}` is a {} and cannot import data: editors and admins can",
            actor.username, actor.role
        )))
    }
}

fn upload_form(ctx: &Ctx) -> Markup {
    let action = href(
        "/import",
        &[("csrf", ctx.auth.csrf.as_deref().unwrap_or(""))],
    );
    html! {
        form.box method="post" action=(action) enctype="multipart/form-data" {
            (layout::csrf_field(ctx))
            p { (ctx.t("import.help")) }
            p { label { (ctx.t("import.file")) " " input type="file" name="file" accept=".xml,.gz,application/xml,application/gzip" required; } }
            p { button type="submit" { (ctx.t("import.submit")) } }
        }
    }
}

/// `GET /import`.
pub async fn form(ctx: Ctx) -> PageResult<Response> {
    if ctx.auth.actor.is_none() {
        let body = html! { p { a href="/login?next=/import" { (ctx.t("import.needsignin")) } } };
        return Ok((
            StatusCode::UNAUTHORIZED,
            layout::page(&ctx, ctx.t("import.title"), body),
        )
            .into_response());
    }
    may_import(&ctx)?;
    Ok(layout::page(&ctx, ctx.t("import.title"), upload_form(&ctx)).into_response())
}

/// A file name safe to keep: the last path component, with only plain characters.
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
    let ok = !clean.starts_with('.') && (lower.ends_with(".xml") || lower.ends_with(".xml.gz"));
    ok.then_some(clean)
}

struct PartFile(PathBuf);

impl Drop for PartFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// `POST /import` (multipart, field `file`).
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    mut multipart: Multipart,
) -> PageResult<Response> {
    let actor = may_import(&ctx)?.clone();
    let limit = state.config.max_upload_bytes;
    let dir = state.config.upload_dir.join(
        clean_name(&format!("{}.xml", actor.org))
            .map(|n| n.trim_end_matches(".xml").to_string())
            .unwrap_or_else(|| "org".into()),
    );
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(Error::internal)?;

    let mut saved: Option<(String, PartFile)> = None;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| Error::bad_request(format!("upload interrupted: {e}")))?
    {
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
        let part = PartFile(dir.join(format!(".part-{}", vaka_store::accounts::random_token()?)));
        let mut out = tokio::fs::File::create(&part.0)
            .await
            .map_err(Error::internal)?;
        let mut written: u64 = 0;
        while let Some(chunk) = field
            .chunk()
            .await
            .map_err(|e| Error::bad_request(format!("upload interrupted: {e}")))?
        {
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
        drop(out);
        if written == 0 {
            return Err(Error::bad_request(format!("`{name}` is empty")).into());
        }
        saved = Some((name, part));
        break;
    }
    let Some((name, part)) = saved else {
        return Err(Error::bad_request("choose a file to upload (form field `file`)").into());
    };

    let _guard = UPLOAD_LOCK.lock().await;
    let target = dir.join(&name);
    let summary = import_in_place(&state, &part.0, &target, &actor.username).await?;
    let rejected = summary.rejected() > 0;
    tracing::info!(
        user = %actor.username,
        file = %name,
        imported = summary.imported(),
        rejected = summary.rejected(),
        "web import"
    );
    let body = html! {
        (result(&ctx, &name, &summary))
        h2 { (ctx.t("import.title")) }
        (upload_form(&ctx))
    };
    let status = if rejected {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, layout::page(&ctx, ctx.t("import.result"), body)).into_response())
}

/// Put the part file at `target` and import it; if the reader rejects it, put
/// the previous file back so disk and database agree.
async fn import_in_place(
    state: &AppState,
    part: &Path,
    target: &Path,
    user: &str,
) -> Result<ImportSummary, Error> {
    let backup = target.with_extension("previous");
    let had_previous = tokio::fs::try_exists(target).await.unwrap_or(false);
    if had_previous {
        tokio::fs::rename(target, &backup)
            .await
            .map_err(Error::internal)?;
    }
    tokio::fs::rename(part, target)
        .await
        .map_err(Error::internal)?;
    let opts = ImportOptions {
        origin: "web".into(),
        actor: Some(user.to_string()),
    };
    let outcome = state
        .store
        .import_paths(&[target.to_path_buf()], &opts, &NoProgress)
        .await;
    let keep_new = matches!(&outcome, Ok(s) if s.rejected() == 0);
    if keep_new {
        if had_previous {
            let _ = tokio::fs::remove_file(&backup).await;
        }
    } else if had_previous {
        let _ = tokio::fs::rename(&backup, target).await;
    } else {
        let _ = tokio::fs::remove_file(target).await;
    }
    Ok(outcome?)
}

fn result(ctx: &Ctx, name: &str, s: &ImportSummary) -> Markup {
    let diagnostics = s.diagnostics();
    html! {
        div.box {
            @for f in &s.files {
                @match &f.status {
                    FileStatus::Imported => {
                        p.ok { strong { (ctx.t("import.imported")) } ": " (name) " — " (f.activities) " activities, " (f.transactions) " transactions" }
                    }
                    FileStatus::Unchanged => {
                        p.ok { strong { (ctx.t("import.unchanged")) } ": " (name) " (same content as before; nothing to do)" }
                    }
                    FileStatus::Rejected { reason } => {
                        p.error role="alert" { strong { (ctx.t("import.rejected")) } ": " (name) ": " (reason) }
                        p.muted { "Nothing was changed." }
                    }
                }
            }
            @if let Some(run) = s.run_id { p.muted { "Import run " (run) } }
            @if !diagnostics.is_empty() {
                h2 { (ctx.t("import.diagnostics")) }
                table {
                    thead { tr { th { "Severity" } th { "Kind" } th.num { "Count" } } }
                    tbody {
                        @for ((sev, kind), n) in &diagnostics {
                            tr { td { (sev.to_string()) } td { (format!("{kind:?}")) } td.num { (n) } }
                        }
                    }
                }
            }
        }
    }
}
