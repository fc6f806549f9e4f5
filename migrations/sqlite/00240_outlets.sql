-- +goose Up
-- Outlets (exutoires): the éco-organismes, recyclers and reuse partners that
-- take what leaves the workshop (issue 20). A recycled unit used to record
-- its outlet as free text only: each distinct text (trimmed, ignoring ASCII
-- case) becomes an outlet record of kind 'recycler' with no SIRET, to be
-- completed on the outlets page, and its units point at it. The free text
-- stays on the unit, as the history recorded it.
CREATE TABLE outlets (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('eco_organisme', 'recycler', 'reuse_partner')),
    siret      TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT '',
    agreement  TEXT NOT NULL DEFAULT '',
    active     BOOLEAN NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX outlets_name_key ON outlets (LOWER(name));

ALTER TABLE units ADD COLUMN outlet_id INTEGER REFERENCES outlets (id);
CREATE INDEX units_outlet_id_idx ON units (outlet_id, id) WHERE outlet_id IS NOT NULL;

INSERT INTO outlets (name, kind, created_at, updated_at)
    SELECT MIN(TRIM(outlet)), 'recycler', MIN(created_at), MIN(created_at)
    FROM units WHERE TRIM(outlet) <> ''
    GROUP BY LOWER(TRIM(outlet));
UPDATE units SET outlet_id = (SELECT o.id FROM outlets o WHERE LOWER(o.name) = LOWER(TRIM(units.outlet)))
    WHERE TRIM(outlet) <> '';

-- +goose Down
DROP INDEX units_outlet_id_idx;
ALTER TABLE units DROP COLUMN outlet_id;
DROP TABLE outlets;
