//! Announcement pages: the list (`/announcements`), one release with what was
//! extracted and its candidate commitments (`/announcements/{id}`), the review
//! form of a commitment (`POST /commitments/{id}/review`) and the upload of a
//! release (`/announcements/upload`).
//!
//! Who may review is decided by `vaka-coord` inside the store; the page only
//! hides forms a person could not use. A stale review answers 409 with the
//! page and what changed since the version the person saw.

use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;
use vaka_coord::commitment::ReviewStatus;
use vaka_domain::Framework;
use vaka_store::StoreError;
use vaka_store::coord::{CommitmentReview, StoredCommitment};

use super::{Ctx, href, layout, segment};
use crate::AppState;
use crate::error::{Error, PageResult};
use crate::upload;

/// `YYYY-MM-DD` of today (UTC).
pub(crate) fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn list_of(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// `GET /announcements`.
pub async fn list(ctx: Ctx, State(st): State<AppState>) -> PageResult<Response> {
    let all = st.store.announcements().await?;
    let writer = ctx
        .auth
        .actor
        .as_ref()
        .is_some_and(|a| upload::may_import(a).is_ok());
    let body = html! {
        @if writer { p { a href="/announcements/upload" { (ctx.t("ann.upload")) } } }
        @if all.is_empty() {
            p.muted { (ctx.t("ann.none")) }
        } @else {
            table {
                thead { tr { th { (ctx.t("ann.date")) } th { (ctx.t("ann.title")) } th { (ctx.t("ann.source")) } th.num { "v" } } }
                tbody {
                    @for a in &all {
                        tr {
                            td { (a.date) }
                            td { a href={ "/announcements/" (a.id) } { (a.title) } }
                            td { a href=(a.url) rel="noopener noreferrer" { (a.url) } }
                            td.num { (a.version) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t("ann.list"), body).into_response())
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    currency: Option<String>,
}

/// The frameworks an announcement names, as stored (for area names and the
/// review permission).
async fn frameworks(st: &AppState, ids: &[Value]) -> Result<Vec<Framework>, Error> {
    let mut out = Vec::new();
    for id in ids.iter().filter_map(Value::as_str) {
        match st.store.framework(id).await {
            Ok(f) => out.push(f.framework),
            Err(StoreError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

/// The body of an announcement's page (also under a 409 notice).
async fn detail_body(
    ctx: &Ctx,
    st: &AppState,
    id: i64,
    currency: &str,
    notice: Option<Markup>,
) -> Result<(String, Markup), Error> {
    let v = st.store.announcement_json(id).await?;
    let commitments = st.store.announcement_commitments(id).await?;
    let fws = frameworks(st, list_of(&v["frameworks"])).await?;
    let area_name = |area: &str| -> Option<(String, String)> {
        fws.iter().find_map(|f| {
            f.area(area)
                .map(|a| (f.id.clone(), a.name.get(ctx.lang.code()).to_string()))
        })
    };
    let mut reports = Vec::new();
    for c in &commitments {
        let r = if c.status == ReviewStatus::Confirmed {
            Some(st.store.commitment_report(c.id, currency, today()).await?)
        } else {
            None
        };
        reports.push(r);
    }
    let mut history = st
        .store
        .audit_history("announcement", &id.to_string())
        .await?;
    for c in &commitments {
        history.extend(
            st.store
                .audit_history("commitment", &c.id.to_string())
                .await?,
        );
    }
    history.sort_by_key(|h| h.id);
    let title = s(&v["title"]).to_string();
    let source = &v["details"]["source"];
    let body = html! {
        @if let Some(n) = notice { (n) }
        dl.facts {
            dt { (ctx.t("ann.date")) } dd { (s(&v["date"])) }
            dt { (ctx.t("ann.source")) } dd { a href=(s(&v["url"])) rel="noopener noreferrer" { (s(&v["url"])) } }
            dt { (ctx.t("ann.file")) } dd { (s(&source["source_name"])) " · " span.muted { "version " (source["version"]) ", imported " (s(&source["imported_at"])) " by " (s(&source["imported_by"])) } }
        }
        h2 { (ctx.t("ann.ministers")) }
        table {
            thead { tr { th { (ctx.t("ann.ministers")) } th { (ctx.t("ann.portfolios")) } } }
            tbody {
                @for m in list_of(&v["ministers"]) {
                    tr {
                        td { (s(&m["name"])) }
                        td { (list_of(&m["portfolios"]).iter().map(s).collect::<Vec<_>>().join(", ")) }
                    }
                }
            }
        }
        div.grid {
            div {
                h2 { (ctx.t("ann.countries")) }
                ul { @for c in list_of(&v["countries"]) { li { a href={ "/countries/" (segment(s(c))) } { (s(c)) } } } }
                h2 { (ctx.t("ann.frameworks")) }
                ul { @for f in list_of(&v["frameworks"]) { li { a href={ "/frameworks/" (segment(s(f))) } { (s(f)) } } } }
            }
            div {
                h2 { (ctx.t("ann.areas")) }
                ul.areas {
                    @for a in list_of(&v["areas"]) {
                        @match area_name(s(a)) {
                            Some((fw, name)) => { li { a href={ "/areas/" (segment(&fw)) "/" (segment(s(a))) } { (name) } " " code.muted { (s(a)) } } }
                            None => { li { code { (s(a)) } } }
                        }
                    }
                }
            }
        }
        h2 { (ctx.t("ann.amounts")) }
        @if list_of(&v["amounts"]).is_empty() { p.muted { (ctx.t("list.none")) } }
        @else { table {
            thead { tr { th.num { (ctx.t("ann.amount")) } th { (ctx.t("ann.currency")) } th { (ctx.t("ann.evidence")) } } }
            tbody {
                @for a in list_of(&v["amounts"]) {
                    tr { td.num { (s(&a["value"])) } td { (s(&a["currency"])) } td { q { (s(&a["evidence"])) } } }
                }
            }
        } }
        h2 { (ctx.t("ann.people")) }
        table {
            thead { tr { th { (ctx.t("ann.people")) } th { (ctx.t("ann.role")) } } }
            tbody { @for p in list_of(&v["people"]) { tr { td { (s(&p["name"])) } td { (s(&p["role"])) } } } }
        }
        h2 { (ctx.t("ann.commitments")) }
        form.inline method="get" action={ "/announcements/" (id) } {
            label { (ctx.t("ann.currency")) " " input name="currency" value=(currency) size="4" maxlength="3"; }
            button type="submit" { "OK" }
        }
        @for (c, r) in commitments.iter().zip(&reports) {
            (commitment(ctx, &fws, c, r.as_ref()))
        }
        (super::history::table(ctx, &history))
    };
    Ok((title, body))
}

fn commitment(
    ctx: &Ctx,
    fws: &[Framework],
    c: &StoredCommitment,
    report: Option<&vaka_store::coord::CommitmentReport>,
) -> Markup {
    let fw = c
        .framework
        .as_deref()
        .and_then(|id| fws.iter().find(|f| f.id == id));
    let may_review = ctx.auth.actor.is_some()
        && vaka_coord::commitment::check_review(ctx.auth.actor.as_ref(), fw, &c.partners).is_ok();
    html! {
        div.box.commitment id={ "c" (c.id) } {
            p {
                strong { (ctx.t("ann.status")) ": " span class={ "status " (c.status.as_str()) } { (c.status.as_str()) } }
                " · #" (c.id) " · version " (c.version)
                @if let Some(f) = &c.framework { " · " (f) }
                @if !c.partners.is_empty() { " · " (c.partners.join(", ")) }
                @if let Some(by) = &c.reviewed_by { span.muted { " · " (by) " " (c.reviewed_at.as_deref().unwrap_or("")) } }
            }
            blockquote { (c.text) }
            @if c.text != c.extracted_text { p.muted { (ctx.t("ann.evidence")) ": " q { (c.extracted_text) } } }
            @if let (Some(a), Some(cur)) = (c.amount, &c.currency) { p { (ctx.t("ann.amount")) ": " (a) " " (cur) } }
            @if let Some(r) = report {
                table.progress {
                    thead { tr { th { (ctx.t("ann.progress")) } th.num { (ctx.t("ann.announced")) } th.num { (ctx.t("ann.committed")) } th.num { (ctx.t("ann.disbursed")) } } }
                    tbody {
                        tr {
                            td { strong { (r.progress.map(|p| p.as_str()).unwrap_or("—")) } }
                            td.num { (r.announced.map(|d| money(d, &r.currency)).unwrap_or_else(|| "—".into())) }
                            td.num { (money(r.committed, &r.currency)) }
                            td.num { (money(r.disbursed, &r.currency)) }
                        }
                    }
                }
                @if !c.projects.is_empty() || !c.activities.is_empty() {
                    p {
                        @for p in &c.projects { a href={ "/projects/" (p) } { "project " (p) } " " }
                        @for x in &c.activities { a href={ "/activities/" (segment(x)) } { (x) } " " }
                    }
                }
                @if !r.unconverted.is_empty() { p.muted { (r.unconverted.len()) " amount(s) could not be converted to " (r.currency) " (no rate) and are left out." } }
            }
            @if may_review {
                form.inline method="post" action={ "/commitments/" (c.id) "/review" } {
                    (layout::csrf_field(ctx))
                    input type="hidden" name="expect_version" value=(c.version);
                    label { (ctx.t("ann.text")) " " textarea name="text" rows="2" cols="60" { (c.text) } }
                    label { (ctx.t("ann.amount")) " " input name="amount" value=(c.amount.map(|a| a.to_string()).unwrap_or_default()) size="14"; }
                    label { (ctx.t("ann.currency")) " " input name="currency" value=(c.currency.clone().unwrap_or_default()) size="4" maxlength="3"; }
                    button type="submit" name="op" value="edit" { (ctx.t("ann.edit")) }
                    @if c.status != ReviewStatus::Confirmed { button type="submit" name="op" value="confirm" { (ctx.t("ann.confirm")) } }
                    @if c.status != ReviewStatus::Rejected { button type="submit" name="op" value="reject" { (ctx.t("ann.reject")) } }
                }
            }
        }
    }
}

/// An amount with two decimals and its currency (`1234.50 NZD`).
fn money(d: Decimal, currency: &str) -> String {
    format!("{:.2} {currency}", d.round_dp(2))
}

fn currency_of(q: &ShowQuery) -> String {
    q.currency
        .as_deref()
        .map(str::trim)
        .filter(|c| c.len() == 3 && c.chars().all(|x| x.is_ascii_alphabetic()))
        .map(str::to_ascii_uppercase)
        .unwrap_or_else(|| "USD".into())
}

/// `GET /announcements/{id}`.
pub async fn show(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> PageResult<Response> {
    let (title, body) = detail_body(&ctx, &st, id, &currency_of(&q), None).await?;
    Ok(layout::page(&ctx, &title, body).into_response())
}

#[derive(Deserialize)]
pub struct ReviewForm {
    expect_version: i64,
    /// `confirm`, `reject` or `edit`.
    op: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    currency: String,
}

/// `POST /commitments/{id}/review` (CSRF checked by the auth layer).
pub async fn review(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> PageResult<Response> {
    let actor = ctx.auth.require()?;
    let status = match f.op.as_str() {
        "confirm" => Some(ReviewStatus::Confirmed),
        "reject" => Some(ReviewStatus::Rejected),
        "edit" => None,
        other => {
            return Err(Error::bad_request(format!(
                "unknown review `{other}`: confirm, reject or edit"
            ))
            .into());
        }
    };
    let text = Some(f.text.trim().to_string()).filter(|t| !t.is_empty());
    let amount = match (f.amount.trim(), f.currency.trim()) {
        ("", _) => None,
        (a, c) => {
            let value: Decimal = a.replace([',', ' '], "").parse().map_err(|_| {
                Error::bad_request(format!("`{a}` is not an amount (write it as 1500000.00)"))
            })?;
            if c.is_empty() {
                return Err(Error::bad_request(
                    "an amount needs its currency (ISO 4217, e.g. NZD)",
                )
                .into());
            }
            Some((value, c.to_ascii_uppercase()))
        }
    };
    let c = st.store.commitment(id).await?;
    let review = CommitmentReview {
        status,
        text,
        amount,
    };
    match st
        .store
        .review_commitment(Some(actor), id, f.expect_version, &review)
        .await
    {
        Ok(c) => Ok(
            Redirect::to(&format!("/announcements/{}#c{}", c.announcement_id, c.id))
                .into_response(),
        ),
        Err(StoreError::Conflict { current, .. }) => {
            let history = st
                .store
                .audit_history("commitment", &id.to_string())
                .await?;
            let changed = super::history::since(&history, f.expect_version);
            let notice = super::history::conflict_notice(&ctx, f.expect_version, current, &changed);
            let (title, body) =
                detail_body(&ctx, &st, c.announcement_id, "USD", Some(notice)).await?;
            Ok((StatusCode::CONFLICT, layout::page(&ctx, &title, body)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn upload_form(ctx: &Ctx) -> Markup {
    let action = href(
        "/announcements/upload",
        &[("csrf", ctx.auth.csrf.as_deref().unwrap_or(""))],
    );
    html! {
        form.box method="post" action=(action) enctype="multipart/form-data" {
            (layout::csrf_field(ctx))
            p { (ctx.t("ann.upload_help")) }
            p { label { (ctx.t("import.file")) " " input type="file" name="file" accept=".md,.markdown,.txt,text/markdown,text/plain" required; } }
            p { button type="submit" { (ctx.t("ann.upload")) } }
        }
    }
}

/// `GET /announcements/upload`.
pub async fn upload_page(ctx: Ctx) -> PageResult<Response> {
    if ctx.auth.actor.is_none() {
        let body = html! { p { a href="/login?next=/announcements/upload" { (ctx.t("import.needsignin")) } } };
        return Ok((
            StatusCode::UNAUTHORIZED,
            layout::page(&ctx, ctx.t("ann.upload"), body),
        )
            .into_response());
    }
    upload::may_import(ctx.auth.require()?)?;
    Ok(layout::page(&ctx, ctx.t("ann.upload"), upload_form(&ctx)).into_response())
}

/// `POST /announcements/upload` (multipart, field `file`; CSRF in the query).
/// Shows the extracted draft, or the error naming the field and line; a
/// rejected file stores nothing.
pub async fn upload_release(
    State(st): State<AppState>,
    ctx: Ctx,
    mut multipart: Multipart,
) -> PageResult<Response> {
    let actor = ctx.auth.require()?.clone();
    upload::may_import(&actor)?;
    let received = upload::receive(&st, &actor, &mut multipart, upload::Kind::Announcement).await?;
    let name = received.name.clone();
    let text = received.read_text().await?;
    drop(received);
    let batch = format!("web {}", time::OffsetDateTime::now_utc().unix_timestamp());
    match st
        .store
        .import_announcement(Some(&actor), &name, &text, &batch)
        .await
    {
        Ok(out) => {
            tracing::info!(user = %actor.username, file = %name, id = out.id, change = out.change, "announcement uploaded");
            let notice = html! {
                div.box.ok role="status" {
                    p { strong { (ctx.t("ann.uploaded")) } ": " (name) " — " (out.change) ", "
                        a href={ "/announcements/" (out.id) } { "#" (out.id) } " (version " (out.version) ")" }
                }
            };
            let (title, body) = detail_body(&ctx, &st, out.id, "USD", Some(notice)).await?;
            let status = if out.change == "created" {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok((status, layout::page(&ctx, &title, body)).into_response())
        }
        Err(StoreError::Invalid(reason)) => {
            let body = html! {
                div.box.error role="alert" {
                    p { strong { (ctx.t("ann.rejected")) } }
                    p { (reason) }
                }
                (upload_form(&ctx))
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                layout::page(&ctx, ctx.t("ann.upload"), body),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}
