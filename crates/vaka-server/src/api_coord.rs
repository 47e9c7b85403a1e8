//! The JSON API of the framework at work: announcements and commitments, joint
//! projects and their lifecycle, consultations and action items.
//!
//! Permissions are decided by `vaka-coord` inside the store; this module only
//! turns requests into store calls. A stale write answers 409 with the error
//! shape plus `current_version`, so a client can reload and reapply.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post, put};
use axum::{Json, Router};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use vaka_coord::commitment::ReviewStatus;
use vaka_coord::consultation::{ActionStatus, ConsultationInput};
use vaka_coord::project::{Action, ProjectInput, parse_date};
use vaka_store::StoreError;
use vaka_store::coord::{ActionFilter, CommitmentReview, ItemRecord};

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, Error};

/// Builds the method router of one route.
pub type Handler = fn() -> MethodRouter<AppState>;

/// Every route: method, full `/api/v1/…` path and handler. [`routes`] mounts
/// exactly these, and a test checks that they are the ones the OpenAPI
/// document describes (`crate::api::COORD_ROUTES`), both ways.
pub const MOUNTED: &[(&str, &str, Handler)] = &[
    ("get", "/api/v1/announcements", || get(announcements)),
    ("post", "/api/v1/announcements", || {
        post(import_announcement)
    }),
    ("get", "/api/v1/announcements/{id}", || get(announcement)),
    ("get", "/api/v1/commitments/{id}", || get(commitment_status)),
    ("post", "/api/v1/commitments/{id}/review", || {
        post(review_commitment)
    }),
    ("post", "/api/v1/commitments/{id}/links", || {
        post(link_commitment)
    }),
    ("get", "/api/v1/projects", || get(projects)),
    ("post", "/api/v1/projects", || post(create_project)),
    ("get", "/api/v1/projects/{id}", || get(project)),
    ("put", "/api/v1/projects/{id}", || put(update_project)),
    ("post", "/api/v1/projects/{id}/transitions", || {
        post(transition)
    }),
    ("post", "/api/v1/projects/{id}/links", || post(link_project)),
    ("get", "/api/v1/consultations", || get(consultations)),
    ("post", "/api/v1/consultations", || {
        post(create_consultation)
    }),
    ("get", "/api/v1/consultations/{id}", || get(consultation)),
    ("post", "/api/v1/consultations/{id}/record", || {
        post(record_item)
    }),
    ("post", "/api/v1/consultations/{id}/actions", || {
        post(add_action)
    }),
    ("get", "/api/v1/consultations/{id}/record.html", || {
        get(record_html)
    }),
    ("get", "/api/v1/consultations/{id}/record.xlsx", || {
        get(record_xlsx)
    }),
    ("get", "/api/v1/actions", || get(actions)),
    ("post", "/api/v1/actions/{id}/status", || {
        post(action_status)
    }),
    ("get", "/api/v1/awaiting", || get(awaiting)),
];

/// Routes, with their full `/api/v1/…` paths (see [`MOUNTED`]).
pub fn routes() -> Router<AppState> {
    MOUNTED.iter().fold(Router::new(), |r, (_, path, handler)| {
        r.route(path, handler())
    })
}

/// An API error that keeps a conflict's current version in the body.
pub struct CoordError(ApiError, Option<i64>);

impl<E: Into<Error>> From<E> for CoordError {
    fn from(e: E) -> Self {
        CoordError(ApiError(e.into()), None)
    }
}

fn store_err(e: StoreError) -> CoordError {
    let current = match &e {
        StoreError::Conflict { current, .. } => Some(*current),
        _ => None,
    };
    CoordError(ApiError(e.into()), current)
}

impl IntoResponse for CoordError {
    fn into_response(self) -> Response {
        match self.1 {
            Some(current) => {
                let mut body = self.0.0.to_json();
                body["error"]["current_version"] = json!(current);
                (StatusCode::CONFLICT, Json(body)).into_response()
            }
            None => self.0.into_response(),
        }
    }
}

