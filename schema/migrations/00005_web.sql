-- +goose Up
-- Web ingestion: what each URL answered last time (for conditional requests
-- and change detection), the documents no machine reads (PDF, Word) listed
-- for manual entry, and the report of each run.

CREATE TABLE fetch_state (
    url            text PRIMARY KEY,
    profile        text NOT NULL,
    etag           text NOT NULL DEFAULT '',
    last_modified  text NOT NULL DEFAULT '',
    sha256         text NOT NULL DEFAULT '',
    status         integer NOT NULL DEFAULT 0,
    file_id        bigint REFERENCES input_file (id),
    fetched_at     timestamptz NOT NULL DEFAULT now(),
    changed_at     timestamptz
);

CREATE TABLE document (
    id            bigserial PRIMARY KEY,
    url           text NOT NULL UNIQUE,
    profile       text NOT NULL,
    country       text REFERENCES area (code),
    year          integer,
    language      text NOT NULL DEFAULT '',
    media_type    text NOT NULL DEFAULT '',
    file_id       bigint REFERENCES input_file (id),
    sha256        text NOT NULL DEFAULT '',
    first_seen    timestamptz NOT NULL DEFAULT now(),
    last_seen     timestamptz NOT NULL DEFAULT now(),
    entered       boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE document IS 'Reports found on the web that no reader turns into facts (PDF, Word): the needs-manual-entry list until entered is true.';

ALTER TABLE ingest_run ADD COLUMN report jsonb;

-- +goose Down
SELECT 1;
