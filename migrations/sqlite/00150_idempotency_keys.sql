-- +goose Up
-- The first answer to a write sent with an Idempotency-Key, kept 24 hours
-- per user and key (account.ClaimIdempotencyKey): a replay gets it back, a
-- concurrent twin finds the key taken. state is 'in_progress' from the claim
-- until the answer is stored ('done'); owner is the claim's random nonce, so
-- that only the request holding the claim stores or releases it.
CREATE TABLE idempotency_keys (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('in_progress', 'done')),
    owner        TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL DEFAULT '',
    headers      TEXT NOT NULL DEFAULT '',
    body         BLOB,
    created_at   DATETIME NOT NULL,
    expires_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX idempotency_keys_user_key ON idempotency_keys (user_id, key);
CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
