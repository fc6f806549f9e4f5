-- +goose Up
-- The method (overwrite, sanitize command, …, destruction) and the medium
-- (hdd, ssd, nvme, emmc, usb) of an erasure, against which its NIST SP 800-88
-- category is checked when it is recorded (inventory.AllowedCategories).
-- Records made before stay as they were, with both empty: their category was
-- not checked, and no guess is written into the history.
ALTER TABLE erasures ADD COLUMN method TEXT NOT NULL DEFAULT ''
    CHECK (method IN ('', 'overwrite', 'sanitize', 'secure_erase', 'crypto_erase', 'degauss', 'destruction'));
ALTER TABLE erasures ADD COLUMN medium TEXT NOT NULL DEFAULT ''
    CHECK (medium IN ('', 'hdd', 'ssd', 'nvme', 'emmc', 'usb'));

-- +goose Down
ALTER TABLE erasures DROP COLUMN medium;
ALTER TABLE erasures DROP COLUMN method;
