-- +goose Up
-- Reports of the tools that read a machine (lshw, smartctl, nwipe), kept as
-- sent (at most 2 MB) with their SHA-256; the drives of a unit, one row per
-- physical drive, a serial on one unit only; erasure records point at the
-- drive they erased and at the report they came from. Fields a report
-- disagrees with are kept as conflicts until staff choose.
CREATE TABLE unit_reports (
    id               INTEGER PRIMARY KEY,
    unit_id          INTEGER NOT NULL REFERENCES units (id),
    kind             TEXT NOT NULL CHECK (kind IN ('lshw', 'smartctl', 'nwipe')),
    tool             TEXT NOT NULL DEFAULT '',
    sha256           TEXT NOT NULL,
    size_bytes       INTEGER NOT NULL CHECK (size_bytes BETWEEN 0 AND 2097152),
    content          BLOB NOT NULL,
    uploaded_by_id   INTEGER REFERENCES users (id),
    uploaded_by_name TEXT NOT NULL,
    created_at       DATETIME NOT NULL
);
CREATE INDEX unit_reports_unit_id_idx ON unit_reports (unit_id, id);

CREATE TABLE unit_drives (
    id             INTEGER PRIMARY KEY,
    unit_id        INTEGER NOT NULL REFERENCES units (id),
    model          TEXT NOT NULL DEFAULT '',
    serial         TEXT NOT NULL DEFAULT '',
    capacity_bytes INTEGER NOT NULL DEFAULT 0 CHECK (capacity_bytes >= 0),
    kind           TEXT NOT NULL DEFAULT '' CHECK (kind IN ('', 'hdd', 'ssd', 'nvme', 'emmc')),
    power_on_hours INTEGER,
    smart_passed   BOOLEAN,
    reallocated    INTEGER,
    pending        INTEGER,
    report_id      INTEGER REFERENCES unit_reports (id),
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL
);
CREATE INDEX unit_drives_unit_id_idx ON unit_drives (unit_id, id);
-- One drive, one unit: a serial (trimmed, upper case) is never on two rows.
CREATE UNIQUE INDEX unit_drives_serial_key ON unit_drives (serial) WHERE serial <> '';

CREATE TABLE unit_report_conflicts (
    id             INTEGER PRIMARY KEY,
    unit_id        INTEGER NOT NULL REFERENCES units (id),
    report_id      INTEGER NOT NULL REFERENCES unit_reports (id),
    field          TEXT NOT NULL,
    current_value  TEXT NOT NULL,
    reported_value TEXT NOT NULL,
    resolution     TEXT NOT NULL DEFAULT '' CHECK (resolution IN ('', 'kept', 'reported')),
    resolved_by    TEXT NOT NULL DEFAULT '',
    resolved_at    DATETIME,
    created_at     DATETIME NOT NULL
);
CREATE INDEX unit_report_conflicts_unit_id_idx ON unit_report_conflicts (unit_id, id);

ALTER TABLE erasures ADD COLUMN drive_id INTEGER REFERENCES unit_drives (id);
ALTER TABLE erasures ADD COLUMN report_id INTEGER REFERENCES unit_reports (id);

-- +goose Down
ALTER TABLE erasures DROP COLUMN report_id;
ALTER TABLE erasures DROP COLUMN drive_id;
DROP TABLE unit_report_conflicts;
DROP TABLE unit_drives;
DROP TABLE unit_reports;
