-- +goose Up
-- Issued certificates are frozen: the PDF bytes and their SHA-256 are kept,
-- and a download returns exactly them. A re-issue gets a new number and the
-- old certificate points to it.
CREATE TABLE certificates (
    id             INTEGER PRIMARY KEY,
    number         TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('handover', 'donor')),
    issued_at      DATETIME NOT NULL,
    issued_by_id   INTEGER REFERENCES users (id),
    issued_by_name TEXT NOT NULL,
    donation_id    INTEGER REFERENCES donations (id),
    reservation_id INTEGER REFERENCES reservations (id),
    pdf            BLOB NOT NULL,
    sha256         TEXT NOT NULL,
    public         TEXT NOT NULL,
    details        TEXT NOT NULL DEFAULT '',
    superseded_by  TEXT,
    superseded_at  DATETIME,
    CHECK ((kind = 'handover') = (reservation_id IS NOT NULL)),
    CHECK ((kind = 'donor') = (donation_id IS NOT NULL))
);
CREATE UNIQUE INDEX certificates_number_key ON certificates (number);
CREATE UNIQUE INDEX certificates_reservation_key ON certificates (reservation_id) WHERE reservation_id IS NOT NULL;
CREATE INDEX certificates_donation_idx ON certificates (donation_id, id);
CREATE INDEX certificates_kind_idx ON certificates (kind, id);

-- +goose Down
DROP TABLE certificates;
