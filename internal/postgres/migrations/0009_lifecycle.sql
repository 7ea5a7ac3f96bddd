-- Custody and service life of assets: a custodian (责任人) per asset, the
-- transfers (调拨) between locations and custodians with who and when, and
-- the service life per category, seeded with the table of the guidance to
-- 《政府会计准则第3号——固定资产》 (财会〔2017〕4号, 固定资产折旧年限表);
-- officers edit it, and add the categories their registers use.
ALTER TABLE assets ADD COLUMN custodian text NOT NULL DEFAULT '';

CREATE TABLE asset_transfers (
    id             bigserial PRIMARY KEY,
    asset_id       bigint NOT NULL REFERENCES assets (id),
    from_location  text NOT NULL,
    to_location    text NOT NULL,
    from_custodian text NOT NULL,
    to_custodian   text NOT NULL,
    note           text NOT NULL DEFAULT '',
    by_name        text NOT NULL,
    by_role        text NOT NULL,
    channel        text NOT NULL,
    at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX asset_transfers_asset ON asset_transfers (asset_id, id);

CREATE TABLE service_lives (
    category   text PRIMARY KEY,
    years      int NOT NULL CHECK (years BETWEEN 1 AND 100),
    basis      text NOT NULL DEFAULT '',
    updated_by text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO service_lives (category, years, basis) VALUES
    ('房屋及构筑物', 30, '业务及管理用房：钢结构、钢筋混凝土结构50年，砖混、砖木结构30年'),
    ('业务及管理用房', 30, '钢结构、钢筋混凝土结构50年，砖混、砖木结构30年'),
    ('简易房', 8, ''),
    ('房屋附属设施', 8, ''),
    ('构筑物', 8, ''),
    ('计算机设备', 6, ''),
    ('办公设备', 6, ''),
    ('车辆', 8, ''),
    ('图书档案设备', 5, ''),
    ('机械设备', 10, ''),
    ('电气设备', 5, ''),
    ('雷达、无线电和卫星导航设备', 10, ''),
    ('通信设备', 5, ''),
    ('广播、电视、电影设备', 5, ''),
    ('仪器仪表', 5, ''),
    ('电子和通信测量设备', 5, ''),
    ('计量标准器具及量具、衡器', 5, ''),
    ('医疗设备', 5, '专用设备'),
    ('电工、电子专用生产设备', 5, '专用设备'),
    ('专用仪器仪表', 5, '专用设备'),
    ('文艺设备', 5, '专用设备'),
    ('体育设备', 5, '专用设备'),
    ('娱乐设备', 5, '专用设备'),
    ('工程机械', 10, '专用设备'),
    ('安全生产设备', 10, '专用设备'),
    ('环境污染防治设备', 10, '专用设备'),
    ('家具', 15, '家具、用具及装具'),
    ('用具、装具', 5, '家具、用具及装具');

-- Disposal (报废/报损): requested by a manager, approved or rejected by an
-- officer; an approved one writes the asset off (status 已报废). At most
-- one request waits per asset.
ALTER TABLE assets DROP CONSTRAINT assets_status_check;
ALTER TABLE assets ADD CONSTRAINT assets_status_check CHECK (status IN ('在册', '缺失', '损坏', '已补齐', '已核验', '已报废'));

CREATE TABLE asset_disposals (
    id           bigserial PRIMARY KEY,
    asset_id     bigint NOT NULL REFERENCES assets (id),
    kind         text NOT NULL CHECK (kind IN ('报废', '报损')),
    reason       text NOT NULL,
    requester    text NOT NULL,
    channel      text NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now(),
    review       text NOT NULL DEFAULT '待审批' CHECK (review IN ('待审批', '批准', '驳回')),
    reviewer     text NOT NULL DEFAULT '',
    review_note  text NOT NULL DEFAULT '',
    reviewed_at  timestamptz
);
CREATE UNIQUE INDEX asset_disposals_pending ON asset_disposals (asset_id) WHERE review = '待审批';
