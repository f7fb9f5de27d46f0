-- +goose Up
-- service_facts picked max() over rows of the same group, which is right for
-- the template (one cell per group) but wrong when a source gives finer age
-- bands of one group (HXL long tables: 18-64 and 65+ are both "adult"): the
-- bands must be summed. A group stated both whole and by band uses the whole
-- figure; a sum with an unknown part is unknown (NULL), never understated.
CREATE OR REPLACE VIEW service_facts AS
WITH chosen AS (
    SELECT DISTINCT ON (country, year) id
    FROM report_precedence
    WHERE has_services
    ORDER BY country, year, rank
),
rows AS (
    SELECT s.report_id, s.pillar, s.measure, s.sex, s.age_group, s.disability, s.people,
           bool_or(s.age_band = '') OVER (PARTITION BY s.report_id, s.pillar, s.measure, s.sex, s.age_group, s.disability) AS has_whole,
           s.age_band
    FROM service_count s
    JOIN chosen ON chosen.id = s.report_id
    WHERE s.sub_service = ''
),
used AS (
    SELECT * FROM rows WHERE age_band = '' OR NOT has_whole
),
measured AS (
    SELECT report_id, pillar, sex, age_group, disability, measure,
           CASE WHEN bool_and(people IS NOT NULL) THEN sum(people)::bigint END AS people
    FROM used
    GROUP BY report_id, pillar, sex, age_group, disability, measure
)
SELECT r.country, r.year, m.pillar, m.sex, m.age_group, m.disability,
       max(m.people) FILTER (WHERE m.measure = 'in_need') AS in_need,
       max(m.people) FILTER (WHERE m.measure = 'reached') AS reached,
       r.id AS source_id
FROM measured m
JOIN report r ON r.id = m.report_id
GROUP BY r.country, r.year, m.pillar, m.sex, m.age_group, m.disability, r.id;

-- +goose Down
SELECT 1;
