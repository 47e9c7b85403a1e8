//! Pages of the framework at work: joint projects (`/projects`,
//! `/projects/{id}`) with their lifecycle form, planned vs reported figures and
//! audit history. A stale transition answers 409 and shows what changed since
//! the version the person saw.

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;
use vaka_coord::project::Action;
use vaka_store::StoreError;

use super::{Ctx, layout};
use crate::AppState;
use crate::error::{Error, PageResult};

/// Routes of these pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/projects", get(list))
        .route("/projects/{id}", get(show))
        .route("/projects/{id}/transition", post(transition))
}

/// `GET /projects`.
pub async fn list(ctx: Ctx, State(s): State<AppState>) -> PageResult<Response> {
    let projects = s.store.projects(None).await?;
    let body = html! {
        h1 { "Joint projects" }
        table {
            thead { tr { th { "#" } th { "Title" } th { "Countries" } th { "Status" } } }
            tbody {
                @for p in &projects {
                    tr {
                        td { (p.id) }
                        td { a href={ "/projects/" (p.id) } { (p.title(ctx.lang.code())) } }
                        td { (p.input.countries.join(", ")) }
                        td { (p.status.as_str()) }
                    }
                }
            }
        }
    };
    Ok(layout::page(&ctx, "Joint projects", body).into_response())
}

async fn project_body(
    ctx: &Ctx,
    s: &AppState,
    id: i64,
    notice: Option<Markup>,
) -> Result<Markup, Error> {
    let p = s.store.project(id).await?;
    let transitions = s.store.project_transitions(id).await?;
    let figures = s.store.project_figures(id, "USD").await?;
    let history = s.store.audit_history("project", &id.to_string()).await?;
    let writer = ctx.auth.actor.as_ref().is_some_and(|a| a.can_write());
    Ok(html! {
        @if let Some(n) = notice { (n) }
        h1 { (p.title(ctx.lang.code())) }
        p { "Status: " strong { (p.status.as_str()) } " · version " (p.version) " · " (p.input.framework) }
        @if let Some(r) = &p.decline_reason { p.error { "Declined: " (r) } }
        h2 { "Partners: planned and reported (USD)" }
        table {
            thead { tr { th { "Partner" } th { "Role" } th.num { "Planned" } th.num { "Committed" } th.num { "Disbursed" } th { "Activities" } th { "Approved" } } }
            tbody {
                @for f in &figures {
                    tr {
                        td { (f.org) }
                        td { (f.role.as_str()) }
                        td.num { (f.planned_converted.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) }
                        td.num { (f.reported.committed) }
                        td.num { (f.reported.disbursed) }
                        td { (f.activities.join(", ")) }
                        td { (p.partner(&f.org).and_then(|q| q.approval.as_ref()).map(|a| a.by.clone()).unwrap_or_default()) }
                    }
                }
            }
        }
        @if writer {
            form.inline.box method="post" action={ "/projects/" (p.id) "/transition" } {
                (layout::csrf_field(ctx))
                input type="hidden" name="expect_version" value=(p.version);
                label { "Step " select name="action" { @for a in Action::ALL { option value=(a.as_str()) { (a.as_str()) } } } }
                label { "For partner " input name="partner" placeholder="(your organisation)"; }
                label { "Comment " input name="comment"; }
                button type="submit" { "Apply" }
            }
        }
        h2 { "Lifecycle" }
        table {
            thead { tr { th { "When" } th { "Step" } th { "To" } th { "By" } th { "Comment" } } }
            tbody { @for t in &transitions { tr { td { (t.at) } td { (t.action.as_str()) @if let Some(o) = &t.partner { " (" (o) ")" } } td { (t.to.as_str()) } td { (t.by) } td { (t.comment) } } } }
        }
        h2 { "History" }
        table {
            thead { tr { th { "When" } th { "Who" } th { "What" } } }
            tbody { @for h in &history { tr { td { (h.at) } td { (h.actor) } td { (h.action) } } } }
        }
    })
}

/// `GET /projects/{id}`.
pub async fn show(
    ctx: Ctx,
    State(s): State<AppState>,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let body = project_body(&ctx, &s, id, None).await?;
    Ok(layout::page(&ctx, "Joint project", body).into_response())
}

#[derive(Deserialize)]
pub struct TransitionForm {
    expect_version: i64,
    action: String,
    #[serde(default)]
    partner: String,
    #[serde(default)]
    comment: String,
}

/// `POST /projects/{id}/transition` (CSRF checked by the auth layer).
pub async fn transition(
    ctx: Ctx,
    State(s): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<TransitionForm>,
) -> PageResult<Response> {
    let action = Action::parse(&f.action).map_err(|e| Error::bad_request(e.to_string()))?;
    let partner = Some(f.partner.trim()).filter(|p| !p.is_empty());
    match s
        .store
        .transition_project(
            ctx.auth.actor.as_ref(),
            id,
            f.expect_version,
            action,
            partner,
            &f.comment,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{id}")).into_response()),
        Err(StoreError::Conflict { current, .. }) => {
            // Tell the person what changed since the version they saw.
            let history = s.store.audit_history("project", &id.to_string()).await?;
            let seen = usize::try_from(f.expect_version).unwrap_or(0);
            let notice = html! {
                div.box.error {
                    p { "Someone else changed this project while you were looking at it (you saw version "
                        (f.expect_version) ", it is now at version " (current) "). Your step was not applied; check the changes below and apply it again if it still makes sense." }
                    ul { @for h in history.iter().skip(seen) { li { (h.at) " — " (h.actor) ": " (h.action) } } }
                }
            };
            let body = project_body(&ctx, &s, id, Some(notice)).await?;
            Ok((
                StatusCode::CONFLICT,
                layout::page(&ctx, "Joint project", body),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}
