//! The activity list (`/activities`, filters and paging), search (`/search?q=`)
//! and the activity page (`/activities/{iati-identifier}`).

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;
use vaka_store::read::search::SearchHit;
use vaka_store::read::{ActivityFilter, ActivitySummary, Amount, Page};

use super::download::{self, Format};
use super::{Ctx, href, layout, segment};
use crate::AppState;
use crate::error::{Error, PageResult};

/// Query of the list and search pages.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub q: Option<String>,
    pub country: Option<String>,
    pub area: Option<String>,
    pub framework: Option<String>,
    pub partner: Option<String>,
    pub status: Option<String>,
    pub year: Option<String>,
    pub after: Option<String>,
    pub format: Option<String>,
}

fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

impl ListQuery {
    fn filter(&self, limit: u32) -> Result<ActivityFilter, Error> {
        let year = match opt(&self.year) {
            None => None,
            Some(y) => Some(y.parse::<i32>().map_err(|_| {
                Error::bad_request(format!("year `{y}`: give a year such as 2020"))
            })?),
        };
        Ok(ActivityFilter {
            q: opt(&self.q),
            country: opt(&self.country).map(|c| c.to_ascii_uppercase()),
            area: opt(&self.area),
            framework: opt(&self.framework),
            partner: opt(&self.partner),
            status: opt(&self.status),
            year,
            after: opt(&self.after),
            limit,
        })
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        [
            ("q", &self.q),
            ("country", &self.country),
            ("area", &self.area),
            ("framework", &self.framework),
            ("partner", &self.partner),
            ("status", &self.status),
            ("year", &self.year),
        ]
        .into_iter()
        .filter_map(|(k, v)| opt(v).map(|v| (k, v)))
        .collect()
    }
}

/// The title in the page's language when the data has it, else the activity's own.
pub fn title_in(ctx: &Ctx, a: &ActivitySummary) -> String {
    a.titles
        .iter()
        .find(|n| n.lang.as_deref() == Some(ctx.lang.code()))
        .map(|n| n.text.clone())
        .or_else(|| a.title.clone())
        .unwrap_or_else(|| "(untitled)".into())
}

fn amounts(v: &[Amount]) -> String {
    v.iter()
        .map(|a| format!("{} {}", a.value, a.currency))
        .collect::<Vec<_>>()
        .join("; ")
}

const HEADERS: [&str; 9] = [
    "iati_identifier",
    "title",
    "reporting_org",
    "status",
    "countries",
    "start",
    "end",
    "committed",
    "disbursed",
];

fn row(ctx: &Ctx, a: &ActivitySummary) -> Vec<String> {
    let d = &a.dates;
    vec![
        a.iati_identifier.clone(),
        title_in(ctx, a),
        a.reporting_org.clone(),
        a.status
            .as_ref()
            .map(|s| s.name.clone().unwrap_or_else(|| s.code.clone()))
            .unwrap_or_default(),
        a.countries.join(" "),
        d.actual_start
            .clone()
            .or(d.planned_start.clone())
            .unwrap_or_default(),
        d.actual_end
            .clone()
            .or(d.planned_end.clone())
            .unwrap_or_default(),
        amounts(&a.committed),
        amounts(&a.disbursed),
    ]
}

fn hits(p: Page<SearchHit>) -> Page<ActivitySummary> {
    Page {
        items: p.items.into_iter().map(|h| h.activity).collect(),
        next: p.next,
        total: p.total,
    }
}

/// `snippet` as HTML: the text escaped, each `[start, end)` byte range of
/// `marks` wrapped in `<mark>`. The text is data, so only the marks are markup;
/// a range that is out of order, out of bounds or not on character boundaries
/// is skipped, never trusted.
pub fn highlight(snippet: &str, marks: &[[usize; 2]]) -> Markup {
    let mut parts: Vec<(&str, bool)> = Vec::with_capacity(marks.len() * 2 + 1);
    let mut at = 0;
    for &[start, end] in marks {
        let (Some(before), Some(marked)) = (snippet.get(at..start), snippet.get(start..end)) else {
            continue;
        };
        if marked.is_empty() {
            continue;
        }
        parts.push((before, false));
        parts.push((marked, true));
        at = end;
    }
    parts.push((snippet.get(at..).unwrap_or(""), false));
    html! {
        @for (text, marked) in parts {
            @if marked { mark { (text) } } @else { (text) }
        }
    }
}

