-- +goose Up
-- The transactional outbox (package outbox): a mail is written in the same
-- transaction as the change that causes it, and sent later by a worker that
-- claims it (locked_until, FOR UPDATE SKIP LOCKED on PostgreSQL), sends it
-- with its stable message_id, and marks it sent. state is 'pending' until
-- sent, or 'failed' after MaxAttempts.
CREATE TABLE outbox_messages (
    id           INTEGER PRIMARY KEY,
    message_id   TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    subject      TEXT NOT NULL,
    body_text    TEXT NOT NULL,
    body_html    TEXT NOT NULL DEFAULT '',
    attachment_name TEXT NOT NULL DEFAULT '',
    attachment   BLOB,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    next_attempt_at DATETIME NOT NULL,
    locked_until DATETIME,
    locked_by    TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    sent_at      DATETIME
);
CREATE INDEX outbox_messages_due_idx ON outbox_messages (state, next_attempt_at);

-- +goose Down
DROP TABLE outbox_messages;
