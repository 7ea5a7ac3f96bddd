-- Stock-takes (盘点) of an incubator's register and compensation notices
-- (赔偿通知) drawn from their missing items.
CREATE TABLE stocktakes (
    id           bigserial PRIMARY KEY,
    incubator_id int NOT NULL REFERENCES incubators (id),
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closing', 'closed')),
    opened_by    text NOT NULL,
    opened_at    timestamptz NOT NULL DEFAULT now(),
    closed_by    text NOT NULL DEFAULT '',
    closed_at    timestamptz
);
-- One stock-take in progress per incubator.
CREATE UNIQUE INDEX stocktakes_one_open ON stocktakes (incubator_id) WHERE status <> 'closed';

-- The register as it stood when the stock-take opened, and what was found.
CREATE TABLE stocktake_items (
    stocktake_id   bigint NOT NULL REFERENCES stocktakes (id),
    asset_id       bigint NOT NULL REFERENCES assets (id),
    code           text NOT NULL,
    name           text NOT NULL,
    spec           text NOT NULL DEFAULT '',
    location       text NOT NULL DEFAULT '',
    quantity       int NOT NULL,
    unit_price_fen bigint NOT NULL,
    status_at_open text NOT NULL,
    result         text NOT NULL DEFAULT '' CHECK (result IN ('', '在', '缺失', '损坏', '移位')),
    new_location   text NOT NULL DEFAULT '',
    note           text NOT NULL DEFAULT '',
    checked_by     text NOT NULL DEFAULT '',
    checked_at     timestamptz,
    report_id      bigint REFERENCES asset_reports (id),
    PRIMARY KEY (stocktake_id, asset_id)
);
CREATE INDEX stocktake_items_walk ON stocktake_items (stocktake_id, location, code);
CREATE INDEX stocktake_items_code ON stocktake_items (stocktake_id, upper(code));

-- Items found that are not on the register (盘盈).
CREATE TABLE stocktake_extras (
    id           bigserial PRIMARY KEY,
    stocktake_id bigint NOT NULL REFERENCES stocktakes (id),
    description  text NOT NULL,
    location     text NOT NULL DEFAULT '',
    found_by     text NOT NULL,
    found_at     timestamptz NOT NULL DEFAULT now()
);

-- The page of items a manager was shown last (numbers in a reply refer to
-- it), and the messages already applied (a message handled again after a
-- crash marks nothing twice).
CREATE TABLE stocktake_views (
    stocktake_id bigint NOT NULL REFERENCES stocktakes (id),
    person_id    bigint NOT NULL REFERENCES people (id),
    location     text NOT NULL,
    asset_ids    bigint[] NOT NULL,
    PRIMARY KEY (stocktake_id, person_id)
);
CREATE TABLE stocktake_applied (
    stocktake_id bigint NOT NULL REFERENCES stocktakes (id),
    msg_row      bigint NOT NULL,
    PRIMARY KEY (stocktake_id, msg_row)
);

-- Compensation notices and the items they ask to be replaced.
CREATE TABLE notices (
    id           bigserial PRIMARY KEY,
    number       text NOT NULL UNIQUE,
    stocktake_id bigint NOT NULL UNIQUE REFERENCES stocktakes (id),
    incubator_id int NOT NULL REFERENCES incubators (id),
    operator     text NOT NULL,
    deadline     date NOT NULL,
    issued_by    text NOT NULL,
    issued_at    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE notice_items (
    notice_id      bigint NOT NULL REFERENCES notices (id),
    asset_id       bigint NOT NULL REFERENCES assets (id),
    code           text NOT NULL,
    name           text NOT NULL,
    spec           text NOT NULL DEFAULT '',
    quantity       int NOT NULL,
    unit_price_fen bigint NOT NULL,
    PRIMARY KEY (notice_id, asset_id)
);