/// `GET /activities`.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> PageResult<Response> {
    render_list(state, ctx, q, false).await
}

/// `GET /search`.
pub async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> PageResult<Response> {
    render_list(state, ctx, q, true).await
}

async fn render_list(
    state: AppState,
    ctx: Ctx,
    q: ListQuery,
    is_search: bool,
) -> PageResult<Response> {
    let format = Format::parse(q.format.as_deref())?;
    let title = if is_search {
        ctx.t("nav.search")
    } else {
        ctx.t("nav.activities")
    };
    if is_search && opt(&q.q).is_none() && format == Format::Html {
        let body = html! { (filter_form(&ctx, &q, "/search")) };
        return Ok(layout::page(&ctx, title, body).into_response());
    }
    if format != Format::Html {
        // Downloads hold every match, page by page.
        let mut rows = Vec::new();
        let mut f = q.filter(500)?;
        loop {
            let page = if f.q.is_some() {
                hits(state.store.search(&f).await?)
            } else {
                state.store.activities(&f).await?
            };
            rows.extend(page.items.iter().map(|a| row(&ctx, a)));
            match page.next {
                Some(n) if rows.len() < 100_000 => f.after = Some(n),
                _ => break,
            }
        }
        let name = if is_search { "search" } else { "activities" };
        return Ok(
            download::list(format, name, &HEADERS, &rows)?.unwrap_or_else(|| ().into_response())
        );
    }
    let f = q.filter(50)?;
    // Search results keep their snippet, shown under the title.
    let (page, snippets): (Page<ActivitySummary>, Vec<Option<Markup>>) = if f.q.is_some() {
        let found = state.store.search(&f).await?;
        let snippets = found
            .items
            .iter()
            .map(|h| {
                Some(h.snippet.as_str())
                    .filter(|s| !s.is_empty())
                    .map(|s| highlight(s, &h.marks))
            })
            .collect();
        (hits(found), snippets)
    } else {
        let page = state.store.activities(&f).await?;
        let none = vec![None; page.items.len()];
        (page, none)
    };
    let action = if is_search { "/search" } else { "/activities" };
    let pairs = q.pairs();
    let with = |k: &'static str, v: &str| {
        let mut p = pairs.clone();
        p.push((k, v.to_string()));
        href(action, &p)
    };
    let body = html! {
        (filter_form(&ctx, &q, action))
        p.muted { (page.total) " · " (ctx.t("download")) ": " a href=(with("format", "csv")) { "CSV" } " · " a href=(with("format", "xlsx")) { "XLSX" } }
        @if page.items.is_empty() {
            p { (ctx.t("list.none")) }
        } @else {
            div.scroll { table {
                thead { tr { th { (ctx.t("activity.identifier")) } th { (ctx.t("activity.title")) } th { (ctx.t("partner.title")) } th { (ctx.t("activity.status")) } th { (ctx.t("activity.countries")) } th.num { (ctx.t("measure.commitments")) } th.num { (ctx.t("measure.disbursements")) } } }
                tbody {
                    @for (a, snippet) in page.items.iter().zip(&snippets) {
                        tr {
                            td { a href=(format!("/activities/{}", segment(&a.iati_identifier))) { (a.iati_identifier) } }
                            td {
                                (title_in(&ctx, a))
                                @if let Some(s) = snippet { div.snippet { (s) } }
                            }
                            td { a href=(format!("/partners/{}", segment(&a.reporting_org))) { (a.reporting_org_name.as_deref().unwrap_or(&a.reporting_org)) } }
                            td { (a.status.as_ref().map(|s| s.name.clone().unwrap_or_else(|| s.code.clone())).unwrap_or_default()) }
                            td { (a.countries.join(" ")) }
                            td.num { (amounts(&a.committed)) }
                            td.num { (amounts(&a.disbursed)) }
                        }
                    }
                }
            } }
        }
        div.pager {
            @if q.after.is_some() { a href=(href(action, &pairs)) { "« " (ctx.t("list.prev")) } }
            @if let Some(n) = &page.next { a href=(with("after", n)) rel="next" { (ctx.t("list.next")) " »" } }
        }
    };
    Ok(layout::page(&ctx, title, body).into_response())
}

