-- Incubator operations: people and roles, incubators, the asset register,
-- asset reports, status reports and the audit log.
CREATE TABLE incubators (
    id         serial PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    operator   text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE people (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL,
    role          text NOT NULL CHECK (role IN ('officer', 'manager', 'enterprise')),
    incubator_id  int REFERENCES incubators (id),
    invite_hash   text,
    invite_expires timestamptz,
    channel       text NOT NULL DEFAULT '',
    contact_key   text NOT NULL DEFAULT '',
    contact_name  text NOT NULL DEFAULT '',
    bound_at      timestamptz,
    revoked_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (role <> 'manager' OR incubator_id IS NOT NULL)
);
CREATE UNIQUE INDEX people_binding ON people (channel, contact_key) WHERE revoked_at IS NULL AND contact_key <> '';
CREATE UNIQUE INDEX people_invite ON people (invite_hash) WHERE invite_hash IS NOT NULL;

CREATE TABLE assets (
    id           bigserial PRIMARY KEY,
    incubator_id int NOT NULL REFERENCES incubators (id),
    code         text NOT NULL,
    name         text NOT NULL,
    category     text NOT NULL DEFAULT '',
    spec         text NOT NULL DEFAULT '',
    quantity     int NOT NULL DEFAULT 1 CHECK (quantity > 0),
    unit_price   numeric(14, 2) NOT NULL CHECK (unit_price >= 0),
    location     text NOT NULL DEFAULT '',
    purchased_on date,
    note         text NOT NULL DEFAULT '',
    status       text NOT NULL DEFAULT '在册' CHECK (status IN ('在册', '缺失', '损坏', '已补齐', '已核验')),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (incubator_id, code)
);
CREATE INDEX assets_code ON assets (code);

CREATE TABLE asset_reports (
    id           bigserial PRIMARY KEY,
    asset_id     bigint NOT NULL REFERENCES assets (id),
    kind         text NOT NULL CHECK (kind IN ('缺失', '损坏', '补齐')),
    from_status  text NOT NULL,
    to_status    text NOT NULL,
    note         text NOT NULL DEFAULT '',
    raw_text     text NOT NULL DEFAULT '',
    reporter_id  bigint REFERENCES people (id),
    reporter     text NOT NULL,
    channel      text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    review       text NOT NULL DEFAULT '待核验' CHECK (review IN ('待核验', '通过', '不通过')),
    reviewer     text NOT NULL DEFAULT '',
    review_note  text NOT NULL DEFAULT '',
    reviewed_at  timestamptz
);

CREATE TABLE status_reports (
    id             bigserial PRIMARY KEY,
    incubator_id   int NOT NULL REFERENCES incubators (id),
    period         text NOT NULL,
    tenants        int NOT NULL CHECK (tenants >= 0),
    new_tenants    int NOT NULL CHECK (new_tenants >= 0),
    graduated      int NOT NULL CHECK (graduated >= 0),
    events         int NOT NULL CHECK (events >= 0),
    served         int NOT NULL CHECK (served >= 0),
    patents        int NOT NULL CHECK (patents >= 0),
    financing_wan  numeric(14, 2) NOT NULL CHECK (financing_wan >= 0),
    jobs           int NOT NULL CHECK (jobs >= 0),
    note           text NOT NULL DEFAULT '',
    reporter       text NOT NULL,
    channel        text NOT NULL,
    submitted_at   timestamptz NOT NULL DEFAULT now(),
    replaced_at    timestamptz
);
CREATE UNIQUE INDEX status_reports_current ON status_reports (incubator_id, period) WHERE replaced_at IS NULL;

CREATE TABLE audit_log (
    id        bigserial PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor     text NOT NULL,
    role      text NOT NULL,
    channel   text NOT NULL,
    action    text NOT NULL,
    entity    text NOT NULL,
    entity_id text NOT NULL DEFAULT '',
    before    jsonb,
    after     jsonb
);
CREATE INDEX audit_log_at ON audit_log (at);