type R<T> = Result<T, CoordError>;

/// A JSON request body; a body that is not JSON or not the expected shape is
/// a 400 with the one error shape (axum's own rejection is plain text).
struct Body<T>(T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = CoordError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(t)| Body(t))
            .map_err(|e: JsonRejection| {
                Error::bad_request(format!("request body: {}", e.body_text())).into()
            })
    }
}

/// The `{id}` of the path, or a 400 with the error shape.
struct Id(i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = CoordError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<i64>::from_request_parts(parts, state)
            .await
            .map(|Path(id)| Id(id))
            .map_err(|e: PathRejection| {
                Error::bad_request(format!("path: {}", e.body_text())).into()
            })
    }
}

/// Query parameters, or a 400 with the error shape.
struct Q<T>(T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Q<T> {
    type Rejection = CoordError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| Q(q))
            .map_err(|e: QueryRejection| {
                Error::bad_request(format!("query parameter: {}", e.body_text())).into()
            })
    }
}

macro_rules! st {
    ($e:expr) => {
        $e.await.map_err(store_err)?
    };
}

fn today(q: &Option<String>) -> R<String> {
    match q {
        Some(d) => {
            parse_date(d).map_err(|e| Error::bad_request(e.to_string()))?;
            Ok(d.clone())
        }
        None => {
            let d = time::OffsetDateTime::now_utc().date();
            Ok(format!(
                "{:04}-{:02}-{:02}",
                d.year(),
                u8::from(d.month()),
                d.day()
            ))
        }
    }
}

// --- announcements

async fn announcements(State(s): State<AppState>) -> R<Json<Value>> {
    let mut all = Vec::new();
    for a in st!(s.store.announcements()) {
        all.push(st!(s.store.announcement_json(a.id)));
    }
    Ok(Json(Value::Array(all)))
}

async fn announcement(State(s): State<AppState>, Id(id): Id) -> R<Json<Value>> {
    Ok(Json(st!(s.store.announcement_json(id))))
}

#[derive(Deserialize)]
struct ImportQuery {
    /// The file name to record.
    name: Option<String>,
}

/// The release text is the request body (Markdown with YAML front matter).
async fn import_announcement(
    State(s): State<AppState>,
    auth: Auth,
    Q(q): Q<ImportQuery>,
    body: String,
) -> R<(StatusCode, Json<Value>)> {
    let actor = auth.require_writer()?;
    let name = q.name.unwrap_or_else(|| "upload.md".into());
    let out = st!(s
        .store
        .import_announcement(Some(actor), &name, &body, "web"));
    let status = if out.change == "created" {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(json!(out))))
}

#[derive(Deserialize)]
struct ReviewBody {
    expect_version: i64,
    status: Option<String>,
    text: Option<String>,
    amount: Option<Decimal>,
    currency: Option<String>,
}

async fn review_commitment(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Body(b): Body<ReviewBody>,
) -> R<Json<Value>> {
    let status = b
        .status
        .as_deref()
        .map(ReviewStatus::parse)
        .transpose()
        .map_err(|e| Error::bad_request(e.to_string()))?;
    let review = CommitmentReview {
        status,
        text: b.text,
        amount: b.amount.zip(b.currency),
    };
    let c = st!(s
        .store
        .review_commitment(auth.actor.as_ref(), id, b.expect_version, &review));
    Ok(Json(json!(c)))
}

#[derive(Deserialize)]
struct LinkBody {
    expect_version: i64,
    project: Option<i64>,
    activity: Option<String>,
    partner: Option<String>,
}

async fn link_commitment(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Body(b): Body<LinkBody>,
) -> R<Json<Value>> {
    let c = st!(s.store.link_commitment(
        auth.actor.as_ref(),
        id,
        b.expect_version,
        b.project,
        b.activity.as_deref()
    ));
    Ok(Json(json!(c)))
}