fn filter_form(ctx: &Ctx, q: &ListQuery, action: &str) -> Markup {
    let v = |s: &Option<String>| opt(s).unwrap_or_default();
    html! {
        form.inline method="get" action=(action) role="search" {
            label { (ctx.t("nav.search")) input type="search" name="q" value=(v(&q.q)) placeholder=(ctx.t("search.placeholder")); }
            label { (ctx.t("matrix.country")) input type="text" name="country" size="3" value=(v(&q.country)); }
            label { (ctx.t("area.title")) input type="text" name="area" value=(v(&q.area)); }
            label { (ctx.t("partner.title")) input type="text" name="partner" value=(v(&q.partner)); }
            label { (ctx.t("activity.status")) input type="text" name="status" size="2" value=(v(&q.status)); }
            label { "Year" input type="number" name="year" value=(v(&q.year)); }
            @if let Some(fw) = opt(&q.framework) { input type="hidden" name="framework" value=(fw); }
            button type="submit" { (ctx.t("form.apply")) }
        }
    }
}

/// `GET /activities/{iati-identifier}`.
pub async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let Some(d) = state.store.activity(&id).await? else {
        return Err(Error::not_found(format!("activity `{id}`")).into());
    };
    let a = &d.summary;
    let doc = &d.activity;
    let section = |key: &str, label: &str| -> Markup {
        match doc.get(key) {
            Some(v) if !is_empty(v) => html! { h2 { (label) } div.scroll { (render_value(v)) } },
            _ => html! {},
        }
    };
    let body = html! {
        p.muted { (ctx.t("activity.identifier")) ": " code { (a.iati_identifier) } " · "
            a href=(format!("/partners/{}", segment(&a.reporting_org))) { (a.reporting_org_name.as_deref().unwrap_or(&a.reporting_org)) } }
        @if let Some(desc) = doc.get("description") { @if !is_empty(desc) { div.box { (render_value(desc)) } } }
        table {
            tr { th { (ctx.t("activity.status")) } td { (a.status.as_ref().map(|s| format!("{} {}", s.code, s.name.clone().unwrap_or_default())).unwrap_or_default()) } }
            tr { th { (ctx.t("activity.dates")) } td {
                "planned " (a.dates.planned_start.as_deref().unwrap_or("?")) " – " (a.dates.planned_end.as_deref().unwrap_or("?"))
                "; actual " (a.dates.actual_start.as_deref().unwrap_or("?")) " – " (a.dates.actual_end.as_deref().unwrap_or("?")) } }
            tr { th { (ctx.t("activity.countries")) } td {
                @for c in &a.countries { a href=(format!("/countries/{}", segment(c))) { (c) } " " } } }
            tr { th { (ctx.t("measure.commitments")) } td { (amounts(&a.committed)) } }
            tr { th { (ctx.t("measure.disbursements")) } td { (amounts(&a.disbursed)) } }
        }
        h2 { (ctx.t("activity.tags")) }
        @if d.tags.is_empty() { p.muted { (ctx.t("matrix.unclassified")) } } @else {
            table {
                thead { tr { th { "Framework" } th { (ctx.t("area.title")) } th.num { "Share" } th { "Rule" } th { "Why" } } }
                tbody { @for t in &d.tags { tr {
                    td { (t.framework_id) }
                    td { a href=(format!("/areas/{}/{}", segment(&t.framework_id), segment(&t.area_id))) { (t.area_id) } }
                    td.num { (t.share) }
                    td { (t.rule_kind) " " code { (t.rule_code) } }
                    td { (t.explanation) }
                } } }
            }
        }
        @if !d.overrides.is_empty() {
            h2 { "Classification set by people" }
            ul { @for o in &d.overrides { li { (o.framework_id) ": " (format!("{:?}", o.shares)) " — " (o.set_by) ", " (o.set_at) ": " (o.reason) } } }
        }
        (section("participating_orgs", ctx.t("activity.participants")))
        (section("sectors", ctx.t("activity.sectors")))
        (section("budgets", ctx.t("activity.budgets")))
        @if !d.transactions.is_empty() {
            h2 { (ctx.t("activity.transactions")) }
            div.scroll { table {
                thead { tr { th { "Type" } th { "Date" } th.num { "Value" } th { "Currency" } th { "Provider" } th { "Receiver" } th.num { "Line" } } }
                tbody { @for t in &d.transactions { tr {
                    td { (t.type_.as_ref().map(|c| c.name.clone().unwrap_or_else(|| c.code.clone())).unwrap_or_default()) }
                    td { (t.date.as_deref().unwrap_or("")) }
                    td.num { (t.value.as_deref().unwrap_or("")) }
                    td { (t.currency) }
                    td { (t.provider_name.as_deref().or(t.provider_ref.as_deref()).unwrap_or("")) }
                    td { (t.receiver_name.as_deref().or(t.receiver_ref.as_deref()).unwrap_or("")) }
                    td.num { (t.line) }
                } } }
            } }
        }
        (section("results", ctx.t("activity.results")))
        (section("locations", ctx.t("activity.locations")))
        (section("document_links", ctx.t("activity.documents")))
        (section("related_activities", ctx.t("activity.related")))
        h2 { (ctx.t("activity.diagnostics")) }
        @if d.diagnostics.is_empty() { p.muted { "—" } } @else {
            table { tbody { @for g in &d.diagnostics { tr { td { (g.severity) } td { (g.kind) } td { (g.path) } td { (g.message) } td.num { "line " (g.line) } } } } }
        }
        h2 { (ctx.t("activity.provenance")) }
        table { tbody { @for p in &d.copies { tr {
            td { (p.file) } td.num { "line " (p.line) } td { "IATI " (p.iati_version) } td { "import run " (p.import_run_id) } td { (p.imported_at) } td { code { (p.sha256.get(..12).unwrap_or(&p.sha256)) } }
        } } } }
    };
    Ok(layout::page(&ctx, &title_in(&ctx, a), body).into_response())
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

