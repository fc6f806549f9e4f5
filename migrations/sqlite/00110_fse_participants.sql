-- +goose Up
-- The FSE+ participant questions (allocation.FSEAnswers), asked only when
-- the programme's rules say so: '' not answered, 'declined' the family's
-- contact person preferred not to answer.
ALTER TABLE households ADD COLUMN fse_labour_status TEXT NOT NULL DEFAULT ''
    CHECK (fse_labour_status IN ('', 'declined', 'employed', 'unemployed', 'long_term_unemployed', 'inactive'));
ALTER TABLE households ADD COLUMN fse_age_band TEXT NOT NULL DEFAULT ''
    CHECK (fse_age_band IN ('', 'declined', 'under_18', '18_29', '30_54', '55_plus'));
ALTER TABLE households ADD COLUMN fse_education TEXT NOT NULL DEFAULT ''
    CHECK (fse_education IN ('', 'declined', 'isced_0_2', 'isced_3_4', 'isced_5_8'));

-- What an erased family leaves for the FSE+ counts (allocation.FSEErased):
-- no household id, no reference, the day it entered the programme and the
-- coarse answers only.
CREATE TABLE fse_erased_participants (
    id                INTEGER PRIMARY KEY,
    entered_on        DATE NOT NULL,
    commune           TEXT NOT NULL,
    qpv               BOOLEAN NOT NULL,
    partner_id        INTEGER NOT NULL REFERENCES partners (id),
    fse_labour_status TEXT NOT NULL DEFAULT '',
    fse_age_band      TEXT NOT NULL DEFAULT '',
    fse_education     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX fse_erased_participants_entered_idx ON fse_erased_participants (entered_on);

-- +goose Down
DROP TABLE fse_erased_participants;
ALTER TABLE households DROP COLUMN fse_education;
ALTER TABLE households DROP COLUMN fse_age_band;
ALTER TABLE households DROP COLUMN fse_labour_status;
