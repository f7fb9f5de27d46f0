-- +goose Up
-- Accounts of `vahub serve`: users and their roles, API tokens, browser
-- sessions, the audit log and login throttling. Personal data is kept
-- minimal: a user name, no e-mail. Secrets are never stored: passwords as
-- bcrypt hashes, tokens and session ids as their SHA-256.

CREATE TABLE app_user (
    id             bigserial PRIMARY KEY,
    name           text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9._@-]{0,63}$'),
    role           text NOT NULL CHECK (role IN ('admin', 'focal_point', 'researcher', 'enumerator')),
    countries      text[] NOT NULL DEFAULT '{}'
                   CHECK (array_to_string(countries, ',', '?') ~ '^([A-Z]{3}(,[A-Z]{3})*)?$'),
    password_hash  bytea,
    disabled       boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT app_user_scoped_role_has_countries
        CHECK (role NOT IN ('focal_point', 'enumerator') OR cardinality(countries) > 0)
);
COMMENT ON TABLE app_user IS 'People and machines that use vahub serve. Focal points and enumerators act only for their countries (ISO alpha-3). No password hash: API tokens only.';

CREATE TABLE api_token (
    id            bigserial PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES app_user (id),
    token_hash    bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    label         text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_token_user ON api_token (user_id);
COMMENT ON TABLE api_token IS 'Bearer tokens, stored as the SHA-256 of the token: the token itself is shown once, when created.';

CREATE TABLE web_session (
    id_hash       bytea PRIMARY KEY CHECK (length(id_hash) = 32),
    user_id       bigint NOT NULL REFERENCES app_user (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX web_session_user ON web_session (user_id);
CREATE INDEX web_session_expires ON web_session (expires_at);
COMMENT ON TABLE web_session IS 'Browser sessions, server-side, keyed by the SHA-256 of the cookie''s id.';

CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor        text NOT NULL,
    action       text NOT NULL,
    object       text NOT NULL DEFAULT '',
    file_sha256  text NOT NULL DEFAULT '',
    remote       text NOT NULL DEFAULT '',
    detail       jsonb
);
CREATE INDEX audit_log_at ON audit_log (at);
COMMENT ON TABLE audit_log IS 'Every write: who (actor), what (action, object), when, which file (SHA-256), from where (remote). Append-only.';

CREATE TABLE login_attempt (
    name    text NOT NULL,
    remote  text NOT NULL,
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempt_name ON login_attempt (name, at);
CREATE INDEX login_attempt_remote ON login_attempt (remote, at);
CREATE INDEX login_attempt_at ON login_attempt (at);
COMMENT ON TABLE login_attempt IS 'Failed logins, for throttling; cleared on success.';

-- +goose Down
SELECT 1;
