-- +goose Up
-- Restores of a backup (README, "Restoring a backup"; package numbering).
-- A row whose advanced_at is NULL is a restore marker: `ordi backup` writes
-- one into every copy it makes, and no number is handed out while one is
-- there. `ordi numbering advance` completes it (or adds a row): every series
-- of its year and before then skips `gap` numbers, once, past those the lost
-- database may have issued. sequences.restore_id is the last restore a
-- series has skipped for.
CREATE TABLE numbering_restores (
    id          INTEGER PRIMARY KEY,
    marked_at   DATETIME NOT NULL,
    advanced_at DATETIME,
    year        INTEGER,
    gap         INTEGER CHECK (gap >= 0),
    CHECK ((advanced_at IS NULL) = (gap IS NULL) AND (gap IS NULL) = (year IS NULL))
);
ALTER TABLE sequences ADD COLUMN restore_id INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE sequences DROP COLUMN restore_id;
DROP TABLE numbering_restores;
