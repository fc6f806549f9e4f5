-- +goose Up
-- A course session's times, "HH:MM", both or neither (allocation.NewCourse
-- checks them); sessions created before have none and the attendance sheet
-- leaves room to write them by hand.
ALTER TABLE course_sessions ADD COLUMN start_time TEXT;
ALTER TABLE course_sessions ADD COLUMN end_time TEXT;

-- +goose Down
ALTER TABLE course_sessions DROP COLUMN end_time;
ALTER TABLE course_sessions DROP COLUMN start_time;