#[derive(Deserialize)]
struct StatusQuery {
    currency: Option<String>,
    today: Option<String>,
}

async fn commitment_status(
    State(s): State<AppState>,
    Id(id): Id,
    Q(q): Q<StatusQuery>,
) -> R<Json<Value>> {
    let today = parse_date(&today(&q.today)?).map_err(|e| Error::bad_request(e.to_string()))?;
    let cur = q
        .currency
        .unwrap_or_else(|| "USD".into())
        .to_ascii_uppercase();
    let r = st!(s.store.commitment_report(id, &cur, today));
    let history = st!(s.store.audit_history("commitment", &id.to_string()));
    Ok(Json(json!({"report": r, "history": history})))
}

// --- projects

async fn projects(State(s): State<AppState>) -> R<Json<Value>> {
    Ok(Json(json!(st!(s.store.projects(None)))))
}

async fn create_project(
    State(s): State<AppState>,
    auth: Auth,
    Body(input): Body<ProjectInput>,
) -> R<(StatusCode, Json<Value>)> {
    let p = st!(s.store.create_project(auth.actor.as_ref(), &input));
    Ok((StatusCode::CREATED, Json(json!(p))))
}

async fn project(State(s): State<AppState>, Id(id): Id, Q(q): Q<StatusQuery>) -> R<Json<Value>> {
    let cur = q
        .currency
        .unwrap_or_else(|| "USD".into())
        .to_ascii_uppercase();
    let p = st!(s.store.project(id));
    let transitions = st!(s.store.project_transitions(id));
    let figures = st!(s.store.project_figures(id, &cur));
    let history = st!(s.store.audit_history("project", &id.to_string()));
    Ok(Json(
        json!({"project": p, "transitions": transitions, "figures": figures, "history": history}),
    ))
}

#[derive(Deserialize)]
struct UpdateBody {
    expect_version: i64,
    project: ProjectInput,
}

async fn update_project(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Body(b): Body<UpdateBody>,
) -> R<Json<Value>> {
    let p = st!(s
        .store
        .update_project(auth.actor.as_ref(), id, b.expect_version, &b.project));
    Ok(Json(json!(p)))
}

#[derive(Deserialize)]
struct TransitionBody {
    expect_version: i64,
    action: String,
    partner: Option<String>,
    #[serde(default)]
    comment: String,
}

async fn transition(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Body(b): Body<TransitionBody>,
) -> R<Json<Value>> {
    let action = Action::parse(&b.action).map_err(|e| Error::bad_request(e.to_string()))?;
    let p = st!(s.store.transition_project(
        auth.actor.as_ref(),
        id,
        b.expect_version,
        action,
        b.partner.as_deref(),
        &b.comment
    ));
    Ok(Json(json!(p)))
}

async fn link_project(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Body(b): Body<LinkBody>,
) -> R<Json<Value>> {
    let (Some(partner), Some(activity)) = (b.partner, b.activity) else {
        return Err(Error::bad_request("`partner` and `activity` are required").into());
    };
    let p = st!(s.store.link_project_activity(
        auth.actor.as_ref(),
        id,
        b.expect_version,
        &partner,
        &activity
    ));
    Ok(Json(json!(p)))
}

// --- consultations

async fn consultations(State(s): State<AppState>) -> R<Json<Value>> {
    Ok(Json(json!(st!(s.store.consultations(None)))))
}

async fn create_consultation(
    State(s): State<AppState>,
    auth: Auth,
    Body(input): Body<ConsultationInput>,
) -> R<(StatusCode, Json<Value>)> {
    let c = st!(s.store.create_consultation(auth.actor.as_ref(), &input));
    Ok((StatusCode::CREATED, Json(json!(c))))
}

#[derive(Deserialize)]
struct TodayQuery {
    today: Option<String>,
}

async fn consultation(
    State(s): State<AppState>,
    Id(id): Id,
    Q(q): Q<TodayQuery>,
) -> R<Json<Value>> {
    let rec = st!(s.store.meeting_record(id, &today(&q.today)?));
    let history = st!(s.store.audit_history("consultation", &id.to_string()));
    Ok(Json(json!({"record": rec, "history": history})))
}

