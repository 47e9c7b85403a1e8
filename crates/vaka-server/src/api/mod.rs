//! The JSON API under `/api/v1` and its OpenAPI document.
//!
//! Handlers are thin: they parse query parameters (a bad one is a 400 that
//! names it), call one `vaka_store` read method and return its value as JSON.
//! Lists page with opaque cursors: `{"items": [...], "next": "..."|null,
//! "total": n}`; pass `next` back as `after`. Every 4xx/5xx has the one error
//! shape of [`crate::error`]. The OpenAPI document ([`openapi_json`]) is built
//! from [`ROUTES`], the same table that mounts the handlers.

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use vaka_analysis::matrix::{Dim, MatrixMeasure, MatrixRequest, PartnerBy};
use vaka_iati::{DiagnosticKind, Severity};
use vaka_store::diagnostics::DiagnosticFilter;
use vaka_store::read::{ActivityFilter, TransactionFilter};

use crate::AppState;
use crate::error::{ApiResult, Error};

mod imports;
mod openapi;
mod openapi_coord;

pub use openapi::{In, Param, ROUTES, Route, openapi_json};
pub use openapi_coord::{Access, Answer, COORD_ROUTES, CoordRoute, RequestBody};

type Json = axum::Json<serde_json::Value>;

fn json<T: serde::Serialize>(v: &T) -> ApiResult<Json> {
    Ok(axum::Json(
        serde_json::to_value(v).map_err(Error::internal)?,
    ))
}

/// Query parameters, or a 400 naming the one that is wrong.
fn params<T: DeserializeOwned>(q: Result<Query<T>, QueryRejection>) -> ApiResult<T> {
    q.map(|Query(t)| t).map_err(|e| {
        let text = e.body_text();
        let text = text
            .strip_prefix("Failed to deserialize query string: ")
            .unwrap_or(&text);
        Error::bad_request(format!("query parameter {text}")).into()
    })
}

/// Routes of the JSON API, mounted under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/frameworks", get(frameworks))
        .route("/frameworks/{id}", get(framework))
        .route("/frameworks/{id}/areas", get(areas))
        .route("/frameworks/{id}/areas/{area}", get(area))
        .route("/countries", get(countries))
        .route("/countries/{iso2}", get(country))
        .route("/partners", get(partners))
        .route("/partners/{*ref}", get(partner))
        .route("/activities", get(activities))
        .route("/activities/{*id}", get(activity))
        .route("/transactions", get(transactions))
        .route("/matrix", get(matrix))
        .route("/search", get(search))
        .route("/diagnostics", get(diagnostics))
        .route("/imports", get(imports).post(imports::upload))
}

async fn frameworks(State(s): State<AppState>) -> ApiResult<Json> {
    json(&s.store.frameworks().await?)
}

