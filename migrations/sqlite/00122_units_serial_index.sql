-- +goose Up
-- A report's machine serial is looked up among the units' serials, trimmed
-- and upper case (inventory.checkOwners), at every upload.
CREATE INDEX units_serial_folded_idx ON units (UPPER(TRIM(serial_number)));

-- +goose Down
DROP INDEX units_serial_folded_idx;
