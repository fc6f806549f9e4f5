-- +goose Up
-- The Bilan (reports) counts units' moves to a status within a period, and
-- reads the decisions and withdrawals of families from the audit log: both
-- by range over these indexes, which also hold what the counts need; and
-- erasures by the time they were recorded.
CREATE INDEX unit_events_to_status_at_idx ON unit_events (to_status, at, unit_id, from_status);
-- A unit's own moves to a status (the last "ready" before each handover).
CREATE INDEX unit_events_unit_status_at_idx ON unit_events (unit_id, to_status, at, from_status);
CREATE INDEX audit_events_action_at_idx ON audit_events (action, at);
CREATE INDEX erasures_created_at_idx ON erasures (created_at, category, result);

-- +goose Down
DROP INDEX erasures_created_at_idx;
DROP INDEX audit_events_action_at_idx;
DROP INDEX unit_events_unit_status_at_idx;
DROP INDEX unit_events_to_status_at_idx;
