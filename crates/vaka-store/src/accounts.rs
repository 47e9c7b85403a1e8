//! Accounts: organisations, users, browser sessions and API tokens.
//!
//! Passwords are hashed with Argon2id (on a blocking thread: hashing is meant to
//! be slow). Session and API tokens are random 256-bit values handed to the
//! client once; only their SHA-256 is stored, so a copy of the database grants
//! no access. Creating an organisation, a user or a token is audited.
//!
//! What a signed-in person may do is decided from the [`Actor`] these functions
//! return, by the callers (see `vaka_domain::access`).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use vaka_domain::access::{Actor, OrgKind, Role};

use crate::db::{Store, on_pool};
use crate::error::{Result, StoreError};
use crate::migrate::begin_immediate;
use crate::util::now_utc;

/// An organisation users belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organisation {
    /// `NZ-1`, `JP-8`, `GOV-TO`, …
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    /// ISO 3166-1 alpha-2, for governments.
    pub country: Option<String>,
    pub created_at: String,
}

/// A user, without any secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub org: String,
    pub role: Role,
    pub created_at: String,
    pub disabled: bool,
}

/// What creating a user needs. The password is dropped after hashing.
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub org: &'a str,
    pub role: Role,
}

impl std::fmt::Debug for NewUser<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("org", &self.org)
            .field("role", &self.role)
            .field("password", &"***")
            .finish()
    }
}

/// A new browser session: the token goes into the cookie, the CSRF token into
/// every form.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub expires_at: String,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("token", &"***")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// A live session, looked up from its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub actor: Actor,
    pub csrf: String,
    pub expires_at: String,
}

/// An API token as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiTokenInfo {
    pub id: i64,
    pub name: String,
    pub username: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

/// Shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 10;

