-- +goose Up
-- The column mapping last used for a donor's spreadsheet, suggested the next
-- time (inventory.ImportMapping as JSON).
CREATE TABLE donor_import_mappings (
    donor_id   INTEGER PRIMARY KEY REFERENCES donors (id) ON DELETE CASCADE,
    mapping    TEXT NOT NULL,
    updated_at DATETIME NOT NULL
);

-- A donor's file uploaded on the donation page, kept for the mapping step
-- until it is imported or expires; it belongs to the user who sent it.
CREATE TABLE import_uploads (
    id          TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    donation_id INTEGER NOT NULL REFERENCES donations (id) ON DELETE CASCADE,
    filename    TEXT NOT NULL DEFAULT '',
    data        BLOB NOT NULL,
    created_at  DATETIME NOT NULL,
    expires_at  DATETIME NOT NULL
);
CREATE INDEX import_uploads_expires_idx ON import_uploads (expires_at);

-- +goose Down
DROP TABLE import_uploads;
DROP TABLE donor_import_mappings;
