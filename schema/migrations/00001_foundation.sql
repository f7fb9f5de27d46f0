-- +goose Up
-- vahub foundation schema: reference data, provenance, reports, facts and the
-- four public reporting views of VOCABULARY.md. Forward-only: never edit this
-- file once applied; add a new migration instead.

-- Reference data ---------------------------------------------------------------

CREATE TABLE area (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
    iso2        text UNIQUE CHECK (iso2 ~ '^[A-Z]{2}$'),
    m49         text UNIQUE CHECK (m49 ~ '^[0-9]{3}$'),
    kind        text NOT NULL CHECK (kind IN ('state', 'other_area')),
    name_en     text NOT NULL,
    name_fr     text NOT NULL,
    name_es     text NOT NULL
);
COMMENT ON TABLE area IS 'Countries (ISO 3166-1 alpha-3) and the Monitor''s other areas (XKX, ESH, XNK). Never keyed by alpha-2: VA is the Holy See.';

-- Every spelling we accept for an area, matched on a folded key (case,
-- diacritics, punctuation, "&"/"and", "(the)").
CREATE TABLE area_alias (
    folded      text NOT NULL,
    area_code   text NOT NULL REFERENCES area (code),
    lang        text NOT NULL,
    alias       text NOT NULL,
    variant     text NOT NULL CHECK (variant IN ('official', 'short', 'alias', 'former', 'code')),
    valid_from  date,
    valid_to    date,
    PRIMARY KEY (folded, area_code)
);

CREATE TABLE ccm_status (
    area_code        text PRIMARY KEY REFERENCES area (code),
    status           text NOT NULL CHECK (status IN ('state_party', 'signatory', 'not_party')),
    signed_on        date,
    ratified_on      date,
    entry_into_force date,
    source           text NOT NULL DEFAULT ''
);

-- States Parties with Article 5 (victim assistance) obligations are
-- self-declared and change over time.
CREATE TABLE art5_obligation (
    area_code   text NOT NULL REFERENCES area (code),
    valid_from  integer NOT NULL,
    valid_to    integer,
    source      text NOT NULL DEFAULT '',
    PRIMARY KEY (area_code, valid_from)
);

CREATE TABLE pillar (
    code             text PRIMARY KEY,
    sort             integer NOT NULL,
    carries_services boolean NOT NULL,
    name_en          text NOT NULL,
    name_fr          text NOT NULL,
    name_es          text NOT NULL
);

INSERT INTO pillar (code, sort, carries_services, name_en, name_fr, name_es) VALUES
 ('data_collection',         1, true,  'Data collection and needs assessment', 'Collecte de données et évaluation des besoins', 'Recopilación de datos y evaluación de necesidades'),
 ('medical_care',            2, true,  'Emergency and ongoing medical care',   'Soins médicaux d''urgence et continus',        'Atención médica de emergencia y continua'),
 ('rehabilitation',          3, true,  'Rehabilitation',                       'Réadaptation',                                 'Rehabilitación'),
 ('psychosocial_support',    4, true,  'Psychological and psychosocial support','Soutien psychologique et psychosocial',       'Apoyo psicológico y psicosocial'),
 ('socioeconomic_inclusion', 5, true,  'Social and economic inclusion',        'Inclusion sociale et économique',              'Inclusión social y económica'),
 ('laws_policies',           6, false, 'Laws and policies',                    'Lois et politiques',                           'Leyes y políticas'),
 ('coordination',            7, false, 'Coordination, plan and budget',        'Coordination, plan et budget',                 'Coordinación, plan y presupuesto'),
 ('participation',           8, false, 'Participation of victims',             'Participation des victimes',                   'Participación de las víctimas');

CREATE TABLE commitment (
    code     text PRIMARY KEY,
    pillar   text NOT NULL REFERENCES pillar (code),
    sort     integer NOT NULL,
    name_en  text NOT NULL
);

