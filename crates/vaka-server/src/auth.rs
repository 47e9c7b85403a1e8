//! Who is asking, and may they post.
//!
//! [`resolve`] runs on every request: it reads the `vaka_session` cookie or an
//! `Authorization: Bearer` API token, looks it up once and leaves an [`Auth`] in
//! the request extensions; handlers take it as an extractor. For every request
//! that changes something (any method but GET/HEAD/OPTIONS) it also checks the
//! CSRF token, unless the request carries an API token (scripts send no cookies,
//! so they cannot be forged by another site):
//!
//! - signed in: the session's token, from the `csrf` form field
//!   (`application/x-www-form-urlencoded`), the `csrf` query parameter
//!   (multipart uploads, whose body is streamed and not read here) or the
//!   `X-CSRF-Token` header;
//! - not signed in (the sign-in form): the same value in the `vaka_csrf`
//!   cookie and the form (double submit).
//!
//! A missing or wrong token is refused with 403 before any handler runs.
//! Sign-in failures are rate limited per user name and client address by
//! [`LoginLimiter`].

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use vaka_domain::access::Actor;

use crate::AppState;
use crate::error::{ApiError, Error, ErrorKind, PageError};

/// The session cookie.
pub const SESSION_COOKIE: &str = "vaka_session";
/// The CSRF cookie of visitors (double submit on the sign-in form).
pub const CSRF_COOKIE: &str = "vaka_csrf";
/// How long a session lasts.
pub const SESSION_TTL_SECS: i64 = 12 * 3600;
/// Largest form body read to find its CSRF field.
const MAX_FORM_BYTES: usize = 1 << 20;

/// Who is asking.
#[derive(Debug, Clone, Default)]
pub struct Auth {
    pub actor: Option<Actor>,
    /// The token to put into forms: the session's, or the visitor's cookie value.
    pub csrf: Option<String>,
    /// The raw session token (for sign-out).
    pub session_token: Option<String>,
    /// The request came with an API token.
    pub via_api_token: bool,
}

impl Auth {
    /// The actor, or 401.
    pub fn require(&self) -> Result<&Actor, Error> {
        self.actor.as_ref().ok_or_else(Error::unauthorized)
    }

    /// The actor if they may write at all, else 401/403.
    pub fn require_writer(&self) -> Result<&Actor, Error> {
        let a = self.require()?;
        if a.can_write() {
            Ok(a)
        } else {
            Err(Error::forbidden(format!(
                "`{}` is a viewer and cannot change anything",
                a.username
            )))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Auth>().cloned().unwrap_or_default())
    }
}

/// The value of cookie `name`, if sent.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Compare secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

fn reject(path: &str, e: Error) -> Response {
    if is_api(path) {
        ApiError(e).into_response()
    } else {
        PageError(e).into_response()
    }
}

