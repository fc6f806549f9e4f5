-- +goose Up
-- A report is attached to a unit once: the same file sent again (a
-- workbench bundle uploaded twice, a retry after a cut) is refused by the
-- database, whatever the timing, and answered 409 naming the report.
CREATE UNIQUE INDEX unit_reports_unit_sha256_key ON unit_reports (unit_id, sha256);

-- +goose Down
DROP INDEX unit_reports_unit_sha256_key;
