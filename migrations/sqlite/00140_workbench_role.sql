-- +goose Up
-- The workbench role (a diagnostic bench's account, by API token only).
-- SQLite cannot change a CHECK constraint in place: the users table is
-- rebuilt. Other tables keep their REFERENCES users (id): the rows are
-- copied aside, the table dropped and created again, and the rows put back
-- under the same ids. Foreign keys are checked at commit
-- (defer_foreign_keys, reset by SQLite at the end of the transaction): the
-- rows put back answer every reference the drop left dangling.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE users_00140 AS SELECT * FROM users;
DROP TABLE users;
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'volunteer', 'trainer', 'social_worker', 'workbench')),
    partner_id    INTEGER REFERENCES partners (id),
    password_hash TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT 1,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    last_login_at DATETIME,
    session_epoch INTEGER NOT NULL DEFAULT 0,
    CHECK (role <> 'social_worker' OR partner_id IS NOT NULL)
);
INSERT INTO users (id, email, name, role, partner_id, password_hash, active, created_at, updated_at, last_login_at, session_epoch)
    SELECT id, email, name, role, partner_id, password_hash, active, created_at, updated_at, last_login_at, session_epoch
    FROM users_00140;
DROP TABLE users_00140;
CREATE UNIQUE INDEX users_email_key ON users (email);

-- +goose Down
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE users_00140 AS SELECT * FROM users WHERE role <> 'workbench';
DELETE FROM api_tokens WHERE user_id IN (SELECT id FROM users WHERE role = 'workbench');
DROP TABLE users;
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'volunteer', 'trainer', 'social_worker')),
    partner_id    INTEGER REFERENCES partners (id),
    password_hash TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT 1,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    last_login_at DATETIME,
    session_epoch INTEGER NOT NULL DEFAULT 0,
    CHECK (role <> 'social_worker' OR partner_id IS NOT NULL)
);
INSERT INTO users (id, email, name, role, partner_id, password_hash, active, created_at, updated_at, last_login_at, session_epoch)
    SELECT id, email, name, role, partner_id, password_hash, active, created_at, updated_at, last_login_at, session_epoch
    FROM users_00140;
DROP TABLE users_00140;
CREATE UNIQUE INDEX users_email_key ON users (email);