/// Middleware: resolve the [`Auth`] of the request and enforce CSRF on writes.
pub async fn resolve(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut auth = Auth::default();
    let mut new_visitor_csrf = None;
    if let Some(token) = bearer(req.headers()) {
        match state.store.api_token_actor(token).await {
            Ok(Some(actor)) => {
                auth.actor = Some(actor);
                auth.via_api_token = true;
            }
            Ok(None) => {
                return reject(
                    &path,
                    Error::new(ErrorKind::Unauthorized, "unknown or revoked API token"),
                );
            }
            Err(e) => return reject(&path, e.into()),
        }
    } else if let Some(token) = cookie(req.headers(), SESSION_COOKIE) {
        match state.store.session(&token).await {
            Ok(Some(s)) => {
                auth.actor = Some(s.actor);
                auth.csrf = Some(s.csrf);
                auth.session_token = Some(token);
            }
            // An expired or unknown session: carry on as a visitor.
            Ok(None) => {}
            Err(e) => return reject(&path, e.into()),
        }
    }
    if auth.csrf.is_none() && !auth.via_api_token {
        match cookie(req.headers(), CSRF_COOKIE).filter(|v| v.len() == 64) {
            Some(v) => auth.csrf = Some(v),
            None => match vaka_store::accounts::random_token() {
                Ok(t) => {
                    auth.csrf = Some(t.clone());
                    new_visitor_csrf = Some(t);
                }
                Err(e) => return reject(&path, e.into()),
            },
        }
    }

    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let req = if safe || auth.via_api_token {
        req
    } else {
        match check_csrf(req, new_visitor_csrf.is_some(), auth.csrf.as_deref()).await {
            Ok(req) => req,
            Err(e) => return reject(&path, e),
        }
    };

    let mut req = req;
    req.extensions_mut().insert(auth);
    let mut resp = next.run(req).await;
    if let Some(t) = new_visitor_csrf {
        let secure = if state.config.secure_cookies {
            "; Secure"
        } else {
            ""
        };
        if let Ok(v) = format!("{CSRF_COOKIE}={t}; Path=/; HttpOnly; SameSite=Lax{secure}").parse()
        {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

async fn check_csrf(
    req: Request,
    fresh_visitor: bool,
    expected: Option<&str>,
) -> Result<Request, Error> {
    let missing = || {
        Error::forbidden("missing or wrong CSRF token: reload the page and submit the form again")
    };
    // A visitor whose cookie we only just made cannot have a matching form.
    let expected = match expected {
        Some(e) if !fresh_visitor => e.to_string(),
        _ => return Err(missing()),
    };
    let matches = |v: &str| same_secret(v, &expected);
    if let Some(h) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if matches(h) { Ok(req) } else { Err(missing()) };
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| Error::new(ErrorKind::PayloadTooLarge, "form too large"))?;
        let ok = url::form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "csrf")
            .is_some_and(|(_, v)| matches(&v));
        if !ok {
            return Err(missing());
        }
        return Ok(Request::from_parts(parts, Body::from(bytes)));
    }
    let in_query = req
        .uri()
        .query()
        .and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.into_owned())
        })
        .is_some_and(|v| matches(&v));
    if in_query { Ok(req) } else { Err(missing()) }
}

/// The `Set-Cookie` value of a new session.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={SESSION_TTL_SECS}{secure}"
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

/// The client's address (the socket peer; no proxy headers are trusted).
pub fn client_ip(parts_ext: &axum::http::Extensions) -> IpAddr {
    parts_ext
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
}

/// Failed sign-ins per (user name, address) within a window.
pub struct LoginLimiter {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<(String, IpAddr), Vec<Instant>>>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        LoginLimiter::new(5, Duration::from_secs(15 * 60))
    }
}

impl LoginLimiter {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        LoginLimiter {
            max_failures,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn key(username: &str, ip: IpAddr) -> (String, IpAddr) {
        (username.trim().to_lowercase(), ip)
    }

    /// Whether this user name may try again from this address now.
    pub fn allowed(&self, username: &str, ip: IpAddr) -> bool {
        let Ok(mut map) = self.failures.lock() else {
            return false;
        };
        let now = Instant::now();
        let window = self.window;
        match map.get_mut(&Self::key(username, ip)) {
            Some(v) => {
                v.retain(|t| now.duration_since(*t) < window);
                (v.len() as u32) < self.max_failures
            }
            None => true,
        }
    }

    pub fn record_failure(&self, username: &str, ip: IpAddr) {
        if let Ok(mut map) = self.failures.lock() {
            // Bound memory under a flood of distinct names: drop stale entries.
            if map.len() > 100_000 {
                let now = Instant::now();
                let window = self.window;
                map.retain(|_, v| v.iter().any(|t| now.duration_since(*t) < window));
            }
            map.entry(Self::key(username, ip))
                .or_default()
                .push(Instant::now());
        }
    }

    pub fn record_success(&self, username: &str, ip: IpAddr) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&Self::key(username, ip));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_blocks_after_five_failures_per_name_and_address() {
        let l = LoginLimiter::default();
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        for _ in 0..5 {
            assert!(l.allowed("alice", ip));
            l.record_failure("Alice", ip);
        }
        assert!(!l.allowed("alice", ip));
        assert!(l.allowed("alice", other));
        assert!(l.allowed("bob", ip));
    }

    #[test]
    fn limiter_forgets_after_the_window() {
        let l = LoginLimiter::new(1, Duration::from_millis(20));
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        l.record_failure("a", ip);
        assert!(!l.allowed("a", ip));
        std::thread::sleep(Duration::from_millis(30));
        assert!(l.allowed("a", ip));
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; vaka_session=abc; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }
}

/// The client's address as an extractor (unspecified when the server was not
/// started with connection info, as in router tests).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(&parts.extensions)))
    }
}
