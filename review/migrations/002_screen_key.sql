-- The cache key of the screening a package row holds (content hashes of its files + code version +
-- rubric version + inputs): a batch re-run skips a package whose key has not changed.
ALTER TABLE packages ADD COLUMN screen_key TEXT;
