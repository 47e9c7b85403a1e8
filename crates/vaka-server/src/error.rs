//! The HTTP layer's one error type.
//!
//! Handlers of the JSON API return [`ApiError`], which renders as
//! `{"error": {"status": 404, "code": "not_found", "message": "…"}}`; page
//! handlers return [`PageError`], the same error as a small HTML page in the
//! request's language ([`localize_error_pages`]). Store errors convert into both. The cause of a 5xx is logged once, here, and never
//! sent to the client.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use vaka_store::StoreError;

use crate::i18n::Lang;

/// What went wrong, as the client sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    TooManyRequests,
    Internal,
    Unavailable,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 10] = [
        Self::BadRequest,
        Self::Unauthorized,
        Self::Forbidden,
        Self::NotFound,
        Self::Conflict,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::TooManyRequests,
        Self::Internal,
        Self::Unavailable,
    ];

    pub fn status(self) -> StatusCode {
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The stable machine-readable code of the JSON body.
    pub fn code(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::TooManyRequests => "too_many_requests",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
        }
    }
}

/// An error of the HTTP layer: a kind, a message safe to show, and for server
/// errors the hidden cause.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    /// Logged once when the response is built; never sent.
    cause: Option<String>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            cause: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, message)
    }

    pub fn unauthorized() -> Self {
        Self::new(ErrorKind::Unauthorized, "sign in first")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, message)
    }

    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::new(ErrorKind::NotFound, format!("{what} not found"))
    }

    /// A server-side failure: the client sees a generic message, the log the cause.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Error {
            kind: ErrorKind::Internal,
            message: "internal error; the cause has been logged".into(),
            cause: Some(cause.to_string()),
        }
    }

    pub fn status(&self) -> StatusCode {
        self.kind.status()
    }

    fn log_cause(&self) {
        if self.kind.status().is_server_error() {
            tracing::error!(
                code = self.kind.code(),
                cause = self.cause.as_deref().unwrap_or(&self.message),
                "request failed"
            );
        }
    }

    /// The JSON body of the API error shape.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "error": {
                "status": self.status().as_u16(),
                "code": self.kind.code(),
                "message": self.message,
            }
        })
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match &e {
            StoreError::NotFound(_) => Error::new(ErrorKind::NotFound, e.to_string()),
            StoreError::Conflict { .. } => Error::new(ErrorKind::Conflict, e.to_string()),
            StoreError::Invalid(_) => Error::new(ErrorKind::BadRequest, e.to_string()),
            StoreError::Forbidden(_) => Error::new(ErrorKind::Forbidden, e.to_string()),
            _ => Error::internal(e),
        }
    }
}

/// An error of a JSON API handler.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl<E: Into<Error>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log_cause();
        (self.0.status(), axum::Json(self.0.to_json())).into_response()
    }
}

/// An error of a page handler, shown as an HTML page.
#[derive(Debug)]
pub struct PageError(pub Error);

impl<E: Into<Error>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

/// What an HTML error response shows, kept in the response's extensions so
/// [`localize_error_pages`] can render it again in the request's language
/// (the handler that failed may not know the language).
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub kind: ErrorKind,
    pub message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.log_cause();
        let status = self.0.status();
        let page = crate::pages::layout::error_page(Lang::En, self.0.kind, &self.0.message);
        let mut resp = (status, page).into_response();
        resp.extensions_mut().insert(ErrorPage {
            kind: self.0.kind,
            message: self.0.message,
        });
        resp
    }
}

/// Middleware: an HTML error page (a [`PageError`] from any handler, the
/// fallback or the auth layer) in the language the request chose, like every
/// other page. JSON API errors are untouched: they have one shape in English.
pub async fn localize_error_pages(req: Request, next: Next) -> Response {
    let lang = crate::i18n::of_request(req.uri(), req.headers());
    let resp = next.run(req).await;
    if lang == Lang::En {
        return resp;
    }
    let Some(info) = resp.extensions().get::<ErrorPage>().cloned() else {
        return resp;
    };
    let (mut parts, _) = resp.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let page = crate::pages::layout::error_page(lang, info.kind, &info.message);
    Response::from_parts(parts, Body::from(page.into_string()))
}

pub type ApiResult<T> = Result<T, ApiError>;
pub type PageResult<T> = Result<T, PageError>;
