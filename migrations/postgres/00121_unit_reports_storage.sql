-- +goose Up
-- Reports out of line, uncompressed: compressing a 2 MB report on every
-- upload costs the server more than the disk it saves.
ALTER TABLE unit_reports ALTER COLUMN content SET STORAGE EXTERNAL;

-- +goose Down
ALTER TABLE unit_reports ALTER COLUMN content SET STORAGE EXTENDED;
