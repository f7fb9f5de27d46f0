-- +goose Up
-- Least privilege for researchers and analysts who query the database
-- directly: the role vahub_reader may read the public reporting views and the
-- reference tables, and nothing else (no input files, no individual records,
-- no issues). Grant it to a login role: GRANT vahub_reader TO alice;
-- Roles are cluster-wide, and a deployment's migration user may lack
-- CREATEROLE: then the role is skipped with a notice, never a failure.
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vahub_reader') THEN
        BEGIN
            CREATE ROLE vahub_reader NOLOGIN;
        EXCEPTION
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'vahub: no CREATEROLE privilege; role vahub_reader not created';
                RETURN;
            WHEN duplicate_object OR unique_violation THEN
                NULL; -- created concurrently by another database's migration
        END;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO vahub_reader', current_database());
    GRANT USAGE ON SCHEMA public TO vahub_reader;
    GRANT SELECT ON casualty_facts, casualty_facts_all, service_facts, gap_analysis, commitment_facts,
                    area, area_alias, pillar, commitment, ccm_status, art5_obligation
        TO vahub_reader;
END
$$;
-- +goose StatementEnd

-- +goose Down
SELECT 1;
