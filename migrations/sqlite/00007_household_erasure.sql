-- +goose Up
-- When a family's personal data was erased (at its request, or once the
-- retention period ran out); NULL while the file is whole.
ALTER TABLE households ADD COLUMN erased_at DATETIME;

-- +goose Down
ALTER TABLE households DROP COLUMN erased_at;
