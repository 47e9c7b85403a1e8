//! The JSON API under `/api/v1` and its OpenAPI document.

use axum::Router;

use crate::AppState;

/// Routes of the JSON API, mounted under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
}

/// The OpenAPI 3.1 document served at `/api/openapi.json`.
pub fn openapi_json() -> serde_json::Value {
    serde_json::json!({
        "openapi": "3.1.0",
        "info": { "title": "Vaka API", "version": env!("CARGO_PKG_VERSION") },
        "paths": {}
    })
}
