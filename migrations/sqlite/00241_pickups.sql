-- +goose Up
-- Pickups (enlèvements, issue 20): what leaves the workshop in one go with
-- an outlet's carrier: units that are dismantled or recycled, and loose
-- material weighed by flow. A unit leaves in one pickup only: the unique
-- index on pickup_units.unit_id settles two pickups claiming it at once.
CREATE TABLE pickups (
    id              INTEGER PRIMARY KEY,
    number          TEXT NOT NULL,
    picked_on       DATE NOT NULL,
    outlet_id       INTEGER NOT NULL REFERENCES outlets (id),
    carrier         TEXT NOT NULL,
    carrier_siret   TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    created_by_id   INTEGER REFERENCES users (id),
    created_by_name TEXT NOT NULL,
    created_at      DATETIME NOT NULL
);
CREATE UNIQUE INDEX pickups_number_key ON pickups (number);
CREATE INDEX pickups_picked_on_idx ON pickups (picked_on, id);

CREATE TABLE pickup_units (
    pickup_id INTEGER NOT NULL REFERENCES pickups (id),
    unit_id   INTEGER NOT NULL REFERENCES units (id),
    weight_kg REAL CHECK (weight_kg IS NULL OR (weight_kg > 0 AND weight_kg <= 500))
);
CREATE UNIQUE INDEX pickup_units_unit_key ON pickup_units (unit_id);
CREATE INDEX pickup_units_pickup_idx ON pickup_units (pickup_id);

CREATE TABLE pickup_flows (
    pickup_id INTEGER NOT NULL REFERENCES pickups (id),
    flow      TEXT NOT NULL CHECK (flow IN ('screens', 'central_units', 'small_equipment', 'batteries', 'boards_components')),
    weight_kg REAL NOT NULL CHECK (weight_kg > 0 AND weight_kg <= 10000)
);
CREATE UNIQUE INDEX pickup_flows_key ON pickup_flows (pickup_id, flow);

-- +goose Down
DROP TABLE pickup_flows;
DROP TABLE pickup_units;
DROP TABLE pickups;