/// Any part of the stored activity document, as nested tables: nothing the
/// reader keeps is hidden from the page.
pub fn render_value(v: &Value) -> Markup {
    match v {
        Value::Null => html! {},
        Value::Bool(b) => html! { (b) },
        Value::Number(n) => html! { (n.to_string()) },
        Value::String(s) => html! { (s) },
        Value::Array(items) if items.iter().all(|i| i.is_object()) && !items.is_empty() => {
            let mut keys: Vec<&String> = Vec::new();
            for i in items {
                if let Some(o) = i.as_object() {
                    for k in o.keys() {
                        if !keys.contains(&k) {
                            keys.push(k);
                        }
                    }
                }
            }
            html! { table {
                thead { tr { @for k in &keys { th { (k.replace('_', " ")) } } } }
                tbody { @for i in items { tr { @for k in &keys { td { (i.get(k.as_str()).map(render_value).unwrap_or_default()) } } } } }
            } }
        }
        Value::Array(items) => html! { ul { @for i in items { li { (render_value(i)) } } } },
        Value::Object(o) => {
            // A narrative list: show text with its language.
            if let (Some(Value::String(text)), true) = (o.get("text"), o.len() <= 2) {
                return html! { (text) @if let Some(Value::String(l)) = o.get("lang") { " " span.muted { "[" (l) "]" } } };
            }
            html! { table { tbody { @for (k, v) in o { @if !is_empty(v) { tr { th { (k.replace('_', " ")) } td { (render_value(v)) } } } } } } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::highlight;

    #[test]
    fn highlight_escapes_the_text_and_marks_only_the_ranges() {
        let s = "a <script>x</script> & b";
        let html = highlight(s, &[[3, 9]]).into_string();
        assert_eq!(
            html,
            "a &lt;<mark>script</mark>&gt;x&lt;/script&gt; &amp; b"
        );
    }

    #[test]
    fn highlight_skips_ranges_it_cannot_trust() {
        let s = "太陽光発電";
        // Not on a character boundary, reversed, past the end, overlapping.
        let html = highlight(s, &[[1, 3], [6, 3], [9, 99], [0, 9], [3, 6]]).into_string();
        assert_eq!(html, "<mark>太陽光</mark>発電");
        assert_eq!(highlight("", &[]).into_string(), "");
    }
}
