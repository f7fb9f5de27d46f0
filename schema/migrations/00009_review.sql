-- +goose Up
-- Review of focal points' submissions: an admin approves a submitted report
-- (it then feeds the reporting views and supersedes the earlier approved
-- version) or returns it with a note. One decision per report: a report is
-- decided once, and a correction comes as a new upload (a new version).

CREATE TABLE report_review (
    report_id    bigint PRIMARY KEY REFERENCES report (id),
    decision     text NOT NULL CHECK (decision IN ('approved', 'returned')),
    reviewer     text NOT NULL,
    reviewed_at  timestamptz NOT NULL DEFAULT now(),
    note         text NOT NULL DEFAULT '',
    -- A focal point told "returned" must be told why.
    CHECK (decision = 'approved' OR btrim(note) <> '')
);
COMMENT ON TABLE report_review IS 'Who approved or returned a submitted report, when, and why (note; required for a return).';

-- The submission queue reads submitted reports oldest first.
CREATE INDEX report_submitted ON report (created_at, id) WHERE status = 'submitted';

-- +goose Down
SELECT 1;