async fn framework(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Json> {
    json(&s.store.framework(&id).await?)
}

async fn areas(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Json> {
    json(&s.store.framework(&id).await?.framework.areas)
}

async fn area(
    State(s): State<AppState>,
    Path((id, area)): Path<(String, String)>,
) -> ApiResult<Json> {
    match s.store.area_summary(&id, &area).await? {
        Some(a) => json(&a),
        None => Err(Error::not_found(format!("area `{area}` of framework `{id}`")).into()),
    }
}

async fn countries(State(s): State<AppState>) -> ApiResult<Json> {
    json(&s.store.countries().await?)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkParam {
    framework: Option<String>,
}

async fn country(
    State(s): State<AppState>,
    Path(iso2): Path<String>,
    q: Result<Query<FrameworkParam>, QueryRejection>,
) -> ApiResult<Json> {
    let p = params(q)?;
    match s
        .store
        .country_summary(&iso2, p.framework.as_deref())
        .await?
    {
        Some(c) => json(&c),
        None => Err(Error::not_found(format!("country `{iso2}`")).into()),
    }
}

async fn partners(State(s): State<AppState>) -> ApiResult<Json> {
    json(&s.store.partners().await?)
}

async fn partner(State(s): State<AppState>, Path(r): Path<String>) -> ApiResult<Json> {
    match s.store.partner(&r).await? {
        Some(p) => json(&p),
        None => Err(Error::not_found(format!("partner `{r}`")).into()),
    }
}

/// The filters of `/activities` and `/search`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityParams {
    q: Option<String>,
    country: Option<String>,
    area: Option<String>,
    framework: Option<String>,
    partner: Option<String>,
    status: Option<String>,
    year: Option<i32>,
    after: Option<String>,
    limit: Option<u32>,
}

impl ActivityParams {
    fn filter(self) -> ApiResult<ActivityFilter> {
        Ok(ActivityFilter {
            q: self.q,
            country: self.country,
            area: self.area,
            framework: self.framework,
            partner: self.partner,
            status: self.status,
            year: self.year,
            after: self.after,
            limit: limit(self.limit)?,
        })
    }
}

fn limit(l: Option<u32>) -> ApiResult<u32> {
    match l {
        None => Ok(0),
        Some(n) if (1..=vaka_store::read::MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => Err(Error::bad_request(format!(
            "query parameter limit: {n} is not between 1 and {}",
            vaka_store::read::MAX_LIMIT
        ))
        .into()),
    }
}

async fn activities(
    State(s): State<AppState>,
    q: Result<Query<ActivityParams>, QueryRejection>,
) -> ApiResult<Json> {
    let f = params(q)?.filter()?;
    json(&s.store.activities(&f).await?)
}

async fn activity(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Json> {
    match s.store.activity(&id).await? {
        Some(a) => json(&a),
        None => Err(Error::not_found(format!("activity `{id}`")).into()),
    }
}

async fn search(
    State(s): State<AppState>,
    q: Result<Query<ActivityParams>, QueryRejection>,
) -> ApiResult<Json> {
    let p = params(q)?;
    if p.q.as_deref().is_none_or(|q| q.trim().is_empty()) {
        return Err(Error::bad_request("query parameter q: give the words to search for").into());
    }
    let f = p.filter()?;
    json(&s.store.search(&f).await?)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TransactionParams {
    activity: Option<String>,
    country: Option<String>,
    partner: Option<String>,
    #[serde(rename = "type")]
    type_: Option<String>,
    year: Option<i32>,
    area: Option<String>,
    framework: Option<String>,
    after: Option<String>,
    limit: Option<u32>,
}

async fn transactions(
    State(s): State<AppState>,
    q: Result<Query<TransactionParams>, QueryRejection>,
) -> ApiResult<Json> {
    let p = params(q)?;
    let f = TransactionFilter {
        activity: p.activity,
        country: p.country,
        partner: p.partner,
        type_: p.type_,
        year: p.year,
        area: p.area,
        framework: p.framework,
        after: p.after,
        limit: limit(p.limit)?,
    };
    json(&s.store.transactions(&f).await?)
}

/// The parameters of `vaka report matrix`, with the same defaults.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MatrixParams {
    framework: Option<String>,
    currency: Option<String>,
    from: Option<i32>,
    to: Option<i32>,
    measure: Option<String>,
    by: Option<String>,
    partner_by: Option<String>,
}

fn matrix_request(p: MatrixParams) -> ApiResult<MatrixRequest> {
    if let (Some(f), Some(t)) = (p.from, p.to)
        && f > t
    {
        return Err(
            Error::bad_request(format!("query parameter from: {f} is after to {t}")).into(),
        );
    }
    let measure = match p.measure.as_deref().unwrap_or("disbursements") {
        "disbursements" => MatrixMeasure::Disbursements,
        "commitments" => MatrixMeasure::Commitments,
        "budgets" => MatrixMeasure::Budgets,
        "activities" => MatrixMeasure::Activities,
        other => {
            return Err(Error::bad_request(format!(
                "query parameter measure: `{other}` is not one of disbursements, commitments, budgets, activities"
            ))
            .into());
        }
    };
    let partner_by = match p.partner_by.as_deref().unwrap_or("reporting") {
        "reporting" => PartnerBy::Reporting,
        "funding" => PartnerBy::Funding,
        other => {
            return Err(Error::bad_request(format!(
                "query parameter partner_by: `{other}` is not one of reporting, funding"
            ))
            .into());
        }
    };
    let mut by = Vec::new();
    for d in
        p.by.as_deref()
            .unwrap_or("country,area")
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty())
    {
        let dim = match d {
            "country" => Dim::Country,
            "area" => Dim::Area,
            "partner" => Dim::Partner,
            "year" => Dim::Year,
            other => {
                return Err(Error::bad_request(format!(
                    "query parameter by: `{other}` is not a grouping: use country, area, partner or year"
                ))
                .into());
            }
        };
        if by.contains(&dim) {
            return Err(
                Error::bad_request(format!("query parameter by: `{d}` is given twice")).into(),
            );
        }
        by.push(dim);
    }
    Ok(MatrixRequest {
        framework: p.framework,
        currency: p
            .currency
            .unwrap_or_else(|| "USD".into())
            .to_ascii_uppercase(),
        from_year: p.from,
        to_year: p.to,
        measure,
        by,
        partner_by,
    })
}

async fn matrix(
    State(s): State<AppState>,
    q: Result<Query<MatrixParams>, QueryRejection>,
) -> ApiResult<Json> {
    let req = matrix_request(params(q)?)?;
    Ok(axum::Json(s.store.matrix(&req).await?.to_json()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DiagnosticParams {
    severity: Option<String>,
    kind: Option<String>,
    file: Option<String>,
    activity: Option<String>,
    limit: Option<u64>,
}

async fn diagnostics(
    State(s): State<AppState>,
    q: Result<Query<DiagnosticParams>, QueryRejection>,
) -> ApiResult<Json> {
    let p = params(q)?;
    let min_severity = match p.severity.as_deref() {
        None => None,
        Some(v) => Some(Severity::parse(v).ok_or_else(|| {
            Error::bad_request(format!(
                "query parameter severity: `{v}` is not one of critical, error, warning"
            ))
        })?),
    };
    let kind = match p.kind.as_deref() {
        None => None,
        Some(v) => Some(DiagnosticKind::parse(v).ok_or_else(|| {
            Error::bad_request(format!(
                "query parameter kind: `{v}` is not a diagnostic kind"
            ))
        })?),
    };
    let f = DiagnosticFilter {
        min_severity,
        kind,
        file: p.file,
        activity: p.activity,
        limit: Some(p.limit.unwrap_or(1000).min(10_000)),
    };
    json(&s.store.diagnostics(&f).await?)
}

async fn imports(State(s): State<AppState>) -> ApiResult<Json> {
    json(&serde_json::json!({ "datasets": s.store.datasets().await? }))
}
