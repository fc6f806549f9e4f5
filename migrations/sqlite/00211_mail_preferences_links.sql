-- +goose Up
-- The messages a user chose not to receive (package notify): one row per
-- user and kind of message; no row means the message is sent.
CREATE TABLE mail_opt_outs (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- Invitation and password-reset links (package account): the link's secret
-- is only in the mail; its SHA-256 is stored. A link is used once
-- (used_at, set by a conditional update) and expires.
CREATE TABLE account_links (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('invitation', 'reset')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME
);
CREATE INDEX account_links_user_idx ON account_links (user_id, purpose);

-- +goose Down
DROP TABLE account_links;
DROP TABLE mail_opt_outs;
