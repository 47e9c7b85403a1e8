//! Sign in (`/login`) and sign out (`/logout`).
//!
//! A successful sign-in starts a session (HttpOnly, SameSite=Lax cookie; Secure
//! behind TLS). Failures are counted per user name and client address; after
//! five within 15 minutes the form refuses further tries for that pair with a
//! clear message (429), whatever the password.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::{Ctx, layout};
use crate::AppState;
use crate::auth::{self, SESSION_TTL_SECS};
use crate::error::PageResult;

#[derive(Debug, Default, Deserialize)]
pub struct Next {
    pub next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub next: Option<String>,
}

/// Only same-site paths are followed after sign-in.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/",
    }
}

fn form_page(ctx: &Ctx, username: &str, next: &str, message: Option<&str>) -> Markup {
    let body = html! {
        @if let Some(m) = message { p.error role="alert" { (m) } }
        form.box method="post" action="/login" style="max-width:24rem" {
            (layout::csrf_field(ctx))
            input type="hidden" name="next" value=(next);
            p { label { (ctx.t("login.username")) br; input type="text" name="username" value=(username) autocomplete="username" required autofocus; } }
            p { label { (ctx.t("login.password")) br; input type="password" name="password" autocomplete="current-password" required; } }
            p { button type="submit" { (ctx.t("login.submit")) } }
        }
    };
    layout::page(ctx, ctx.t("login.title"), body)
}

/// `GET /login`.
pub async fn form(ctx: Ctx, Query(q): Query<Next>) -> Markup {
    form_page(&ctx, "", safe_next(q.next.as_deref()), None)
}

/// `POST /login`.
pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    auth::ClientIp(ip): auth::ClientIp,
    Form(f): Form<LoginForm>,
) -> PageResult<Response> {
    let next = safe_next(f.next.as_deref()).to_string();
    if !state.login_limiter.allowed(&f.username, ip) {
        tracing::warn!(username = %f.username, %ip, "sign-in refused: too many failures");
        let page = form_page(&ctx, &f.username, &next, Some(ctx.t("login.limited")));
        return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
    }
    let Some(actor) = state
        .store
        .verify_password(&f.username, &f.password)
        .await?
    else {
        state.login_limiter.record_failure(&f.username, ip);
        tracing::info!(username = %f.username, %ip, "sign-in failed");
        let page = form_page(&ctx, &f.username, &next, Some(ctx.t("login.failed")));
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    };
    state.login_limiter.record_success(&f.username, ip);
    // A stale session of this browser is ended, never reused.
    if let Some(old) = &ctx.auth.session_token {
        state.store.delete_session(old).await?;
    }
    let session = state
        .store
        .create_session(actor.user_id, SESSION_TTL_SECS)
        .await?;
    tracing::info!(username = %actor.username, org = %actor.org, "signed in");
    let mut resp = Redirect::to(&next).into_response();
    if let Ok(v) = HeaderValue::from_str(&auth::session_cookie(
        &session.token,
        state.config.secure_cookies,
    )) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// `POST /logout`.
pub async fn logout(State(state): State<AppState>, ctx: Ctx) -> PageResult<Response> {
    if let Some(token) = &ctx.auth.session_token {
        state.store.delete_session(token).await?;
    }
    let mut resp = Redirect::to("/").into_response();
    if let Ok(v) = HeaderValue::from_str(&auth::clear_session_cookie(state.config.secure_cookies)) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}
