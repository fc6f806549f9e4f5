-- +goose Up
-- The staff's daily digests written (package notify): one row per day
-- (Europe/Paris, YYYY-MM-DD), inserted in the transaction that writes the
-- day's messages, so that several instances write them once.
CREATE TABLE mail_digests (
    day        TEXT PRIMARY KEY,
    written_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE mail_digests;
