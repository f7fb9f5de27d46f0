-- +goose Up
-- A submission is one upload through `vahub serve` (page or API): the file
-- attempt it made, the country it is for, who sent it and in which
-- language its feedback is worded. It is what a focal point's history
-- lists and what the result page, its API twin and the annotated workbook
-- are looked up by. Its status is not stored here: it is the file
-- attempt's (rejected) or its reports' (submitted, approved, returned,
-- superseded), so a review changes it in one place.
CREATE TABLE submission (
    id              bigserial PRIMARY KEY,
    file_ingest_id  bigint NOT NULL UNIQUE REFERENCES file_ingest (id),
    -- The one country the file reports on (or the uploader's only
    -- country); NULL when neither says (a file rejected before its country
    -- was read, from a user with several countries): then only its
    -- uploader and admins see it.
    country         text REFERENCES area (code),
    uploaded_by     text NOT NULL,
    -- The name the uploader gave the file, sanitised (never a path).
    file_name       text NOT NULL DEFAULT '',
    language        text NOT NULL DEFAULT '' CHECK (language IN ('', 'en', 'fr', 'es')),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX submission_country ON submission (country, id);
CREATE INDEX submission_uploaded_by ON submission (uploaded_by, id);
COMMENT ON TABLE submission IS 'Uploads through vahub serve: one per upload attempt that reached ingestion, with its country and uploader (authorization) and feedback language.';

-- +goose Down
SELECT 1;
