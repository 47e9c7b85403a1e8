//! Pages of the framework at work: joint projects (`/projects`,
//! `/projects/{id}`) with their lifecycle form, planned vs reported figures and
//! audit history, in the request's language. A stale transition answers 409
//! and shows what changed since the version the person saw (from the audit
//! log, [`super::history::since`]).

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;
use vaka_coord::project::{Action, PartnerRole, ProjectStatus};
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

/// The label of a project status in the page's language.
fn status_label(ctx: &Ctx, status: ProjectStatus) -> &'static str {
    ctx.t(&format!("proj.status.{}", status.as_str()))
}

/// The label of a lifecycle step in the page's language.
fn action_label(ctx: &Ctx, action: Action) -> &'static str {
    ctx.t(&format!("proj.action.{}", action.as_str()))
}

/// The label of a partner role in the page's language.
fn role_label(ctx: &Ctx, role: PartnerRole) -> &'static str {
    ctx.t(&format!("proj.role.{}", role.as_str()))
}

/// `GET /projects`.
pub async fn list(ctx: Ctx, State(s): State<AppState>) -> PageResult<Response> {
    let projects = s.store.projects(None).await?;
    let body = html! {
        h1 { (ctx.t("proj.list")) }
        @if projects.is_empty() {
            p.muted { (ctx.t("proj.none")) }
        } @else {
            table {
                thead { tr { th { "#" } th { (ctx.t("proj.name")) } th { (ctx.t("proj.countries")) } th { (ctx.t("proj.status")) } } }
                tbody {
                    @for p in &projects {
                        tr {
                            td { (p.id) }
                            td { a href={ "/projects/" (p.id) } { (p.title(ctx.lang.code())) } }
                            td { (p.input.countries.join(", ")) }
                            td { (status_label(&ctx, p.status)) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t("proj.list"), body).into_response())
}

async fn project_body(
    ctx: &Ctx,
    s: &AppState,
    id: i64,
    notice: Option<Markup>,
) -> Result<(String, Markup), Error> {
    let currency = "USD";
    let p = s.store.project(id).await?;
    let transitions = s.store.project_transitions(id).await?;
    let figures = s.store.project_figures(id, currency).await?;
    let history = s.store.audit_history("project", &id.to_string()).await?;
    let writer = ctx.auth.actor.as_ref().is_some_and(|a| a.can_write());
    let title = p.title(ctx.lang.code()).to_string();
    let body = html! {
        @if let Some(n) = notice { (n) }
        h1 { (title) }
        p {
            (ctx.t("proj.status")) ": " strong { (status_label(ctx, p.status)) }
            " · " (ctx.t("proj.version")) " " (p.version) " · " (p.input.framework)
        }
        @if let Some(r) = &p.decline_reason { p.error { (ctx.t("proj.declined")) ": " (r) } }
        h2 { (ctx.t("proj.figures").replace("{currency}", currency)) }
        table {
            thead {
                tr {
                    th { (ctx.t("proj.partner")) } th { (ctx.t("proj.role")) }
                    th.num { (ctx.t("proj.planned")) } th.num { (ctx.t("proj.committed")) }
                    th.num { (ctx.t("proj.disbursed")) } th { (ctx.t("proj.activities")) }
                    th { (ctx.t("proj.approved")) }
                }
            }
            tbody {
                @for f in &figures {
                    tr {
                        td { (f.org) }
                        td { (role_label(ctx, f.role)) }
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
                label { (ctx.t("proj.step")) " " select name="action" { @for a in Action::ALL { option value=(a.as_str()) { (action_label(ctx, a)) } } } }
                label { (ctx.t("proj.for_partner")) " " input name="partner" placeholder=(ctx.t("proj.your_org")); }
                label { (ctx.t("proj.comment")) " " input name="comment"; }
                button type="submit" { (ctx.t("proj.apply")) }
            }
        }
        h2 { (ctx.t("proj.lifecycle")) }
        table {
            thead {
                tr {
                    th { (ctx.t("proj.when")) } th { (ctx.t("proj.step")) } th { (ctx.t("proj.to")) }
                    th { (ctx.t("proj.by")) } th { (ctx.t("proj.comment")) }
                }
            }
            tbody {
                @for t in &transitions {
                    tr {
                        td { (t.at) }
                        td { (action_label(ctx, t.action)) @if let Some(o) = &t.partner { " (" (o) ")" } }
                        td { (status_label(ctx, t.to)) }
                        td { (t.by) }
                        td { (t.comment) }
                    }
                }
            }
        }
        (super::history::table(ctx, &history))
    };
    Ok((title, body))
}

/// `GET /projects/{id}`.
pub async fn show(
    ctx: Ctx,
    State(s): State<AppState>,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let (title, body) = project_body(&ctx, &s, id, None).await?;
    Ok(layout::page(&ctx, &title, body).into_response())
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
            let changed = super::history::since(&history, f.expect_version);
            let notice = super::history::conflict_notice(&ctx, f.expect_version, current, &changed);
            let (title, body) = project_body(&ctx, &s, id, Some(notice)).await?;
            Ok((StatusCode::CONFLICT, layout::page(&ctx, &title, body)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
