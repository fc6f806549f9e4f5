-- +goose Up
CREATE TABLE donors (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('company', 'public_body', 'association', 'individual')),
    siret      TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX donors_name_idx ON donors (name);

CREATE TABLE donations (
    id          INTEGER PRIMARY KEY,
    donor_id    INTEGER NOT NULL REFERENCES donors (id),
    received_on DATE NOT NULL,
    site        TEXT NOT NULL DEFAULT '',
    reference   TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE INDEX donations_donor_id_idx ON donations (donor_id);
CREATE INDEX donations_received_on_idx ON donations (received_on, id);

CREATE TABLE units (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL,
    donation_id      INTEGER NOT NULL REFERENCES donations (id),
    kind             TEXT NOT NULL CHECK (kind IN ('laptop', 'desktop', 'all_in_one', 'tablet', 'screen', 'other')),
    brand            TEXT NOT NULL DEFAULT '',
    model            TEXT NOT NULL DEFAULT '',
    serial_number    TEXT NOT NULL DEFAULT '',
    cpu              TEXT NOT NULL DEFAULT '',
    ram_gb           INTEGER NOT NULL DEFAULT 0 CHECK (ram_gb >= 0),
    storage_gb       INTEGER NOT NULL DEFAULT 0 CHECK (storage_gb >= 0),
    storage_kind     TEXT NOT NULL DEFAULT 'none' CHECK (storage_kind IN ('hdd', 'ssd', 'nvme', 'emmc', 'none')),
    screen_inches    REAL,
    weight_kg        REAL,
    grade            TEXT NOT NULL DEFAULT '' CHECK (grade IN ('', 'A', 'B', 'C')),
    os               TEXT NOT NULL DEFAULT '',
    notes            TEXT NOT NULL DEFAULT '',
    search           TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL CHECK (status IN ('received', 'diagnosed', 'wiped', 'refurbished', 'ready', 'reserved', 'handed_over', 'returned', 'dismantled', 'recycled')),
    outlet           TEXT NOT NULL DEFAULT '',
    outlet_reference TEXT NOT NULL DEFAULT '',
    label_printed_at DATETIME,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL
);
CREATE UNIQUE INDEX units_code_key ON units (code);
CREATE INDEX units_donation_id_idx ON units (donation_id, id);
CREATE INDEX units_status_idx ON units (status, id);
CREATE INDEX units_kind_idx ON units (kind, id);
CREATE INDEX units_unprinted_idx ON units (id) WHERE label_printed_at IS NULL;

CREATE TABLE erasures (
    id            INTEGER PRIMARY KEY,
    unit_id       INTEGER NOT NULL REFERENCES units (id),
    category      TEXT NOT NULL CHECK (category IN ('clear', 'purge', 'destroy')),
    technique     TEXT NOT NULL,
    tool          TEXT NOT NULL DEFAULT '',
    drive_serial  TEXT NOT NULL DEFAULT '',
    drive_model   TEXT NOT NULL DEFAULT '',
    result        TEXT NOT NULL CHECK (result IN ('passed', 'failed')),
    started_at    DATETIME,
    finished_at   DATETIME,
    operator_id   INTEGER REFERENCES users (id),
    operator_name TEXT NOT NULL,
    created_at    DATETIME NOT NULL
);
CREATE INDEX erasures_unit_id_idx ON erasures (unit_id, id);

CREATE TABLE unit_events (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    at          DATETIME NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    data        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX unit_events_unit_id_idx ON unit_events (unit_id, id);

-- History is never edited or deleted.
-- +goose StatementBegin
CREATE TRIGGER unit_events_no_update BEFORE UPDATE ON unit_events
BEGIN SELECT RAISE(ABORT, 'unit_events is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER unit_events_no_delete BEFORE DELETE ON unit_events
BEGIN SELECT RAISE(ABORT, 'unit_events is append-only'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE unit_events;
DROP TABLE erasures;
DROP TABLE units;
DROP TABLE donations;
DROP TABLE donors;
