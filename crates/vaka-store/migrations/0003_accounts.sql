-- Accounts: organisations, their users, browser sessions and API tokens.
--
-- Secrets are never stored: passwords as Argon2id PHC strings, session and API
-- tokens as the hex SHA-256 of the random token the client holds.

CREATE TABLE organisation (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    country TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE app_user (
    id @ID@,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisation (id),
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE
);

-- Named unique indexes (not inline UNIQUE) so both backends end with the same schema.
CREATE UNIQUE INDEX app_user_username ON app_user (username);
CREATE INDEX app_user_org ON app_user (org_id);

CREATE TABLE user_session (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE INDEX user_session_user ON user_session (user_id);

CREATE TABLE api_token (
    id @ID@,
    token_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    last_used_at TEXT
);

CREATE UNIQUE INDEX api_token_token_hash ON api_token (token_hash);
CREATE INDEX api_token_user ON api_token (user_id);
