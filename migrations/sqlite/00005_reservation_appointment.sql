-- +goose Up
-- The day the family is expected at the handover desk, if one was fixed: a
-- calendar date (Europe/Paris), like donations' received_on.
ALTER TABLE reservations ADD COLUMN appointment_on DATE;

-- +goose Down
ALTER TABLE reservations DROP COLUMN appointment_on;
