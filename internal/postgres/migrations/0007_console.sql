-- The officers' web console: one-time sign-in links and sessions (both
-- stored as SHA-256 hashes), sign-in attempts for rate limiting, the reason
-- a document was retired, and unanswered questions an officer has handled.
CREATE TABLE console_links (
    token_hash text PRIMARY KEY,
    person_id  bigint NOT NULL REFERENCES people (id),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE console_sessions (
    token_hash text PRIMARY KEY,
    person_id  bigint NOT NULL REFERENCES people (id),
    csrf       text NOT NULL,
    created_at timestamptz NOT NULL,
    last_seen  timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX console_sessions_person ON console_sessions (person_id);

CREATE TABLE console_attempts (
    key text NOT NULL,
    at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_attempts_key ON console_attempts (key, at);

ALTER TABLE documents ADD COLUMN end_reason text NOT NULL DEFAULT '';

ALTER TABLE questions ADD COLUMN handled_at timestamptz;
ALTER TABLE questions ADD COLUMN handled_by text NOT NULL DEFAULT '';
CREATE INDEX questions_message ON questions (message_id);
