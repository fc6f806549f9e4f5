-- +goose Up
-- Gap-free yearly numbers (F-2026-0042, REM-2026-0001…): one row per series
-- and year, incremented inside the transaction that uses the number.
CREATE TABLE sequences (
    series TEXT NOT NULL,
    year   INTEGER NOT NULL,
    value  INTEGER NOT NULL,
    PRIMARY KEY (series, year)
);

CREATE TABLE households (
    id                INTEGER PRIMARY KEY,
    reference         TEXT NOT NULL,
    contact_name      TEXT NOT NULL,
    phone             TEXT NOT NULL DEFAULT '',
    commune           TEXT NOT NULL,
    postcode          TEXT NOT NULL DEFAULT '',
    qpv               BOOLEAN NOT NULL,
    adults            INTEGER NOT NULL CHECK (adults BETWEEN 1 AND 20),
    children          INTEGER NOT NULL CHECK (children BETWEEN 0 AND 20),
    school_children   INTEGER NOT NULL CHECK (school_children BETWEEN 0 AND children),
    income_bracket    TEXT NOT NULL DEFAULT '',
    has_computer      BOOLEAN NOT NULL,
    need              TEXT NOT NULL CHECK (need IN ('laptop', 'desktop', 'any')),
    notes             TEXT NOT NULL DEFAULT '',
    consent_at        DATETIME NOT NULL,
    consent_by_id     INTEGER REFERENCES users (id),
    consent_by_name   TEXT NOT NULL,
    partner_id        INTEGER NOT NULL REFERENCES partners (id),
    social_worker_id  INTEGER REFERENCES users (id),
    status            TEXT NOT NULL CHECK (status IN ('nominated', 'eligible', 'ineligible', 'enrolled', 'trained', 'reserved', 'equipped', 'withdrawn')),
    status_reason     TEXT NOT NULL DEFAULT '',
    decided_at        DATETIME,
    decided_by_name   TEXT NOT NULL DEFAULT '',
    trained_at        DATETIME,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        DATETIME NOT NULL,
    updated_at        DATETIME NOT NULL
);
CREATE UNIQUE INDEX households_reference_key ON households (reference);
CREATE INDEX households_partner_idx ON households (partner_id, id);
CREATE INDEX households_status_idx ON households (status, id);

CREATE TABLE courses (
    id                INTEGER PRIMARY KEY,
    title             TEXT NOT NULL,
    place             TEXT NOT NULL DEFAULT '',
    trainer_id        INTEGER REFERENCES users (id),
    required_sessions INTEGER NOT NULL CHECK (required_sessions >= 1),
    created_at        DATETIME NOT NULL,
    updated_at        DATETIME NOT NULL
);
CREATE INDEX courses_trainer_idx ON courses (trainer_id, id);

CREATE TABLE course_sessions (
    course_id INTEGER NOT NULL REFERENCES courses (id),
    number    INTEGER NOT NULL CHECK (number >= 1),
    date      DATE NOT NULL,
    PRIMARY KEY (course_id, number)
);

CREATE TABLE enrollments (
    course_id    INTEGER NOT NULL REFERENCES courses (id),
    household_id INTEGER NOT NULL REFERENCES households (id),
    enrolled_at  DATETIME NOT NULL,
    PRIMARY KEY (course_id, household_id)
);
CREATE INDEX enrollments_household_idx ON enrollments (household_id);

CREATE TABLE attendance (
    course_id      INTEGER NOT NULL,
    household_id   INTEGER NOT NULL,
    session        INTEGER NOT NULL,
    present        BOOLEAN NOT NULL,
    recorded_at    DATETIME NOT NULL,
    recorded_by_id INTEGER REFERENCES users (id),
    PRIMARY KEY (course_id, household_id, session),
    FOREIGN KEY (course_id, household_id) REFERENCES enrollments (course_id, household_id),
    FOREIGN KEY (course_id, session) REFERENCES course_sessions (course_id, number)
);

CREATE TABLE reservations (
    id            INTEGER PRIMARY KEY,
    household_id  INTEGER NOT NULL REFERENCES households (id),
    unit_id       INTEGER NOT NULL REFERENCES units (id),
    status        TEXT NOT NULL CHECK (status IN ('active', 'cancelled', 'handed_over')),
    created_at    DATETIME NOT NULL,
    created_by_id INTEGER REFERENCES users (id),
    closed_at     DATETIME,
    closed_by_id  INTEGER REFERENCES users (id),
    close_reason  TEXT NOT NULL DEFAULT ''
);
-- One active reservation per unit and per household, whatever the code does.
CREATE UNIQUE INDEX reservations_active_unit_key ON reservations (unit_id) WHERE status = 'active';
CREATE UNIQUE INDEX reservations_active_household_key ON reservations (household_id) WHERE status = 'active';
CREATE INDEX reservations_household_idx ON reservations (household_id, id);

-- +goose Down
DROP TABLE reservations;
DROP TABLE attendance;
DROP TABLE enrollments;
DROP TABLE course_sessions;
DROP TABLE courses;
DROP TABLE households;
DROP TABLE sequences;
