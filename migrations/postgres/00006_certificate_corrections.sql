-- +goose Up
-- A handover attestation may be corrected: the new one gets the next number
-- and the old one is superseded. Only one attestation per handover is
-- current, so the uniqueness now holds among those not superseded.
DROP INDEX certificates_reservation_key;
CREATE UNIQUE INDEX certificates_reservation_key ON certificates (reservation_id)
    WHERE reservation_id IS NOT NULL AND superseded_by IS NULL;

-- +goose Down
DROP INDEX certificates_reservation_key;
CREATE UNIQUE INDEX certificates_reservation_key ON certificates (reservation_id) WHERE reservation_id IS NOT NULL;
