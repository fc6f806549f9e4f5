-- +goose Up
-- Browser sessions are stored under the SHA-256 of their token, never the
-- token itself: a copy of the table (a backup, a read-only leak) opens no
-- session. Existing sessions cannot be converted in SQL: everybody signs in
-- again once after the upgrade.
DROP TABLE sessions;
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    data       BYTEA NOT NULL,
    expiry     TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- A session remembers the epoch of its account at sign-in; changing the
-- password or the role, deactivating, or "log out everywhere" moves the
-- epoch on, which ends every older session at its next request.
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;

-- API tokens may expire.
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ;

-- Login throttling: one row per client address (hashed), locked while an
-- attempt is counted, so that counting and checking the count are one step
-- on PostgreSQL too. Attempts themselves stay in login_attempts.
CREATE TABLE login_keys (
    key     TEXT PRIMARY KEY,
    seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_keys_seen_at_idx ON login_keys (seen_at);

-- +goose Down
DROP TABLE login_keys;
ALTER TABLE api_tokens DROP COLUMN expires_at;
ALTER TABLE users DROP COLUMN session_epoch;
DROP TABLE sessions;
CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BYTEA NOT NULL,
    expiry TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);
