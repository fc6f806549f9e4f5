-- +goose Up
-- The Bilan's costliest figures, kept as they happen (issue 15's speed bar):
-- the moves a unit makes to an outcome (handed over, recycled, dismantled)
-- and its first move to ready, one row per such event, with what the
-- figures need beside it, so that the outcomes, the months and the lead
-- times read one narrow table by a range over one index instead of joining
-- the history to the units. Triggers keep it in the transaction of the
-- event itself, whichever code writes the event: every figure stays the one
-- the history gives (reports' TestKeptMovesMatchHistory).
--   since: for the first move to ready, when the unit was registered; for a
--          handover, the unit's last move to ready at or before it (none:
--          NULL, and it has no lead time, as in the history);
--   weight_kg: the unit's weight, kept equal to units.weight_kg.
CREATE TABLE report_moves (
    id        BIGINT PRIMARY KEY REFERENCES unit_events (id),
    unit_id   BIGINT NOT NULL REFERENCES units (id),
    to_status TEXT NOT NULL CHECK (to_status IN ('ready', 'handed_over', 'recycled', 'dismantled')),
    at        TIMESTAMPTZ NOT NULL,
    since     TIMESTAMPTZ,
    weight_kg DOUBLE PRECISION
);
CREATE INDEX report_moves_status_at_idx ON report_moves (to_status, at, weight_kg, since);
CREATE INDEX report_moves_unit_id_idx ON report_moves (unit_id);

-- +goose StatementBegin
CREATE FUNCTION report_moves_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.to_status IN ('handed_over', 'recycled', 'dismantled') THEN
        INSERT INTO report_moves (id, unit_id, to_status, at, since, weight_kg)
        SELECT NEW.id, NEW.unit_id, NEW.to_status, NEW.at,
            CASE WHEN NEW.to_status = 'handed_over' THEN (SELECT MAX(r.at) FROM unit_events r
                WHERE r.unit_id = NEW.unit_id AND r.to_status = 'ready' AND r.from_status <> 'ready' AND r.at <= NEW.at) END,
            u.weight_kg
        FROM units u WHERE u.id = NEW.unit_id;
    ELSIF NEW.to_status = 'ready' AND NOT EXISTS (SELECT 1 FROM unit_events e
            WHERE e.unit_id = NEW.unit_id AND e.to_status = 'ready' AND e.from_status <> 'ready' AND e.at < NEW.at) THEN
        INSERT INTO report_moves (id, unit_id, to_status, at, since, weight_kg)
        SELECT NEW.id, NEW.unit_id, 'ready', NEW.at, u.created_at, u.weight_kg FROM units u WHERE u.id = NEW.unit_id;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER report_moves_keep AFTER INSERT ON unit_events
    FOR EACH ROW WHEN (NEW.from_status <> NEW.to_status AND NEW.to_status IN ('ready', 'handed_over', 'recycled', 'dismantled'))
    EXECUTE FUNCTION report_moves_keep();
-- +goose StatementBegin
CREATE FUNCTION report_moves_weight() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE report_moves SET weight_kg = NEW.weight_kg WHERE unit_id = NEW.id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER report_moves_weight AFTER UPDATE OF weight_kg ON units
    FOR EACH ROW WHEN (NEW.weight_kg IS DISTINCT FROM OLD.weight_kg)
    EXECUTE FUNCTION report_moves_weight();

-- The history written before: the same rows.
INSERT INTO report_moves (id, unit_id, to_status, at, since, weight_kg)
SELECT e.id, e.unit_id, e.to_status, e.at,
    CASE WHEN e.to_status = 'handed_over' THEN (SELECT MAX(r.at) FROM unit_events r
        WHERE r.unit_id = e.unit_id AND r.to_status = 'ready' AND r.from_status <> 'ready' AND r.at <= e.at) END,
    u.weight_kg
FROM unit_events e JOIN units u ON u.id = e.unit_id
WHERE e.from_status <> e.to_status AND e.to_status IN ('handed_over', 'recycled', 'dismantled');
INSERT INTO report_moves (id, unit_id, to_status, at, since, weight_kg)
SELECT r.id, r.unit_id, 'ready', r.at, u.created_at, u.weight_kg
FROM unit_events r JOIN units u ON u.id = r.unit_id
WHERE r.to_status = 'ready' AND r.from_status <> 'ready'
    AND NOT EXISTS (SELECT 1 FROM unit_events e WHERE e.unit_id = r.unit_id AND e.to_status = 'ready' AND e.from_status <> 'ready' AND e.at < r.at);

-- The units received in a period, by kind and status: each unit keeps the
-- date its donation was received, set by trigger when it is written (and
-- when a donation's date changes), so that the count is a range over one
-- index per kind and status, read from the index alone, without joining
-- the donations nor sorting every unit to group them.
ALTER TABLE units ADD COLUMN received_on DATE;
UPDATE units SET received_on = (SELECT n.received_on FROM donations n WHERE n.id = units.donation_id);
-- +goose StatementBegin
CREATE FUNCTION units_received_on() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.received_on := (SELECT n.received_on FROM donations n WHERE n.id = NEW.donation_id);
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER units_received_on BEFORE INSERT ON units
    FOR EACH ROW EXECUTE FUNCTION units_received_on();
-- +goose StatementBegin
CREATE FUNCTION units_received_on_donation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE units SET received_on = NEW.received_on WHERE donation_id = NEW.id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER units_received_on_donation AFTER UPDATE OF received_on ON donations
    FOR EACH ROW EXECUTE FUNCTION units_received_on_donation();
CREATE INDEX units_kind_status_received_idx ON units (kind, status, received_on, weight_kg);
-- Erasures by category and result, each a range over its time: counted in
-- the index's order, without sorting them all to group them.
CREATE INDEX erasures_category_result_at_idx ON erasures (category, result, created_at);

-- +goose Down
DROP INDEX erasures_category_result_at_idx;
DROP INDEX units_kind_status_received_idx;
DROP TRIGGER units_received_on_donation ON donations;
DROP FUNCTION units_received_on_donation();
DROP TRIGGER units_received_on ON units;
DROP FUNCTION units_received_on();
ALTER TABLE units DROP COLUMN received_on;
DROP TRIGGER report_moves_weight ON units;
DROP FUNCTION report_moves_weight();
DROP TRIGGER report_moves_keep ON unit_events;
DROP FUNCTION report_moves_keep();
DROP TABLE report_moves;
