//! The framework dashboard (`/`, `/frameworks/{id}`): the coverage matrix as a
//! heat-map table (countries × priority areas, unclassified and totals), the map
//! shaded by country totals, and the partners.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, PreEscaped, html};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;
use vaka_analysis::matrix::group_thousands;
use vaka_analysis::{Cell, Dim, Matrix, MatrixMeasure, MatrixRequest, PartnerBy};
use vaka_domain::UNCLASSIFIED;

use super::download::{self, Format};
use super::{Ctx, href, layout};
use crate::AppState;
use crate::error::{Error, PageResult};

/// The matrix selection of the GET form.
#[derive(Debug, Default, Deserialize)]
pub struct MatrixQuery {
    pub currency: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub measure: Option<String>,
    pub format: Option<String>,
}

/// The selection, checked.
#[derive(Debug, Clone)]
pub struct Selection {
    pub currency: String,
    pub from: Option<i32>,
    pub to: Option<i32>,
    pub measure: MatrixMeasure,
}

pub const MEASURES: [(MatrixMeasure, &str, &str); 4] = [
    (
        MatrixMeasure::Disbursements,
        "disbursements",
        "measure.disbursements",
    ),
    (
        MatrixMeasure::Commitments,
        "commitments",
        "measure.commitments",
    ),
    (MatrixMeasure::Budgets, "budgets", "measure.budgets"),
    (
        MatrixMeasure::Activities,
        "activities",
        "measure.activities",
    ),
];

pub const CURRENCIES: [&str; 5] = ["USD", "NZD", "JPY", "AUD", "EUR"];

fn year(s: &Option<String>, what: &str) -> Result<Option<i32>, Error> {
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=2200).contains(y))
            .map(Some)
            .ok_or_else(|| Error::bad_request(format!("{what} `{v}`: give a year such as 2019"))),
    }
}

impl MatrixQuery {
    pub fn selection(&self) -> Result<Selection, Error> {
        let currency = self
            .currency
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .unwrap_or("USD")
            .to_ascii_uppercase();
        if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(Error::bad_request(format!(
                "currency `{currency}`: give an ISO 4217 code such as USD"
            )));
        }
        let measure = match self.measure.as_deref().map(str::trim) {
            None | Some("") => MatrixMeasure::Disbursements,
            Some(m) => MEASURES
                .iter()
                .find(|(_, code, _)| *code == m)
                .map(|(v, _, _)| *v)
                .ok_or_else(|| {
                    Error::bad_request(format!(
                        "measure `{m}`: use disbursements, commitments, budgets or activities"
                    ))
                })?,
        };
        let from = year(&self.from, "from")?;
        let to = year(&self.to, "to")?;
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(Error::bad_request(format!("from {f} is after to {t}")));
        }
        Ok(Selection {
            currency,
            from,
            to,
            measure,
        })
    }
}

impl Selection {
    pub fn request(&self, framework: &str, by: Vec<Dim>) -> MatrixRequest {
        MatrixRequest {
            framework: Some(framework.to_string()),
            currency: self.currency.clone(),
            from_year: self.from,
            to_year: self.to,
            measure: self.measure,
            by,
            partner_by: PartnerBy::Reporting,
        }
    }

    pub fn measure_code(&self) -> &'static str {
        MEASURES
            .iter()
            .find(|(m, _, _)| *m == self.measure)
            .map(|(_, c, _)| *c)
            .unwrap_or("disbursements")
    }

    /// Query pairs that carry this selection to another page.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("currency", self.currency.clone()),
            ("from", self.from.map(|y| y.to_string()).unwrap_or_default()),
            ("to", self.to.map(|y| y.to_string()).unwrap_or_default()),
            ("measure", self.measure_code().to_string()),
        ]
    }
}

/// The number a cell shows: money or an activity count.
pub fn cell_value(c: &Cell) -> Option<Decimal> {
    c.value.or(c.activities.map(Decimal::from))
}