INSERT INTO commitment (code, pillar, sort, name_en) VALUES
 ('focal_point',             'coordination',    1, 'A government focal point for victim assistance is designated'),
 ('national_plan',           'coordination',    2, 'A national victim assistance or disability plan is in force'),
 ('plan_budgeted',           'coordination',    3, 'The plan is measurable and budgeted'),
 ('disaggregated_data',      'data_collection', 4, 'Data are disaggregated by sex, age and disability'),
 ('referral_mechanism',      'data_collection', 5, 'A referral mechanism and directory of services exist'),
 ('victims_in_coordination', 'participation',   6, 'Victims take part in coordination'),
 ('report_submitted',        'coordination',    7, 'Form H was submitted for the year');

-- Provenance ---------------------------------------------------------------------

-- The original bytes of every input, once per content hash.
CREATE TABLE input_file (
    id           bigserial PRIMARY KEY,
    sha256       text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    name         text NOT NULL,
    size         bigint NOT NULL CHECK (size >= 0),
    media_type   text NOT NULL DEFAULT '',
    source_url   text,
    content      bytea NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ingest_run (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('cli', 'demo', 'web', 'nightly', 'crawl', 'api')),
    started_by      text NOT NULL,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    status          text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed', 'partial')),
    dry_run         boolean NOT NULL DEFAULT false,
    files_seen      integer NOT NULL DEFAULT 0,
    files_ingested  integer NOT NULL DEFAULT 0,
    files_duplicate integer NOT NULL DEFAULT 0,
    files_rejected  integer NOT NULL DEFAULT 0,
    facts           bigint NOT NULL DEFAULT 0,
    issues          integer NOT NULL DEFAULT 0
);

