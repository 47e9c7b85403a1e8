//! The country page (`/countries/{iso2}`), the priority-area page
//! (`/areas/{framework}/{area}`) and the partner page (`/partners/{ref}`).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::{PreEscaped, html};
use rust_decimal::prelude::ToPrimitive;
use vaka_store::read::ActivityFilter;

use super::activities::title_in;
use super::dashboard::{cell_value, show_value};
use super::{Ctx, href, layout, segment};
use crate::AppState;
use crate::error::{Error, PageResult};

/// `GET /countries/{iso2}`.
pub async fn country(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(iso2): Path<String>,
) -> PageResult<Response> {
    let Some(s) = state.store.country_summary(&iso2, None).await? else {
        return Err(Error::not_found(format!("country `{iso2}`")).into());
    };
    let c = &s.country;
    let fw = state.store.framework(&s.framework).await?.framework;
    let area_name = |id: &str| {
        fw.areas
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.get(ctx.lang.code()).to_string())
            .unwrap_or_else(|| id.to_string())
    };
    let map = vaka_render::country_bbox_map(
        &c.iso2,
        &vaka_render::CountryMapOptions {
            title: Some(&c.name),
            ..Default::default()
        },
    )
    .unwrap_or_default();
    let recent = state
        .store
        .activities(&ActivityFilter {
            country: Some(c.iso2.clone()),
            limit: 20,
            ..Default::default()
        })
        .await?;
    let body = html! {
        p.muted { (c.subregion) " · " (c.capital) @if let Some(p) = c.population { " · population " (p) } }
        div.grid {
            section { (PreEscaped(map)) }
            section {
                h2 { (ctx.t("dash.partners")) }
                table { tbody { @for p in &s.partners { tr {
                    td { a href=(format!("/partners/{}", segment(&p.ref_))) { (p.name.as_deref().unwrap_or(&p.ref_)) } }
                    td.num { (p.activities) }
                } } } }
            }
        }
        h2 { (ctx.t("country.coverage_area")) " (" (fw.short_name) ", " (ctx.t("measure.disbursements")) " USD)" }
        table { tbody { @for cell in &s.by_area {
            @let area = cell.area.clone().unwrap_or_default();
            tr {
                td { a href=(href("/activities", &[("country", c.iso2.as_str()), ("framework", fw.id.as_str()), ("area", area.as_str())])) { (area_name(&area)) } }
                td.num { (show_value(cell)) }
            }
        } } }
        @if let Some(plan) = &s.plan {
            h2 { (ctx.t("country.coverage_plan")) }
            p { (plan.plan_name) " (" (plan.period) ")" }
            ul { @for p in &plan.pillars { li { (p.name) } } }
        }
        h2 { (ctx.t("nav.activities")) " (" (s.activities) ")" }
        ul { @for a in &recent.items { li { a href=(format!("/activities/{}", segment(&a.iati_identifier))) { (title_in(&ctx, a)) } " — " (a.reporting_org) } } }
        p { a href=(href("/activities", &[("country", c.iso2.as_str())])) { (ctx.t("list.next")) " »" } }
        h2 { (ctx.t("country.regional")) }
        ul { @for a in &s.regional_programmes { li { a href=(format!("/activities/{}", segment(&a.iati_identifier))) { (a.title.as_deref().unwrap_or(&a.iati_identifier)) } " — " (a.reporting_org) } } }
    };
    Ok(layout::page(&ctx, &c.name, body).into_response())
}

/// `GET /areas/{framework}/{area}`.
pub async fn area(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((fw, area)): Path<(String, String)>,
) -> PageResult<Response> {
    let Some(s) = state.store.area_summary(&fw, &area).await? else {
        return Err(Error::not_found(format!("priority area `{area}` of `{fw}`")).into());
    };
    let values: BTreeMap<String, f64> = s
        .by_country
        .iter()
        .filter_map(|c| Some((c.country.clone()?, cell_value(c)?.to_f64()?)))
        .collect();
    let name = s.area.name.get(ctx.lang.code()).to_string();
    let map = vaka_render::pacific_map(
        &vaka_render::MapOptions {
            id: "area-map",
            title: &name,
            legend_title: ctx.t("measure.disbursements"),
            unit: "USD",
            link: vaka_render::Link::Template("/countries/{iso2}"),
            ..Default::default()
        },
        &values,
    );
    let body = html! {
        p { (s.area.description) }
        p { a href=(href("/activities", &[("framework", s.framework.as_str()), ("area", s.area.id.as_str())])) { (s.activities) " " (ctx.t("nav.activities")) } }
        div.grid {
            section { (PreEscaped(map)) }
            section {
                h2 { (ctx.t("matrix.country")) " (USD)" }
                table { tbody { @for c in &s.by_country { @let iso = c.country.clone().unwrap_or_default(); tr {
                    td { a href=(format!("/countries/{}", segment(&iso))) { (iso) } }
                    td.num { (show_value(c)) }
                } } } }
                h2 { (ctx.t("dash.partners")) }
                table { tbody { @for p in &s.partners { tr {
                    td { a href=(format!("/partners/{}", segment(&p.ref_))) { (p.name.as_deref().unwrap_or(&p.ref_)) } }
                    td.num { (p.activities) }
                } } } }
            }
        }
    };
    Ok(layout::page(&ctx, &name, body).into_response())
}

/// `GET /partners/{ref}`.
pub async fn partner(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(r): Path<String>,
) -> PageResult<Response> {
    let Some(p) = state.store.partner(&r).await? else {
        return Err(Error::not_found(format!("partner `{r}`")).into());
    };
    let s = &p.summary;
    let recent = state
        .store
        .activities(&ActivityFilter {
            partner: Some(s.ref_.clone()),
            limit: 20,
            ..Default::default()
        })
        .await?;
    let body = html! {
        p.muted { code { (s.ref_) } " · " (s.activities) " " (ctx.t("nav.activities")) " · "
            (ctx.t("measure.commitments")) " USD " (s.committed_usd.as_deref().unwrap_or("–")) " · "
            (ctx.t("measure.disbursements")) " USD " (s.disbursed_usd.as_deref().unwrap_or("–")) }
        div.grid {
            section {
                h2 { (ctx.t("matrix.country")) }
                table { tbody { @for c in &p.countries { tr {
                    td { a href=(href("/activities", &[("partner", s.ref_.as_str()), ("country", c.country.as_str())])) { (c.country) } }
                    td.num { (c.activities) }
                } } } }
            }
            section {
                h2 { (ctx.t("activity.participants")) }
                table { tbody { @for r in &p.roles { tr {
                    td { (r.role.name.as_deref().unwrap_or(&r.role.code)) }
                    td.num { (r.activities) }
                } } } }
            }
        }
        h2 { (ctx.t("nav.activities")) }
        ul { @for a in &recent.items { li { a href=(format!("/activities/{}", segment(&a.iati_identifier))) { (title_in(&ctx, a)) } } } }
        p { a href=(href("/activities", &[("partner", s.ref_.as_str())])) { (ctx.t("list.next")) " »" } }
    };
    Ok(layout::page(&ctx, s.name.as_deref().unwrap_or(&s.ref_), body).into_response())
}
