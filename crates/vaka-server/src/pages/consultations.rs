//! Consultation pages: meetings per framework (`/consultations`), one meeting
//! with its agenda, decisions, minutes, action items and audit log
//! (`/consultations/{id}`) and its forms, and what awaits a government
//! (`/awaiting`). The printable record and the workbook are the API's
//! (`/api/v1/consultations/{id}/record.html`, `record.xlsx`).
//!
//! Permissions are the store's (the same rules as the API): anyone who writes
//! may add items, decisions and actions; only the owner organisation (or an
//! admin) changes an action's status. A stale write answers 409 with what
//! changed.

use std::collections::BTreeMap;

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use vaka_coord::consultation::{ActionItem, ActionStatus, AgendaItem, MeetingRecord};
use vaka_store::StoreError;
use vaka_store::audit::AuditRecord;
use vaka_store::coord::ItemRecord;

use super::{Ctx, layout, segment};
use crate::AppState;
use crate::error::{Error, PageResult};

fn today() -> String {
    let d = super::announcements::today();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn writer(ctx: &Ctx) -> bool {
    ctx.auth.actor.as_ref().is_some_and(|a| a.can_write())
}

/// May the signed-in person change the status of an action owned by `org`.
fn owns(ctx: &Ctx, org: &str) -> bool {
    vaka_coord::consultation::check_action_update(ctx.auth.actor.as_ref(), org).is_ok()
}

/// `GET /consultations`: meetings grouped by framework, newest first.
pub async fn list(ctx: Ctx, State(st): State<AppState>) -> PageResult<Response> {
    let mut all = st.store.consultations(None).await?;
    all.sort_by(|a, b| b.input.date.cmp(&a.input.date).then(b.id.cmp(&a.id)));
    let mut by_fw: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for c in all {
        by_fw.entry(c.input.framework.clone()).or_default().push(c);
    }
    let body = html! {
        @if ctx.auth.actor.is_some() { p { a href="/awaiting" { (ctx.t("await.title")) } } }
        @if by_fw.is_empty() { p.muted { (ctx.t("cons.none")) } }
        @for (fw, meetings) in &by_fw {
            h2 { a href={ "/frameworks/" (segment(fw)) } { (fw) } }
            table {
                thead { tr { th { (ctx.t("ann.date")) } th { (ctx.t("cons.meeting")) } th { "Mechanism" } th { (ctx.t("cons.place")) } } }
                tbody {
                    @for c in meetings {
                        tr {
                            td { (c.input.date) }
                            td { a href={ "/consultations/" (c.id) } { (c.input.title) } }
                            td { (c.mechanism_name) }
                            td { (place(&ctx, &c.input.place, c.input.online)) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t("cons.list"), body).into_response())
}

fn place(ctx: &Ctx, place: &Option<String>, online: bool) -> String {
    match (
        place.as_deref().map(str::trim).filter(|p| !p.is_empty()),
        online,
    ) {
        (Some(p), true) => format!("{p} + {}", ctx.t("cons.online")),
        (Some(p), false) => p.to_string(),
        (None, _) => ctx.t("cons.online").to_string(),
    }
}

/// The audit log of a meeting and of its action items, oldest first.
async fn meeting_history(st: &AppState, rec: &MeetingRecord) -> Result<Vec<AuditRecord>, Error> {
    let id = rec.consultation.id;
    let mut h = st
        .store
        .audit_history("consultation", &id.to_string())
        .await?;
    for a in &rec.actions {
        h.extend(
            st.store
                .audit_history("action_item", &a.id.to_string())
                .await?,
        );
    }
    h.sort_by_key(|r| r.id);
    Ok(h)
}

fn agenda_item(ctx: &Ctx, framework: &str, n: usize, item: &AgendaItem) -> Markup {
    html! {
        li id={ "item" (n) } {
            strong { (item.title) }
            @if !item.projects.is_empty() || !item.countries.is_empty() || !item.areas.is_empty() {
                p.links {
                    @for p in &item.projects { a href={ "/projects/" (p) } { "project " (p) } " " }
                    @for c in &item.countries { a href={ "/countries/" (segment(c)) } { (c) } " " }
                    @for a in &item.areas { a href={ "/areas/" (segment(framework)) "/" (segment(a)) } { (a) } " " }
                }
            }
            @if !item.decisions.is_empty() {
                p { (ctx.t("cons.decisions")) ":" }
                ul.decisions { @for d in &item.decisions { li { (d) } } }
            }
            @if !item.minutes.is_empty() {
                p { (ctx.t("cons.minutes")) ":" }
                p.minutes style="white-space:pre-wrap" { (item.minutes) }
            }
        }
    }
}

fn action_row(ctx: &Ctx, rec_today: &str, a: &ActionItem, show_meeting: bool) -> Markup {
    let overdue = vaka_coord::consultation::is_overdue(a.status, &a.due, rec_today);
    html! {
        tr class=[overdue.then_some("overdue")] {
            td { (a.text) @if let Some(i) = a.agenda_item { " " span.muted { "(" (ctx.t("cons.item")) " " (i + 1) ")" } } }
            td { (a.owner_org) }
            td { (a.due) @if overdue { " " strong.error { (ctx.t("cons.overdue")) } } }
            td {
                (a.status.as_str())
                @if owns(ctx, &a.owner_org) {
                    form.inline method="post" action={ "/actions/" (a.id) "/status" } {
                        (layout::csrf_field(ctx))
                        input type="hidden" name="expect_version" value=(a.version);
                        input type="hidden" name="consultation" value=(a.consultation_id);
                        @if show_meeting { input type="hidden" name="back" value="awaiting"; }
                        select name="status" {
                            @for s in [ActionStatus::Open, ActionStatus::Done, ActionStatus::Dropped] {
                                @if s == a.status { option value=(s.as_str()) selected { (s.as_str()) } } @else { option value=(s.as_str()) { (s.as_str()) } }
                            }
                        }
                        button type="submit" { (ctx.t("cons.set_status")) }
                    }
                }
            }
            @if show_meeting { td { a href={ "/consultations/" (a.consultation_id) } { "#" (a.consultation_id) } } }
        }
    }
}

async fn meeting_body(
    ctx: &Ctx,
    st: &AppState,
    id: i64,
    notice: Option<Markup>,
) -> Result<(String, Markup), Error> {
    let rec = st.store.meeting_record(id, &today()).await?;
    let history = meeting_history(st, &rec).await?;
    let c = &rec.consultation;
    let title = c.input.title.clone();
    let body = html! {
        @if let Some(n) = notice { (n) }
        p {
            (rec.framework_name) " · " (c.mechanism_name) " · version " (c.version)
        }
        dl.facts {
            dt { (ctx.t("ann.date")) } dd { (c.input.date) }
            dt { (ctx.t("cons.place")) } dd { (place(ctx, &c.input.place, c.input.online)) }
            dt { (ctx.t("cons.participants")) } dd { (c.input.participants.join(", ")) }
        }
        p {
            a href={ "/api/v1/consultations/" (id) "/record.html" } { (ctx.t("cons.record")) }
            " · "
            a href={ "/api/v1/consultations/" (id) "/record.xlsx" } { (ctx.t("cons.xlsx")) }
        }
        h2 { (ctx.t("cons.agenda")) }
        ol.agenda { @for (n, item) in c.input.agenda.iter().enumerate() { (agenda_item(ctx, &c.input.framework, n + 1, item)) } }
        @if writer(ctx) {
            div.grid {
                form.box method="post" action={ "/consultations/" (id) "/items" } {
                    h3 { (ctx.t("cons.add_item")) " / " (ctx.t("cons.record_item")) }
                    (layout::csrf_field(ctx))
                    input type="hidden" name="expect_version" value=(c.version);
                    p { label { (ctx.t("cons.item")) " "
                        select name="item" {
                            option value="" { "+ " (ctx.t("cons.add_item")) }
                            @for (n, item) in c.input.agenda.iter().enumerate() { option value=(n + 1) { (n + 1) ". " (item.title) } }
                        } } }
                    p { label { "Title (new item) " input name="title" size="40"; } }
                    p { label { "Projects (ids) " input name="projects" size="10"; } " "
                        label { (ctx.t("ann.countries")) " " input name="countries" size="10" placeholder="TO, FJ"; } " "
                        label { (ctx.t("ann.areas")) " " input name="areas" size="20"; } }
                    p { label { (ctx.t("cons.decisions")) " (one per line) " br; textarea name="decisions" rows="3" cols="50" {} } }
                    p { label { (ctx.t("cons.minutes")) " " br; textarea name="minutes" rows="3" cols="50" {} } }
                    button type="submit" { (ctx.t("cons.save")) }
                }
                form.box method="post" action={ "/consultations/" (id) "/actions" } {
                    h3 { (ctx.t("cons.add_action")) }
                    (layout::csrf_field(ctx))
                    p { label { (ctx.t("ann.text")) " " input name="text" size="40" required; } }
                    p { label { (ctx.t("cons.owner")) " " input name="owner_org" size="12" required placeholder="GOV-TO"; } " "
                        label { (ctx.t("cons.due")) " " input type="date" name="due" required; } }
                    p { label { (ctx.t("cons.item")) " "
                        select name="item" {
                            option value="" { "—" }
                            @for (n, item) in c.input.agenda.iter().enumerate() { option value=(n + 1) { (n + 1) ". " (item.title) } }
                        } } }
                    button type="submit" { (ctx.t("cons.save")) }
                }
            }
        }
        h2 { (ctx.t("cons.actions")) }
        table.actions {
            thead { tr { th { (ctx.t("ann.text")) } th { (ctx.t("cons.owner")) } th { (ctx.t("cons.due")) } th { (ctx.t("ann.status")) } } }
            tbody { @for a in &rec.actions { (action_row(ctx, &rec.today, a, false)) } }
        }
        (super::history::table(ctx, &history))
    };
    Ok((title, body))
}

/// `GET /consultations/{id}`.
pub async fn show(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let (title, body) = meeting_body(&ctx, &st, id, None).await?;
    Ok(layout::page(&ctx, &title, body).into_response())
}

/// Answer a refused stale write on a meeting page: 409, what changed since.
async fn conflict(
    ctx: &Ctx,
    st: &AppState,
    meeting: i64,
    object_type: &str,
    object_id: i64,
    seen: i64,
    current: i64,
) -> PageResult<Response> {
    let history = st
        .store
        .audit_history(object_type, &object_id.to_string())
        .await?;
    let changed = super::history::since(&history, seen);
    let notice = super::history::conflict_notice(ctx, seen, current, &changed);
    let (title, body) = meeting_body(ctx, st, meeting, Some(notice)).await?;
    Ok((StatusCode::CONFLICT, layout::page(ctx, &title, body)).into_response())
}

fn split_list(s: &str) -> Vec<String> {
    s.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// A 1-based agenda item from a form (`""` for none).
fn item_index(s: &str) -> Result<Option<usize>, Error> {
    match s.trim() {
        "" => Ok(None),
        t => match t.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(Some(n - 1)),
            _ => Err(Error::bad_request(format!(
                "`{t}` is not an agenda item number (from 1)"
            ))),
        },
    }
}

#[derive(Deserialize)]
pub struct ItemForm {
    expect_version: i64,
    #[serde(default)]
    item: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    projects: String,
    #[serde(default)]
    countries: String,
    #[serde(default)]
    areas: String,
    #[serde(default)]
    decisions: String,
    #[serde(default)]
    minutes: String,
}

/// `POST /consultations/{id}/items`: add an item, or record decisions and
/// minutes of one.
pub async fn record_item(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<ItemForm>,
) -> PageResult<Response> {
    let item = item_index(&f.item)?;
    let new_item = if item.is_none() {
        if f.title.trim().is_empty() {
            return Err(Error::bad_request("a new agenda item needs a title").into());
        }
        let projects = split_list(&f.projects)
            .iter()
            .map(|p| {
                p.trim_start_matches('#')
                    .parse::<i64>()
                    .map_err(|_| Error::bad_request(format!("`{p}` is not a project id")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Some(AgendaItem {
            title: f.title.trim().to_string(),
            projects,
            countries: split_list(&f.countries)
                .into_iter()
                .map(|c| c.to_ascii_uppercase())
                .collect(),
            areas: split_list(&f.areas),
            ..Default::default()
        })
    } else {
        None
    };
    let rec = ItemRecord {
        item,
        new_item,
        decisions: f
            .decisions
            .lines()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string)
            .collect(),
        minutes: Some(f.minutes.trim().to_string()).filter(|m| !m.is_empty()),
    };
    match st
        .store
        .record_agenda_item(ctx.auth.actor.as_ref(), id, f.expect_version, rec)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/consultations/{id}")).into_response()),
        Err(StoreError::Conflict { current, .. }) => {
            conflict(&ctx, &st, id, "consultation", id, f.expect_version, current).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ActionForm {
    text: String,
    owner_org: String,
    due: String,
    #[serde(default)]
    item: String,
}

/// `POST /consultations/{id}/actions`: agree an action item.
pub async fn add_action(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> PageResult<Response> {
    let item = item_index(&f.item)?;
    st.store
        .add_action(
            ctx.auth.actor.as_ref(),
            id,
            item,
            f.text.trim(),
            f.owner_org.trim(),
            f.due.trim(),
        )
        .await?;
    Ok(Redirect::to(&format!("/consultations/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct StatusForm {
    expect_version: i64,
    status: String,
    /// The meeting whose page to show afterwards.
    consultation: i64,
    /// `awaiting` to go back to the awaiting view.
    #[serde(default)]
    back: String,
}

/// `POST /actions/{id}/status`.
pub async fn action_status(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> PageResult<Response> {
    let status = ActionStatus::parse(&f.status).map_err(|e| Error::bad_request(e.to_string()))?;
    match st
        .store
        .set_action_status(ctx.auth.actor.as_ref(), id, f.expect_version, status)
        .await
    {
        Ok(_) if f.back == "awaiting" => Ok(Redirect::to("/awaiting").into_response()),
        Ok(a) => Ok(Redirect::to(&format!("/consultations/{}", a.consultation_id)).into_response()),
        Err(StoreError::Conflict { current, .. }) => {
            conflict(
                &ctx,
                &st,
                f.consultation,
                "action_item",
                id,
                f.expect_version,
                current,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /awaiting`: projects awaiting the signed-in government's endorsement
/// and the open action items of its organisation, overdue first.
pub async fn awaiting(ctx: Ctx, State(st): State<AppState>) -> PageResult<Response> {
    let Some(actor) = ctx.auth.actor.as_ref() else {
        let body = html! { p { a href="/login?next=/awaiting" { (ctx.t("await.needsignin")) } } };
        return Ok((
            StatusCode::UNAUTHORIZED,
            layout::page(&ctx, ctx.t("await.title"), body),
        )
            .into_response());
    };
    let today = today();
    let w = st.store.awaiting(actor, &today).await?;
    let body = html! {
        p { strong { (w.org) } @if let Some(c) = &w.country { " · " a href={ "/countries/" (segment(c)) } { (c) } } }
        h2 { (ctx.t("await.projects")) }
        @if w.projects.is_empty() { p.muted { (ctx.t("list.none")) } }
        ul { @for p in &w.projects { li { a href={ "/projects/" (p.id) } { (p.title(ctx.lang.code())) } " · " (p.status.as_str()) } } }
        h2 { (ctx.t("await.actions")) }
        @if w.actions.is_empty() { p.muted { (ctx.t("list.none")) } }
        @else {
            table.actions {
                thead { tr { th { (ctx.t("ann.text")) } th { (ctx.t("cons.owner")) } th { (ctx.t("cons.due")) } th { (ctx.t("ann.status")) } th { (ctx.t("cons.meeting")) } } }
                tbody { @for a in &w.actions { (action_row(&ctx, &today, &a.item, true)) } }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t("await.title"), body).into_response())
}