pub fn show_value(c: &Cell) -> String {
    match (c.value, c.activities) {
        (Some(v), _) => group_thousands(v),
        (None, Some(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// `GET /`: the default framework's dashboard.
pub async fn home(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MatrixQuery>,
) -> PageResult<Response> {
    let id = match state.store.default_framework().await {
        Ok(id) => id,
        Err(vaka_store::StoreError::NotFound(_)) => {
            let body = html! {
                p { "No framework is loaded yet. Load one with " code { "vaka framework load" } " or start with " code { "vaka demo" } "." }
            };
            return Ok(layout::page(&ctx, ctx.t("nav.dashboard"), body).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    render(state, ctx, id, q).await
}

/// `GET /frameworks/{id}`.
pub async fn framework(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<MatrixQuery>,
) -> PageResult<Response> {
    render(state, ctx, id, q).await
}

async fn render(state: AppState, ctx: Ctx, id: String, q: MatrixQuery) -> PageResult<Response> {
    let sel = q.selection()?;
    let format = Format::parse(q.format.as_deref())?;
    let stored = state.store.framework(&id).await?;
    let fw = &stored.framework;
    let m = state
        .store
        .matrix(&sel.request(&fw.id, vec![Dim::Country, Dim::Area]))
        .await?;
    match format {
        Format::Csv => {
            let csv = m.to_csv().map_err(Error::internal)?;
            return Ok(download::csv_response(
                &format!("matrix-{}.csv", fw.id),
                csv,
            ));
        }
        Format::Xlsx => {
            let x = vaka_analysis::to_xlsx(&m).map_err(Error::internal)?;
            return Ok(download::xlsx_response(
                &format!("matrix-{}.xlsx", fw.id),
                x,
            ));
        }
        Format::Html => {}
    }
    let by_partner = state
        .store
        .matrix(&sel.request(&fw.id, vec![Dim::Partner]))
        .await?;
    let countries: HashMap<String, String> = state
        .store
        .countries()
        .await?
        .into_iter()
        .map(|c| (c.iso2, c.name))
        .collect();
    let lang = ctx.lang.code();
    let area_names: Vec<(String, String)> = fw
        .areas
        .iter()
        .map(|a| (a.id.clone(), a.name.get(lang).to_string()))
        .chain(std::iter::once((
            UNCLASSIFIED.to_string(),
            ctx.t("matrix.unclassified").to_string(),
        )))
        .collect();
    let unit = if sel.measure == MatrixMeasure::Activities {
        "activities".to_string()
    } else {
        sel.currency.clone()
    };

    let map_values: BTreeMap<String, f64> = m
        .totals
        .country
        .iter()
        .flatten()
        .filter_map(|c| Some((c.country.clone()?, cell_value(c)?.to_f64()?)))
        .collect();
    let map_title = format!("{} — {} ({unit})", fw.name, ctx.t(measure_key(sel.measure)));
    let map_svg = vaka_render::pacific_map(
        &vaka_render::MapOptions {
            id: "dash-map",
            title: &map_title,
            legend_title: ctx.t(measure_key(sel.measure)),
            unit: &unit,
            link: vaka_render::Link::Template("/countries/{iso2}"),
            ..Default::default()
        },
        &map_values,
    );

    let base = ctx.path.clone();
    let sel_pairs = sel.pairs();
    let body = html! {
        p.muted { (fw.name) " — " (fw.signed.to_string()) }
        (selection_form(&ctx, &sel, &base))
        h2 { (ctx.t("dash.matrix")) }
        p {
            (ctx.t("download")) ": "
            a href=(href(&base, &with(&sel_pairs, "format", "csv"))) { "CSV" } " · "
            a href=(href(&base, &with(&sel_pairs, "format", "xlsx"))) { "XLSX" }
        }
        (heat_table(&ctx, &fw.id, &m, &area_names, &countries, &sel))
        @if !m.unconverted.is_empty() {
            h2 { (ctx.t("matrix.unconverted")) }
            table {
                thead { tr { th { "Currency" } th { "Year" } th.num { "Amount" } } }
                tbody {
                    @for u in &m.unconverted {
                        tr { td { (if u.currency.is_empty() { "(none)" } else { &u.currency }) } td { (u.year) } td.num { (group_thousands(u.amount)) } }
                    }
                }
            }
        }
        div.grid {
            section {
                h2 { (ctx.t("dash.map")) }
                (PreEscaped(map_svg))
            }
            section {
                h2 { (ctx.t("dash.partners")) }
                table {
                    thead { tr { th { (ctx.t("partner.title")) } th.num { (ctx.t(measure_key(sel.measure))) " (" (unit) ")" } } }
                    tbody {
                        @for c in by_partner.cells.iter() {
                            @let p = c.partner.clone().unwrap_or_default();
                            tr {
                                td { a href=(format!("/partners/{}", super::segment(&p))) { (partner_label(fw, &p)) } }
                                td.num { (show_value(c)) }
                            }
                        }
                    }
                }
                h2 { (ctx.t("dash.focus")) }
                p {
                    @for (i, c) in fw.focus_countries.iter().enumerate() {
                        @if i > 0 { ", " }
                        a href=(format!("/countries/{}", super::segment(c))) { (countries.get(c).map(String::as_str).unwrap_or(c)) }
                    }
                }
            }
        }
    };
    Ok(layout::page(&ctx, &fw.short_name_or_name(), body).into_response())
}

fn with(pairs: &[(&'static str, String)], k: &'static str, v: &str) -> Vec<(&'static str, String)> {
    let mut p = pairs.to_vec();
    p.push((k, v.to_string()));
    p
}

trait ShortName {
    fn short_name_or_name(&self) -> String;
}

impl ShortName for vaka_domain::Framework {
    fn short_name_or_name(&self) -> String {
        if self.short_name.is_empty() {
            self.name.clone()
        } else {
            self.short_name.clone()
        }
    }
}

pub fn measure_key(m: MatrixMeasure) -> &'static str {
    MEASURES
        .iter()
        .find(|(x, _, _)| *x == m)
        .map(|(_, _, k)| *k)
        .unwrap_or("measure.disbursements")
}

fn partner_label(fw: &vaka_domain::Framework, org: &str) -> String {
    match fw.partners.iter().find(|p| p.matches(org)) {
        Some(p) => format!("{} ({org})", p.name),
        None => org.to_string(),
    }
}

/// The GET form choosing currency, years and measure.
pub fn selection_form(ctx: &Ctx, sel: &Selection, action: &str) -> Markup {
    html! {
        form.inline method="get" action=(action) {
            label { (ctx.t("form.currency"))
                select name="currency" {
                    @for c in CURRENCIES {
                        option value=(c) selected[c == sel.currency] { (c) }
                    }
                }
            }
            label { (ctx.t("form.from")) input type="number" name="from" min="1960" max="2100" value=[sel.from]; }
            label { (ctx.t("form.to")) input type="number" name="to" min="1960" max="2100" value=[sel.to]; }
            label { (ctx.t("form.measure"))
                select name="measure" {
                    @for (m, code, key) in MEASURES {
                        option value=(code) selected[m == sel.measure] { (ctx.t(key)) }
                    }
                }
            }
            button type="submit" { (ctx.t("form.apply")) }
        }
    }
}

/// Background and text colour of a heat-map cell.
fn heat(v: Decimal, max: Decimal) -> String {
    if max <= Decimal::ZERO || v <= Decimal::ZERO {
        return String::new();
    }
    let t = (v / max).to_f64().unwrap_or(0.0).sqrt().clamp(0.0, 1.0);
    let lerp = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    let (r, g, b) = (lerp(244.0, 11.0), lerp(248.0, 79.0), lerp(251.0, 108.0));
    let ink = if t > 0.55 { "#fff" } else { "#1d2731" };
    format!("background:#{r:02x}{g:02x}{b:02x};color:{ink}")
}

fn heat_table(
    ctx: &Ctx,
    fw: &str,
    m: &Matrix,
    areas: &[(String, String)],
    countries: &HashMap<String, String>,
    sel: &Selection,
) -> Markup {
    let mut cells: HashMap<(&str, &str), &Cell> = HashMap::new();
    for c in &m.cells {
        if let (Some(country), Some(area)) = (&c.country, &c.area) {
            cells.insert((country.as_str(), area.as_str()), c);
        }
    }
    let max = m
        .cells
        .iter()
        .filter_map(cell_value)
        .max()
        .unwrap_or_default();
    let row_totals = m.totals.country.clone().unwrap_or_default();
    let col_totals: HashMap<String, &Cell> = m
        .totals
        .area
        .iter()
        .flatten()
        .filter_map(|c| Some((c.area.clone()?, c)))
        .collect();
    let cell_href = |country: &str, area: Option<&str>| {
        let mut q = vec![
            ("framework", fw.to_string()),
            ("country", country.to_string()),
        ];
        if let Some(a) = area {
            q.push(("area", a.to_string()));
        }
        if let Some(f) = sel.from {
            q.push(("from", f.to_string()));
        }
        if let Some(t) = sel.to {
            q.push(("to", t.to_string()));
        }
        href("/activities", &q)
    };
    if row_totals.is_empty() {
        return html! { p.muted { (ctx.t("dash.nodata")) } };
    }
    html! {
        div.scroll {
            table.heat {
                caption.muted { (ctx.t(measure_key(sel.measure))) ", " (if sel.measure == MatrixMeasure::Activities { "" } else { &sel.currency }) }
                thead {
                    tr {
                        th scope="col" { (ctx.t("matrix.country")) }
                        @for (id, name) in areas {
                            th.num scope="col" { a href=(format!("/areas/{}/{}", super::segment(fw), super::segment(id))) { (name) } }
                        }
                        th.num scope="col" { (ctx.t("matrix.total")) }
                    }
                }
                tbody {
                    @for total in &row_totals {
                        @let iso = total.country.clone().unwrap_or_default();
                        tr {
                            th scope="row" {
                                a href=(format!("/countries/{}", super::segment(&iso))) { (countries.get(&iso).map(String::as_str).unwrap_or(&iso)) }
                            }
                            @for (area, _) in areas {
                                @match cells.get(&(iso.as_str(), area.as_str())).filter(|c| cell_value(c).is_some_and(|v| !v.is_zero())) {
                                    Some(c) => {
                                        td.num style=(heat(cell_value(c).unwrap_or_default(), max)) {
                                            a href=(cell_href(&iso, Some(area))) { (show_value(c)) }
                                        }
                                    }
                                    None => { td.num {} }
                                }
                            }
                            @if cell_value(total).is_some_and(|v| !v.is_zero()) {
                                td.num { strong { a href=(cell_href(&iso, None)) { (show_value(total)) } } }
                            } @else {
                                td.num { (show_value(total)) }
                            }
                        }
                    }
                }
                tfoot {
                    tr {
                        th scope="row" { (ctx.t("matrix.total")) }
                        @for (area, _) in areas {
                            td.num { strong { (col_totals.get(area).map(|c| show_value(c)).unwrap_or_default()) } }
                        }
                        td.num { strong { (show_value(&m.totals.grand)) } }
                    }
                }
            }
        }
    }
}
