-- Messages are claimed for handling with a lease, so a crash mid-handling
-- leaves them to be handled again; replies are stored with the message they
-- answer, so a retried id gets its answer; people remember their private
-- chat and who invited them, so a leaked code's issuer can be told.
ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check
    CHECK (status IN ('received', 'handling', 'handled', 'ignored', 'stale', 'failed'));
ALTER TABLE messages ADD COLUMN lease_until timestamptz;
DROP INDEX messages_pending;
CREATE INDEX messages_open ON messages (channel, id) WHERE status IN ('received', 'handling', 'failed');

ALTER TABLE outbox ADD COLUMN message_id bigint REFERENCES messages (id);
CREATE INDEX outbox_message ON outbox (message_id) WHERE message_id IS NOT NULL;
-- The HTTP channel answers inline: rows queued for it were never sent by
-- anything and never will be.
UPDATE outbox SET status = 'failed', error = 'synchronous channel: answered inline, never queued'
    WHERE channel = 'http' AND status = 'pending';

ALTER TABLE people ADD COLUMN chat_id text NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN invited_by bigint REFERENCES people (id);

-- Binding codes were stored in clear in the message log: hide them.
UPDATE messages SET body = regexp_replace(body, '(绑定)[[:space:]:：]*[^[:space:]]+', '\1 [已隐去]', 'g')
    WHERE body LIKE '%绑定%';

-- WeChat bindings rested on names a contact can choose (nickname): they are
-- void; the people rebind with a new code and get a remark name the bot sets.
UPDATE people SET channel = '', contact_key = '', contact_name = '' WHERE channel = 'wechat';
