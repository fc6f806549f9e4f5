-- +goose Up
-- After the handover (package aftercare): a problem reported from the public
-- page of a handed-over unit becomes a support ticket, linked to the unit and
-- to the family that received it (for staff only). ticket_events is the
-- ticket's history, appended only. report_keys and report_attempts count the
-- public reports per client address and per unit code, hashed, whether or
-- not the code exists (report_keys is the row an attempt locks while it is
-- counted).
CREATE TABLE tickets (
    id             INTEGER PRIMARY KEY,
    unit_id        INTEGER NOT NULL REFERENCES units (id),
    household_id   INTEGER REFERENCES households (id),
    category       TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('new', 'in_progress', 'waiting_family', 'closed')),
    closing_reason TEXT NOT NULL DEFAULT '',
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX tickets_status_idx ON tickets (status, id);
CREATE INDEX tickets_unit_idx ON tickets (unit_id, id);

CREATE TABLE ticket_events (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    at          DATETIME NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ticket_events_ticket_idx ON ticket_events (ticket_id, id);

CREATE TABLE report_keys (
    key     TEXT PRIMARY KEY,
    seen_at DATETIME NOT NULL
);
CREATE TABLE report_attempts (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at  DATETIME NOT NULL
);
CREATE INDEX report_attempts_key_idx ON report_attempts (key, at);

-- +goose Down
DROP TABLE report_attempts;
DROP TABLE report_keys;
DROP TABLE ticket_events;
DROP TABLE tickets;
