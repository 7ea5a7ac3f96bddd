-- What an asker said of the answer to their question: 👍/👎 (with an
-- optional reason) on the WeCom smart bot, 有用/没用 on other channels.
-- NULL: nothing said (or withdrawn).
ALTER TABLE questions ADD COLUMN useful boolean;
ALTER TABLE questions ADD COLUMN feedback text NOT NULL DEFAULT '';
ALTER TABLE questions ADD COLUMN feedback_at timestamptz;
