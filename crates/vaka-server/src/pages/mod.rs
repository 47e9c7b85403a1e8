//! The HTML pages: server-rendered, small (one inline style sheet, no script, no
//! external asset), every dynamic string escaped by `maud`.
//!
//! One module per page; [`layout`] is the frame (navigation, language switch,
//! sign-in state). A [`Ctx`] gives each handler the language, the [`Auth`] and
//! the current URL.

use axum::Router;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};

use crate::AppState;
use crate::auth::Auth;
use crate::i18n::{LANG_COOKIE, Lang};

pub mod activities;
pub mod announcements;
pub mod consultations;
pub mod coord;
pub mod dashboard;
pub mod download;
pub mod history;
pub mod import;
pub mod layout;
pub mod login;
pub mod places;

/// Routes of the pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::home))
        .route("/frameworks/{id}", get(dashboard::framework))
        .route("/activities", get(activities::list))
        .route("/activities/{id}", get(activities::detail))
        .route("/search", get(activities::search))
        .route("/countries/{iso2}", get(places::country))
        .route("/areas/{framework}/{area}", get(places::area))
        .route("/partners/{ref}", get(places::partner))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route(
            "/import",
            get(import::form)
                .post(import::upload)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/announcements", get(announcements::list))
        .route(
            "/announcements/upload",
            get(announcements::upload_page)
                .post(announcements::upload_release)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/announcements/{id}", get(announcements::show))
        .route("/commitments/{id}/review", post(announcements::review))
        .route("/consultations", get(consultations::list))
        .route("/consultations/{id}", get(consultations::show))
        .route(
            "/consultations/{id}/items",
            post(consultations::record_item),
        )
        .route(
            "/consultations/{id}/actions",
            post(consultations::add_action),
        )
        .route("/actions/{id}/status", post(consultations::action_status))
        .route("/awaiting", get(consultations::awaiting))
        .layer(axum::middleware::from_fn(remember_lang))
}

/// What every page handler needs.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub auth: Auth,
    /// Path of the request (for the language switch).
    pub path: String,
    /// Query of the request without `lang`.
    pub query: Vec<(String, String)>,
}

impl Ctx {
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    /// This page in another language.
    pub fn lang_href(&self, lang: Lang) -> String {
        let mut q = self.query.clone();
        q.push(("lang".into(), lang.code().into()));
        href(&self.path, &q)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let lang = crate::i18n::from_parts(parts);
        let auth = Auth::from_request_parts(parts, state).await?;
        let query = parts
            .uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .filter(|(k, _)| k != "lang")
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Ctx {
            lang,
            auth,
            path: parts.uri.path().to_string(),
            query,
        })
    }
}

/// `path?k=v&…` with the values percent-encoded.
pub fn href<K: AsRef<str>, V: AsRef<str>>(path: &str, query: &[(K, V)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in query {
        if !v.as_ref().is_empty() {
            q.append_pair(k.as_ref(), v.as_ref());
        }
    }
    let q = q.finish();
    if q.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{q}")
    }
}

/// One path segment, percent-encoded (IATI identifiers may hold `/` or spaces).
pub fn segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// Middleware: `?lang=xx` sets the language cookie for the following pages.
async fn remember_lang(req: Request, next: Next) -> Response {
    let chosen = req.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Lang::parse(&v))
    });
    let mut resp = next.run(req).await;
    if let Some(lang) = chosen
        && let Ok(v) = HeaderValue::from_str(&format!(
            "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
            lang.code()
        ))
    {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}
