//! The import page (`/import`): signed-in editors and admins upload an IATI
//! file (`.xml` or `.xml.gz`) and see the import summary and diagnostics.
//!
//! Receiving and importing are shared with the API (`crate::upload`).

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use vaka_store::import::{FileStatus, ImportSummary};

use super::{Ctx, href, layout};
use crate::AppState;
use crate::error::PageResult;
use crate::upload;

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
    upload::may_import(ctx.auth.require()?)?;
    Ok(layout::page(&ctx, ctx.t("import.title"), upload_form(&ctx)).into_response())
}

/// `POST /import` (multipart, field `file`).
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    mut multipart: Multipart,
) -> PageResult<Response> {
    let actor = ctx.auth.require()?.clone();
    upload::may_import(&actor)?;
    let received = upload::receive(&state, &actor, &mut multipart, upload::Kind::Iati).await?;
    let name = received.name.clone();
    let summary = upload::import(&state, received, &actor.username, "web").await?;
    let rejected = summary.rejected() > 0;
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
