-- The conversation: every inbound message, per-person state, the outbox and
-- the WeChat login session, so that any process can take over.
CREATE TABLE messages (
    id          bigserial PRIMARY KEY,
    channel     text NOT NULL,
    msg_id      text NOT NULL,
    chat_id     text NOT NULL,
    chat_kind   text NOT NULL CHECK (chat_kind IN ('private', 'group')),
    chat_title  text NOT NULL DEFAULT '',
    sender_id   text NOT NULL,
    sender_name text NOT NULL DEFAULT '',
    body        text NOT NULL,
    mentioned   boolean NOT NULL DEFAULT false,
    attachment  text NOT NULL DEFAULT '',
    sent_at     timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    status      text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'handled', 'ignored', 'stale', 'failed')),
    attempts    int NOT NULL DEFAULT 0,
    error       text NOT NULL DEFAULT '',
    UNIQUE (channel, msg_id)
);
CREATE INDEX messages_pending ON messages (received_at) WHERE status IN ('received', 'failed');

CREATE TABLE sessions (
    channel        text NOT NULL,
    chat_id        text NOT NULL,
    sender_id      text NOT NULL,
    topic          text NOT NULL DEFAULT '',
    topic_expires  timestamptz,
    form           jsonb,
    form_expires   timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, chat_id, sender_id)
);

CREATE TABLE outbox (
    id         bigserial PRIMARY KEY,
    channel    text NOT NULL,
    chat_id    text NOT NULL,
    chat_kind  text NOT NULL,
    body       text NOT NULL,
    status     text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts   int NOT NULL DEFAULT 0,
    error      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz,
    claimed_by text NOT NULL DEFAULT '',
    claimed_until timestamptz
);
CREATE INDEX outbox_pending ON outbox (channel, id) WHERE status = 'pending';

CREATE TABLE channel_sessions (
    channel    text PRIMARY KEY,
    data       bytea NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
