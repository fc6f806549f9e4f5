-- +goose Up
-- A numbered certificate is written in the transaction that takes its number
-- with the inputs of its document (the renderer's values, as JSON) and no PDF
-- yet; the PDF is rendered after the commit, outside the number's lock, and
-- stored with its SHA-256 while render_input goes back to NULL. A row whose
-- render_input is still set (a crash in between) is rendered again from it.
ALTER TABLE certificates ADD COLUMN render_input TEXT;

-- +goose Down
ALTER TABLE certificates DROP COLUMN render_input;
