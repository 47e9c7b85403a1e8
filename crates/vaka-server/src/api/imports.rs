//! `POST /api/v1/imports`: upload one IATI file (multipart field `file`) and
//! import it, for editors and admins. Receiving and importing are shared with
//! the import page (`crate::upload`): streamed to disk under the size limit,
//! never held in memory; a file the reader rejects changes nothing and answers
//! 422 with the reason, as the CLI does.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Error};
use crate::upload;

pub(super) async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    mut multipart: Multipart,
) -> ApiResult<(StatusCode, axum::Json<serde_json::Value>)> {
    let actor = auth.require()?.clone();
    upload::may_import(&actor)?;
    let received = upload::receive(&state, &actor, &mut multipart, upload::Kind::Iati).await?;
    let summary = upload::import(&state, received, &actor.username, "api").await?;
    let status = if summary.rejected() > 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body = serde_json::to_value(&summary).map_err(Error::internal)?;
    Ok((status, axum::Json(body)))
}
