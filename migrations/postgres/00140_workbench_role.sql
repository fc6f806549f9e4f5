-- +goose Up
-- The workbench role (a diagnostic bench's account, by API token only).
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('admin', 'staff', 'volunteer', 'trainer', 'social_worker', 'workbench'));

-- +goose Down
DELETE FROM api_tokens WHERE user_id IN (SELECT id FROM users WHERE role = 'workbench');
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('admin', 'staff', 'volunteer', 'trainer', 'social_worker'));
