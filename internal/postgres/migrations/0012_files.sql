-- Expiry notices sent once a day, and files received in chat.
--
-- daily_notices records that a notice of a kind went out on a day, in the
-- same transaction that queued it, so a restart never sends it twice.
CREATE TABLE daily_notices (
    kind       text NOT NULL,
    day        date NOT NULL,
    recipients int NOT NULL DEFAULT 0,
    sent_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, day)
);

-- received_files holds the bytes of a file or photo a channel downloaded
-- (bounded by INCUBOT_MAX_FILE_SIZE) before the message carrying it is
-- handled, so the message survives a restart; model.Attachment.Ref is
-- "file:<id>". A photo attached to an asset report keeps its row.
CREATE TABLE received_files (
    id              bigserial PRIMARY KEY,
    channel         text NOT NULL,
    message_id      text NOT NULL,
    name            text NOT NULL DEFAULT '',
    mime            text NOT NULL DEFAULT '',
    size            bigint NOT NULL CHECK (size >= 0),
    sha256          text NOT NULL,
    data            bytea NOT NULL,
    asset_report_id bigint REFERENCES asset_reports (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (channel, message_id)
);
CREATE INDEX received_files_report ON received_files (asset_report_id) WHERE asset_report_id IS NOT NULL;
