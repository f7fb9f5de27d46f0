-- +goose Up
-- Layout memory: how the columns of a file with a given layout map onto
-- vahub's dimensions, so next year's file with the same layout is read the
-- same way. The fingerprint is a SHA-256 over the file's sheet names and
-- the header texts of the table read, with their positions
-- (ingest/layout.go). 'auto' mappings are what the reader classified
-- itself; 'officer' mappings come from a data officer's mapping file
-- (vahub ingest --mapping) and are never replaced by an 'auto' one.
CREATE TABLE layout_mapping (
    fingerprint   text PRIMARY KEY CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
    format        text NOT NULL DEFAULT '',
    mapping       jsonb NOT NULL,
    source        text NOT NULL CHECK (source IN ('auto', 'officer')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz NOT NULL DEFAULT now(),
    uses          integer NOT NULL DEFAULT 1 CHECK (uses >= 0)
);

-- +goose Down
DROP TABLE layout_mapping;