-- One attempt to ingest one file within a run, whatever its outcome.
CREATE TABLE file_ingest (
    id          bigserial PRIMARY KEY,
    run_id      bigint NOT NULL REFERENCES ingest_run (id),
    file_id     bigint REFERENCES input_file (id),
    path        text NOT NULL,
    status      text NOT NULL CHECK (status IN ('ingested', 'duplicate', 'superseded', 'rejected', 'dry_run')),
    format      text NOT NULL DEFAULT '',
    facts       integer NOT NULL DEFAULT 0,
    errors      integer NOT NULL DEFAULT 0,
    warnings    integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX file_ingest_run ON file_ingest (run_id);
CREATE INDEX file_ingest_file ON file_ingest (file_id);

CREATE TABLE validation_issue (
    id              bigserial PRIMARY KEY,
    file_ingest_id  bigint NOT NULL REFERENCES file_ingest (id),
    file_id         bigint REFERENCES input_file (id),
    sheet           text NOT NULL DEFAULT '',
    cell            text NOT NULL DEFAULT '',
    severity        text NOT NULL CHECK (severity IN ('error', 'warning')),
    code            text NOT NULL,
    message         text NOT NULL
);
CREATE INDEX validation_issue_file_ingest ON validation_issue (file_ingest_id);

-- Reports --------------------------------------------------------------------------

-- A report is what one input says for one country and period. A corrected
-- upload for the same country, period and source type is a new version; the
-- earlier one is kept with status 'superseded'.
CREATE TABLE report (
    id              bigserial PRIMARY KEY,
    country         text NOT NULL REFERENCES area (code),
    year            integer NOT NULL CHECK (year BETWEEN 1960 AND 2200),
    kind            text NOT NULL CHECK (kind IN ('initial', 'annual', 'voluntary')),
    source_type     text NOT NULL CHECK (source_type IN ('official', 'survey', 'web')),
    period_start    date NOT NULL,
    period_end      date NOT NULL,
    language        text NOT NULL DEFAULT '',
    format_version  text NOT NULL DEFAULT '',
    submitted_on    date,
    file_id         bigint REFERENCES input_file (id),
    run_id          bigint REFERENCES ingest_run (id),
    version         integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    supersedes      bigint REFERENCES report (id),
    status          text NOT NULL CHECK (status IN ('submitted', 'approved', 'returned', 'superseded')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (period_end >= period_start),
    UNIQUE (country, period_start, period_end, source_type, version)
);
CREATE INDEX report_country_year ON report (country, year);
CREATE INDEX report_file ON report (file_id);

-- Facts ----------------------------------------------------------------------------
-- Every fact keeps its value state (a blank cell is no fact; unknown, withheld,
-- not applicable and carried forward are states, never zero) and its lineage
-- back to file, sheet and cell.

CREATE TABLE casualty_count (
    id                bigserial PRIMARY KEY,
    report_id         bigint NOT NULL REFERENCES report (id),
    scope             text NOT NULL DEFAULT 'new' CHECK (scope IN ('new', 'cumulative')),
    outcome           text NOT NULL CHECK (outcome IN ('killed', 'injured', 'unknown', 'total')),
    sex               text NOT NULL CHECK (sex IN ('female', 'male', 'unknown', 'total')),
    age_group         text NOT NULL CHECK (age_group IN ('child', 'adult', 'unknown', 'total')),
    age_band          text NOT NULL DEFAULT '',
    disability        text NOT NULL CHECK (disability IN ('yes', 'no', 'unknown', 'total')),
    cause             text NOT NULL CHECK (cause IN ('cm_attack', 'cm_remnant', 'mine', 'improvised_mine', 'erw_other', 'mine_erw', 'unknown', 'total')),
    civilian_status   text NOT NULL CHECK (civilian_status IN ('civilian', 'military', 'deminer', 'unknown', 'total')),
    value_state       text NOT NULL CHECK (value_state IN ('reported', 'unknown', 'withheld', 'carried_forward', 'not_applicable')),
    people            bigint CHECK (people >= 0),
    qualifier         text NOT NULL DEFAULT 'exact' CHECK (qualifier IN ('exact', 'at_least', 'estimate')),
    carried_from_year integer,
    file_id           bigint REFERENCES input_file (id),
    sheet             text NOT NULL DEFAULT '',
    cell              text NOT NULL DEFAULT '',
    CHECK ((value_state IN ('reported', 'carried_forward')) = (people IS NOT NULL)),
    CHECK ((value_state = 'carried_forward') = (carried_from_year IS NOT NULL))
);
CREATE INDEX casualty_count_report ON casualty_count (report_id);

CREATE TABLE service_count (
    id                bigserial PRIMARY KEY,
    report_id         bigint NOT NULL REFERENCES report (id),
    pillar            text NOT NULL REFERENCES pillar (code),
    sub_service       text NOT NULL DEFAULT '',
    measure           text NOT NULL CHECK (measure IN ('in_need', 'reached')),
    sex               text NOT NULL CHECK (sex IN ('female', 'male', 'unknown', 'total')),
    age_group         text NOT NULL CHECK (age_group IN ('child', 'adult', 'unknown', 'total')),
    age_band          text NOT NULL DEFAULT '',
    disability        text NOT NULL CHECK (disability IN ('yes', 'no', 'unknown', 'total')),
    value_state       text NOT NULL CHECK (value_state IN ('reported', 'unknown', 'withheld', 'carried_forward', 'not_applicable')),
    people            bigint CHECK (people >= 0),
    qualifier         text NOT NULL DEFAULT 'exact' CHECK (qualifier IN ('exact', 'at_least', 'estimate')),
    carried_from_year integer,
    file_id           bigint REFERENCES input_file (id),
    sheet             text NOT NULL DEFAULT '',
    cell              text NOT NULL DEFAULT '',
    CHECK ((value_state IN ('reported', 'carried_forward')) = (people IS NOT NULL)),
    CHECK ((value_state = 'carried_forward') = (carried_from_year IS NOT NULL))
);
CREATE INDEX service_count_report ON service_count (report_id);

CREATE TABLE commitment_status (
    id          bigserial PRIMARY KEY,
    report_id   bigint NOT NULL REFERENCES report (id),
    commitment  text NOT NULL REFERENCES commitment (code),
    status      text NOT NULL CHECK (status IN ('yes', 'no', 'partial', 'unknown')),
    detail      text NOT NULL DEFAULT '',
    file_id     bigint REFERENCES input_file (id),
    sheet       text NOT NULL DEFAULT '',
    cell        text NOT NULL DEFAULT '',
    UNIQUE (report_id, commitment)
);

-- Reporting views (public SQL contract) ---------------------------------------------
-- Precedence, per (country, year) and per kind of fact: among approved,
-- current reports that hold such facts, an official report beats a survey
-- aggregate, which beats a web source; then the newest version, then the
-- newest report. Exactly one report feeds each (country, year), so sums
-- never double count. Superseded, submitted and returned reports never feed
-- the views.

CREATE VIEW report_precedence AS
SELECT r.id, r.country, r.year,
       row_number() OVER (PARTITION BY r.country, r.year
                          ORDER BY CASE r.source_type WHEN 'official' THEN 1 WHEN 'survey' THEN 2 ELSE 3 END,
                                   r.period_end DESC, r.version DESC, r.created_at DESC, r.id DESC) AS rank,
       EXISTS (SELECT 1 FROM casualty_count c WHERE c.report_id = r.id AND c.scope = 'new') AS has_casualties,
       EXISTS (SELECT 1 FROM service_count s WHERE s.report_id = r.id) AS has_services,
       EXISTS (SELECT 1 FROM commitment_status m WHERE m.report_id = r.id) AS has_commitments
FROM report r
WHERE r.status = 'approved';

CREATE VIEW casualty_facts_all AS
SELECT r.country, r.year, c.outcome, c.sex, c.age_group, c.disability, c.cause,
       c.civilian_status, c.people, c.qualifier, r.id AS source_id
FROM casualty_count c
JOIN report r ON r.id = c.report_id
WHERE r.status = 'approved' AND c.scope = 'new';

CREATE VIEW casualty_facts AS
WITH chosen AS (
    SELECT DISTINCT ON (country, year) id
    FROM report_precedence
    WHERE has_casualties
    ORDER BY country, year, rank
)
SELECT f.country, f.year, f.outcome, f.sex, f.age_group, f.disability, f.cause,
       f.civilian_status, f.people, f.qualifier, f.source_id
FROM casualty_facts_all f
JOIN chosen ON chosen.id = f.source_id;

CREATE VIEW service_facts AS
WITH chosen AS (
    SELECT DISTINCT ON (country, year) id
    FROM report_precedence
    WHERE has_services
    ORDER BY country, year, rank
)
SELECT r.country, r.year, s.pillar, s.sex, s.age_group, s.disability,
       max(s.people) FILTER (WHERE s.measure = 'in_need') AS in_need,
       max(s.people) FILTER (WHERE s.measure = 'reached') AS reached,
       r.id AS source_id
FROM service_count s
JOIN report r ON r.id = s.report_id
JOIN chosen ON chosen.id = r.id
WHERE s.sub_service = ''
GROUP BY r.country, r.year, s.pillar, s.sex, s.age_group, s.disability, r.id;

CREATE VIEW gap_analysis AS
SELECT country, year, pillar, sex, age_group, disability, in_need, reached,
       in_need - reached AS unmet,
       CASE WHEN in_need > 0 THEN reached::numeric / in_need END AS coverage
FROM service_facts;

CREATE VIEW commitment_facts AS
WITH chosen AS (
    SELECT DISTINCT ON (country, year) id
    FROM report_precedence
    WHERE has_commitments
    ORDER BY country, year, rank
)
SELECT r.country, r.year, m.commitment, m.status, r.id AS source_id
FROM commitment_status m
JOIN report r ON r.id = m.report_id
JOIN chosen ON chosen.id = r.id;

-- +goose Down
-- Forward-only: vahub never rolls back a migration in production.
SELECT 1;