/// A fresh random token: 32 bytes from the operating system, hex.
pub fn random_token() -> Result<String> {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).map_err(|e| {
        StoreError::Invalid(format!("no randomness from the operating system: {e}"))
    })?;
    Ok(hex::encode(buf))
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn hash_password(password: &str) -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        StoreError::Invalid(format!("no randomness from the operating system: {e}"))
    })?;
    let salt = SaltString::encode_b64(&bytes)
        .map_err(|e| StoreError::Invalid(format!("cannot encode the salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Invalid(format!("cannot hash the password: {e}")))
}

fn password_matches(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Spent on unknown users so that a wrong user name takes as long as a wrong password.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$N3T0eBWuVFLYnPeBvOGUMx1JLXkl0eR3ByZc/dW6QZk";

fn plus_seconds(secs: i64) -> String {
    let t = OffsetDateTime::now_utc() + time::Duration::seconds(secs);
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

fn valid_org_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn valid_username(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'))
}

fn actor_from_row<R>(r: &R) -> Result<Actor>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    usize: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let kind: String = r.try_get(3)?;
    let role: String = r.try_get(5)?;
    Ok(Actor {
        user_id: r.try_get(0)?,
        username: r.try_get(1)?,
        org: r.try_get(2)?,
        org_kind: OrgKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("organisation kind `{kind}`")))?,
        country: r.try_get(4)?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role `{role}`")))?,
    })
}

impl Store {
    /// Create an organisation. `by` is recorded in the audit log.
    pub async fn create_organisation(
        &self,
        id: &str,
        name: &str,
        kind: OrgKind,
        country: Option<&str>,
        by: &str,
    ) -> Result<Organisation> {
        let id = id.trim();
        if !valid_org_id(id) {
            return Err(StoreError::Invalid(format!(
                "organisation identifier `{id}`: use letters, digits, `-`, `_` or `.` (e.g. NZ-1, GOV-TO)"
            )));
        }
        let country = country.map(|c| c.trim().to_ascii_uppercase());
        if let Some(c) = &country
            && (c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_uppercase()))
        {
            return Err(StoreError::Invalid(format!(
                "country `{c}`: use an ISO 3166-1 alpha-2 code such as TO or FJ"
            )));
        }
        if kind == OrgKind::Government && country.is_none() {
            return Err(StoreError::Invalid(format!(
                "organisation `{id}` is a government: give its country (e.g. --country TO)"
            )));
        }
        let org = Organisation {
            id: id.to_string(),
            name: name.trim().to_string(),
            kind,
            country,
            created_at: now_utc(),
        };
        let after = serde_json::to_string(&org).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let backend = self.backend();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin_immediate(backend)).await?;
            let exists = sqlx::query("SELECT 1 FROM organisation WHERE id = $1")
                .bind(&org.id)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_some() {
                return Err(StoreError::Invalid(format!("organisation `{}` already exists", org.id)));
            }
            sqlx::query("INSERT INTO organisation (id, name, kind, country, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(&org.id)
                .bind(&org.name)
                .bind(org.kind.as_str())
                .bind(org.country.as_deref())
                .bind(&org.created_at)
                .execute(&mut *tx)
                .await?;
            crate::audit::record(&mut *tx, &crate::audit::AuditEntry {
                actor: by,
                action: "create",
                object_type: "organisation",
                object_id: &org.id,
                before: None,
                after: Some(&after),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(org)
    }

    /// Every organisation, by id.
    pub async fn organisations(&self) -> Result<Vec<Organisation>> {
        let rows = on_pool!(self, pool => {
            sqlx::query("SELECT id, name, kind, country, created_at FROM organisation ORDER BY id")
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|r| {
                    let kind: String = r.try_get(2)?;
                    Ok(Organisation {
                        id: r.try_get(0)?,
                        name: r.try_get(1)?,
                        kind: OrgKind::parse(&kind)
                            .ok_or_else(|| StoreError::Corrupt(format!("organisation kind `{kind}`")))?,
                        country: r.try_get(3)?,
                        created_at: r.try_get(4)?,
                    })
                })
                .collect::<Result<Vec<_>>>()?
        });
        Ok(rows)
    }

    /// Create a user of an existing organisation. The password is hashed with
    /// Argon2id; `by` is recorded in the audit log (never the password).
    pub async fn create_user(&self, new: &NewUser<'_>, by: &str) -> Result<User> {
        let username = new.username.trim();
        if !valid_username(username) {
            return Err(StoreError::Invalid(format!(
                "user name `{username}`: use letters, digits, `-`, `_`, `.` or `@`, at most 64"
            )));
        }
        if new.password.chars().count() < MIN_PASSWORD_LEN {
            return Err(StoreError::Invalid(format!(
                "the password of `{username}` is too short: use at least {MIN_PASSWORD_LEN} characters"
            )));
        }
        let password = new.password.to_string();
        let phc = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| StoreError::Invalid(format!("password hashing stopped: {e}")))??;
        let created_at = now_utc();
        let display_name = if new.display_name.trim().is_empty() {
            username.to_string()
        } else {
            new.display_name.trim().to_string()
        };
        let backend = self.backend();
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin_immediate(backend)).await?;
            let org = sqlx::query("SELECT 1 FROM organisation WHERE id = $1")
                .bind(new.org)
                .fetch_optional(&mut *tx)
                .await?;
            if org.is_none() {
                return Err(StoreError::Invalid(format!(
                    "organisation `{}` does not exist: create it first with `vaka org add`", new.org
                )));
            }
            let taken = sqlx::query("SELECT 1 FROM app_user WHERE username = $1")
                .bind(username)
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                return Err(StoreError::Invalid(format!("user `{username}` already exists")));
            }
            let id: i64 = sqlx::query(
                "INSERT INTO app_user (username, display_name, password_hash, org_id, role, created_at, disabled) \
                 VALUES ($1, $2, $3, $4, $5, $6, FALSE) RETURNING id",
            )
            .bind(username)
            .bind(&display_name)
            .bind(&phc)
            .bind(new.org)
            .bind(new.role.as_str())
            .bind(&created_at)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            let after = serde_json::json!({
                "id": id, "username": username, "display_name": display_name,
                "org": new.org, "role": new.role.as_str(),
            })
            .to_string();
            crate::audit::record(&mut *tx, &crate::audit::AuditEntry {
                actor: by,
                action: "create",
                object_type: "user",
                object_id: username,
                before: None,
                after: Some(&after),
            })
            .await?;
            tx.commit().await?;
            id
        });
        Ok(User {
            id,
            username: username.to_string(),
            display_name,
            org: new.org.to_string(),
            role: new.role,
            created_at,
            disabled: false,
        })
    }

    /// Every user, by user name.
    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT id, username, display_name, org_id, role, created_at, disabled FROM app_user ORDER BY username",
            )
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| {
                let role: String = r.try_get(4)?;
                Ok(User {
                    id: r.try_get(0)?,
                    username: r.try_get(1)?,
                    display_name: r.try_get(2)?,
                    org: r.try_get(3)?,
                    role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role `{role}`")))?,
                    created_at: r.try_get(5)?,
                    disabled: r.try_get(6)?,
                })
            })
            .collect::<Result<Vec<_>>>()?
        });
        Ok(rows)
    }

    /// The actor of a user by name, without a password: for the command line,
    /// whose operator already holds the database. An unknown name is
    /// [`StoreError::NotFound`], a disabled account [`StoreError::Forbidden`].
    pub async fn user_actor(&self, username: &str) -> Result<Actor> {
        let name = username.trim();
        let found = on_pool!(self, pool => {
            match sqlx::query(
                "SELECT u.id, u.username, u.org_id, o.kind, o.country, u.role, u.disabled FROM app_user u \
                 JOIN organisation o ON o.id = u.org_id WHERE u.username = $1",
            )
            .bind(name)
            .fetch_optional(pool)
            .await?
            {
                Some(r) => Some((actor_from_row(&r)?, r.try_get::<bool, _>(6)?)),
                None => None,
            }
        });
        match found {
            None => Err(StoreError::NotFound(format!("user `{name}`"))),
            Some((_, true)) => Err(StoreError::Forbidden(format!("user `{name}` is disabled"))),
            Some((a, false)) => Ok(a),
        }
    }

    /// The actor of an enabled user, if the password is right. Wrong user names
    /// and wrong passwords are indistinguishable to the caller (and take as long).
    pub async fn verify_password(&self, username: &str, password: &str) -> Result<Option<Actor>> {
        let found = on_pool!(self, pool => {
            match sqlx::query(
                "SELECT u.id, u.username, u.org_id, o.kind, o.country, u.role, u.password_hash FROM app_user u JOIN organisation o ON o.id = u.org_id \
                 WHERE u.username = $1 AND NOT u.disabled"
            )
            .bind(username.trim())
            .fetch_optional(pool)
            .await?
            {
                Some(r) => Some((actor_from_row(&r)?, r.try_get::<String, _>(6)?)),
                None => None,
            }
        });
        let (actor, phc) = match found {
            Some((a, h)) => (Some(a), h),
            None => (None, DUMMY_HASH.to_string()),
        };
        let password = password.to_string();
        let ok = tokio::task::spawn_blocking(move || password_matches(&password, &phc))
            .await
            .unwrap_or(false);
        Ok(if ok { actor } else { None })
    }

    /// Start a session for a user, valid for `ttl_secs` seconds.
    pub async fn create_session(&self, user_id: i64, ttl_secs: i64) -> Result<NewSession> {
        let s = NewSession {
            token: random_token()?,
            csrf: random_token()?,
            expires_at: plus_seconds(ttl_secs),
        };
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO user_session (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(token_hash(&s.token))
            .bind(user_id)
            .bind(&s.csrf)
            .bind(now_utc())
            .bind(&s.expires_at)
            .execute(pool)
            .await?;
        });
        Ok(s)
    }

    /// The live session of a token (`None` when unknown, expired or the user is disabled).
    pub async fn session(&self, token: &str) -> Result<Option<SessionInfo>> {
        let now = now_utc();
        let found = on_pool!(self, pool => {
            match sqlx::query(
                "SELECT u.id, u.username, u.org_id, o.kind, o.country, u.role, s.csrf_token, s.expires_at FROM user_session s \
                 JOIN app_user u ON u.id = s.user_id JOIN organisation o ON o.id = u.org_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled"
            )
            .bind(token_hash(token))
            .bind(&now)
            .fetch_optional(pool)
            .await?
            {
                Some(r) => Some(SessionInfo {
                    actor: actor_from_row(&r)?,
                    csrf: r.try_get(6)?,
                    expires_at: r.try_get(7)?,
                }),
                None => None,
            }
        });
        Ok(found)
    }

    /// End a session (sign out). Unknown tokens are ignored.
    pub async fn delete_session(&self, token: &str) -> Result<()> {
        let now = now_utc();
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM user_session WHERE token_hash = $1 OR expires_at <= $2")
                .bind(token_hash(token))
                .bind(&now)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Create an API token for a user; returns the token, which is shown once
    /// and never stored.
    pub async fn create_api_token(&self, username: &str, name: &str, by: &str) -> Result<String> {
        let token = format!("vaka_{}", random_token()?);
        let hash = token_hash(&token);
        let backend = self.backend();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin_immediate(backend)).await?;
            let user_id: i64 = match sqlx::query("SELECT id FROM app_user WHERE username = $1")
                .bind(username)
                .fetch_optional(&mut *tx)
                .await?
            {
                Some(r) => r.try_get(0)?,
                None => return Err(StoreError::NotFound(format!("user `{username}`"))),
            };
            let id: i64 = sqlx::query(
                "INSERT INTO api_token (token_hash, name, user_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(&hash)
            .bind(name)
            .bind(user_id)
            .bind(now_utc())
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            let after = serde_json::json!({"id": id, "name": name, "user": username}).to_string();
            crate::audit::record(&mut *tx, &crate::audit::AuditEntry {
                actor: by,
                action: "create",
                object_type: "api_token",
                object_id: &id.to_string(),
                before: None,
                after: Some(&after),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(token)
    }

    /// The actor an API token acts as (`None` when unknown or the user is
    /// disabled). Records when the token was last used.
    pub async fn api_token_actor(&self, token: &str) -> Result<Option<Actor>> {
        let hash = token_hash(token);
        let now = now_utc();
        let found = on_pool!(self, pool => {
            let found = match sqlx::query(
                "SELECT u.id, u.username, u.org_id, o.kind, o.country, u.role FROM api_token t JOIN app_user u ON u.id = t.user_id \
                 JOIN organisation o ON o.id = u.org_id WHERE t.token_hash = $1 AND NOT u.disabled"
            )
            .bind(&hash)
            .fetch_optional(pool)
            .await?
            {
                Some(r) => Some(actor_from_row(&r)?),
                None => None,
            };
            if found.is_some() {
                sqlx::query("UPDATE api_token SET last_used_at = $1 WHERE token_hash = $2")
                    .bind(&now)
                    .bind(&hash)
                    .execute(pool)
                    .await?;
            }
            found
        });
        Ok(found)
    }

    /// Every API token (never the tokens themselves).
    pub async fn api_tokens(&self) -> Result<Vec<ApiTokenInfo>> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT t.id, t.name, u.username, t.created_at, t.last_used_at FROM api_token t \
                 JOIN app_user u ON u.id = t.user_id ORDER BY t.id",
            )
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| {
                Ok(ApiTokenInfo {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    username: r.try_get(2)?,
                    created_at: r.try_get(3)?,
                    last_used_at: r.try_get(4)?,
                })
            })
            .collect::<Result<Vec<_>>>()?
        });
        Ok(rows)
    }
}
