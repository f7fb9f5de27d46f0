-- +goose Up
-- Individual needs assessments (the standard survey of VOCABULARY.md), from
-- Kobo/ODK exports, the submission API and OpenRosa. One row per version of
-- an instance: an edit inserts a new row and marks the earlier one not
-- current (kept as history, linked by replaced_by). A refusal keeps only
-- what counts it (consent = 'no', country, year): no answers.
-- The records are aggregated into a 'survey' report per country and year,
-- whose service_count rows feed the reporting views like any report.

CREATE TABLE survey_record (
    id              bigserial PRIMARY KEY,
    instance_id     text NOT NULL CHECK (instance_id <> ''),
    deprecated_id   text NOT NULL DEFAULT '',
    form_id         text NOT NULL DEFAULT '',
    form_version    text NOT NULL DEFAULT '',
    source          text NOT NULL CHECK (source IN ('kobo', 'odk', 'api', 'openrosa')),
    consent         text NOT NULL CHECK (consent IN ('yes', 'no')),
    country         text NOT NULL REFERENCES area (code),
    year            integer NOT NULL CHECK (year BETWEEN 1960 AND 2200),
    interview_date  date,
    sex             text CHECK (sex IN ('female', 'male', 'unknown')),
    age             integer CHECK (age BETWEEN 0 AND 130),
    age_group       text CHECK (age_group IN ('child', 'adult', 'unknown')),
    age_band        text NOT NULL DEFAULT '',
    disability      text CHECK (disability IN ('yes', 'no', 'unknown')),
    answers         jsonb NOT NULL DEFAULT '{}',
    answers_sha256  text NOT NULL,
    current         boolean NOT NULL DEFAULT true,
    replaced_by     bigint REFERENCES survey_record (id),
    file_id         bigint REFERENCES input_file (id),
    run_id          bigint REFERENCES ingest_run (id),
    sheet           text NOT NULL DEFAULT '',
    row_number      integer,
    submitted_at    timestamptz,
    submitted_by    text NOT NULL DEFAULT '',
    received_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (consent = 'yes' OR (answers = '{}'::jsonb AND sex IS NULL AND age IS NULL AND disability IS NULL))
);
CREATE UNIQUE INDEX survey_record_current ON survey_record (instance_id) WHERE current;
CREATE INDEX survey_record_country_year ON survey_record (country, year) WHERE current;
CREATE INDEX survey_record_file ON survey_record (file_id);
COMMENT ON TABLE survey_record IS 'Individual needs-assessment interviews, one row per version of an instance (current = the version in force). Sensitive: readable by admins only; exports built from it suppress small cells.';

-- vahub_reader (00002) is granted the reporting views only, so it cannot read
-- this table: individual records stay with admins.

-- +goose Down
SELECT 1;