#[derive(Deserialize)]
struct RecordBody {
    expect_version: i64,
    /// 1-based agenda item; absent to add `title` as a new item.
    item: Option<usize>,
    title: Option<String>,
    #[serde(default)]
    decisions: Vec<String>,
    minutes: Option<String>,
}

async fn record_item(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Body(b): Body<RecordBody>,
) -> R<Json<Value>> {
    let item = match b.item {
        Some(0) => return Err(Error::bad_request("agenda items are numbered from 1").into()),
        Some(n) => Some(n - 1),
        None => None,
    };
    let rec = ItemRecord {
        item,
        new_item: b.title.map(|title| vaka_coord::consultation::AgendaItem {
            title,
            ..Default::default()
        }),
        decisions: b.decisions,
        minutes: b.minutes,
    };
    let c = st!(s
        .store
        .record_agenda_item(auth.actor.as_ref(), id, b.expect_version, rec));
    Ok(Json(json!(c)))
}

#[derive(Deserialize)]
struct ActionBody {
    text: String,
    owner_org: String,
    due: String,
    /// 1-based agenda item.
    item: Option<usize>,
}

async fn add_action(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Body(b): Body<ActionBody>,
) -> R<(StatusCode, Json<Value>)> {
    let item = b.item.and_then(|n| n.checked_sub(1));
    let a = st!(s
        .store
        .add_action(auth.actor.as_ref(), id, item, &b.text, &b.owner_org, &b.due));
    Ok((StatusCode::CREATED, Json(json!(a))))
}

#[derive(Deserialize)]
struct ActionStatusBody {
    expect_version: i64,
    status: String,
}

async fn action_status(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Body(b): Body<ActionStatusBody>,
) -> R<Json<Value>> {
    let status = ActionStatus::parse(&b.status).map_err(|e| Error::bad_request(e.to_string()))?;
    let a = st!(s
        .store
        .set_action_status(auth.actor.as_ref(), id, b.expect_version, status));
    Ok(Json(json!(a)))
}

#[derive(Deserialize)]
struct ActionsQuery {
    consultation: Option<i64>,
    owner: Option<String>,
    #[serde(default)]
    overdue: bool,
    today: Option<String>,
}

async fn actions(State(s): State<AppState>, Q(q): Q<ActionsQuery>) -> R<Json<Value>> {
    let today = today(&q.today)?;
    let list = st!(s.store.actions(&ActionFilter {
        consultation: q.consultation,
        owner: q.owner,
        overdue_on: q.overdue.then(|| today.clone()),
    }));
    let rows: Vec<Value> = list
        .into_iter()
        .map(|a| {
            let overdue = vaka_coord::consultation::is_overdue(a.status, &a.due, &today);
            json!({"action": a, "overdue": overdue})
        })
        .collect();
    Ok(Json(Value::Array(rows)))
}

async fn awaiting(State(s): State<AppState>, auth: Auth, Q(q): Q<TodayQuery>) -> R<Json<Value>> {
    let actor = auth.require()?;
    Ok(Json(json!(st!(s.store.awaiting(actor, &today(&q.today)?)))))
}

async fn record_html(State(s): State<AppState>, Id(id): Id, Q(q): Q<TodayQuery>) -> R<Response> {
    let rec = st!(s.store.meeting_record(id, &today(&q.today)?));
    let page = vaka_coord::consultation::to_html(&rec);
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        page,
    )
        .into_response())
}

async fn record_xlsx(State(s): State<AppState>, Id(id): Id, Q(q): Q<TodayQuery>) -> R<Response> {
    let rec = st!(s.store.meeting_record(id, &today(&q.today)?));
    let bytes = vaka_coord::consultation::to_xlsx(&rec).map_err(Error::internal)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"meeting-record.xlsx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
