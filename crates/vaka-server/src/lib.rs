//! The Vaka web application: server-rendered pages that work without
//! JavaScript, the JSON API under `/api/v1`, accounts, sessions, CSRF and metrics.
//!
//! - [`router`] builds the whole application over an [`AppState`] (the store and
//!   the [`ServerConfig`]); [`serve`] binds it and runs until Ctrl-C.
//! - [`auth`] turns a session cookie or API token into an `Actor` and checks CSRF
//!   on every write; [`error`] is the one error type of the HTTP layer.
//! - [`pages`] are the HTML pages (one module per page), [`api`] the JSON API,
//!   [`i18n`] the UI strings.
//!
//! This crate holds no business rule and no SQL: permissions are decided with
//! `vaka_domain::access`, data comes from `vaka_store`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use vaka_store::Store;

pub mod api;
pub mod api_coord;
pub mod auth;
pub mod error;
pub mod i18n;
pub mod metrics;
pub mod pages;
mod upload;

/// Settings of the web server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where to listen (`127.0.0.1:8080` by default).
    pub addr: SocketAddr,
    /// Largest accepted upload, in bytes (200 MB by default).
    pub max_upload_bytes: u64,
    /// Mark cookies `Secure` (set when served behind TLS).
    pub secure_cookies: bool,
    /// Where uploads are streamed before import (a temporary folder by default).
    pub upload_dir: PathBuf,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_upload_bytes: 200 * 1024 * 1024,
            secure_cookies: false,
            upload_dir: std::env::temp_dir().join("vaka-uploads"),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<ServerConfig>,
    pub metrics: Arc<metrics::Metrics>,
    pub login_limiter: Arc<auth::LoginLimiter>,
}

impl AppState {
    pub fn new(store: Store, config: ServerConfig) -> Self {
        AppState {
            store,
            config: Arc::new(config),
            metrics: Arc::default(),
            login_limiter: Arc::default(),
        }
    }
}

/// Errors that stop the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(
        "cannot listen on {addr}: {source} (is another server using this port? choose another with --addr)"
    )]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot create the upload folder {}: {source}", path.display())]
    UploadDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    use tower_http::compression::Predicate as _;
    Router::new()
        .merge(pages::routes())
        .merge(pages::coord::routes())
        .nest("/api/v1", api::routes())
        .merge(api_coord::routes())
        .route("/api/openapi.json", get(openapi))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .fallback(fallback)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::resolve,
        ))
        .layer(axum::middleware::from_fn(error::localize_error_pages))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::middleware::from_fn(security_headers))
        // Many users are on slow links: gzip every text answer the client
        // accepts compressed (pages, JSON, CSV, SVG); XLSX is zip already.
        .layer(
            tower_http::compression::CompressionLayer::new().compress_when(
                tower_http::compression::predicate::SizeAbove::new(1024)
                    .and(tower_http::compression::predicate::NotForContentType::new(
                        "application/vnd.openxmlformats",
                    ))
                    .and(tower_http::compression::predicate::NotForContentType::GRPC)
                    .and(tower_http::compression::predicate::NotForContentType::IMAGES),
            ),
        )
        .with_state(state)
}

async fn security_headers(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
    ));
    resp
}

async fn fallback(uri: axum::http::Uri) -> axum::response::Response {
    let e = error::Error::not_found(format!("page `{}`", uri.path()));
    if uri.path().starts_with("/api/") {
        error::ApiError(e).into_response()
    } else {
        error::PageError(e).into_response()
    }
}

async fn openapi() -> axum::Json<serde_json::Value> {
    axum::Json(api::openapi_json())
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<&'static str, error::ApiError> {
    state.store.ping().await.map_err(|e| {
        error::Error::new(
            error::ErrorKind::Unavailable,
            format!("the database does not answer: {e}"),
        )
    })?;
    Ok("ready\n")
}

async fn metrics_text(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> impl IntoResponse {
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

/// Bind `config.addr`, then serve until Ctrl-C (see [`serve_on`]).
pub async fn serve(store: Store, config: ServerConfig) -> Result<(), ServerError> {
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| ServerError::Bind {
            addr: config.addr,
            source,
        })?;
    serve_on(listener, store, config, shutdown_signal()).await
}

/// Serve on an already bound listener until `shutdown` completes, then finish
/// the requests in flight. Used by [`serve`] and by tests on `127.0.0.1:0`.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    store: Store,
    config: ServerConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    std::fs::create_dir_all(&config.upload_dir).map_err(|source| ServerError::UploadDir {
        path: config.upload_dir.clone(),
        source,
    })?;
    let addr = listener.local_addr()?;
    tracing::info!(url = %format!("http://{addr}/"), db = store.display_url(), "serving");
    let app = router(AppState::new(store, config));
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    tracing::info!("server stopped");
    Ok(())
}

async fn shutdown_signal() {
    if let Err(e) = tokio::signal::ctrl_c().await {
        tracing::warn!(error = %e, "cannot listen for Ctrl-C; stop the process another way");
        std::future::pending::<()>().await;
    }
}
