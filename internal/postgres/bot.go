package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/knowledge"
	"github.com/jackc/pgx/v5"
)

var (
	_ bot.Store          = (*DB)(nil)
	_ bot.QuestionLogger = (*DB)(nil)
)

// RecordMessage implements bot.Store: the unique (channel, msg_id) makes a
// redelivered message, or one seen by another process, not fresh.
func (db *DB) RecordMessage(ctx context.Context, m *bot.Message) (int64, bool, error) {
	var id int64
	err := db.pool.QueryRow(ctx, `INSERT INTO messages (channel, msg_id, chat_id, chat_kind, chat_title, sender_id, sender_name, body, mentioned, attachment, sent_at)
		VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::boolean, $10::text, $11::timestamptz)
		ON CONFLICT (channel, msg_id) DO NOTHING RETURNING id`,
		m.Channel, m.ID, m.ChatID, m.ChatKind, m.ChatTitle, m.SenderID, m.SenderName, m.Text, m.Mentioned, m.Attachment.Kind, m.Time).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("postgres: record message: %w", err)
	}
	return id, true, nil
}

// SetMessageStatus implements bot.Store; a failure counts an attempt.
func (db *DB) SetMessageStatus(ctx context.Context, id int64, status, errText string) error {
	_, err := db.pool.Exec(ctx, `UPDATE messages SET status = $2::text, error = $3::text,
		attempts = attempts + CASE WHEN $2::text = 'failed' THEN 1 ELSE 0 END WHERE id = $1::bigint`, id, status, errText)
	if err != nil {
		return fmt.Errorf("postgres: message status: %w", err)
	}
	return nil
}

// FinishMessage implements bot.Store.
func (db *DB) FinishMessage(ctx context.Context, id int64, replies []bot.Reply, delivered bool) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if err := queue(ctx, tx, replies, delivered); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE messages SET status = 'handled', error = '' WHERE id = $1::bigint`, id)
		return err
	})
}

// QueueReplies implements bot.Store.
func (db *DB) QueueReplies(ctx context.Context, replies []bot.Reply, delivered bool) error {
	return db.inTx(ctx, func(tx pgx.Tx) error { return queue(ctx, tx, replies, delivered) })
}

func queue(ctx context.Context, tx pgx.Tx, replies []bot.Reply, delivered bool) error {
	for _, r := range replies {
		status := "pending"
		if delivered {
			status = "sent"
		}
		if _, err := tx.Exec(ctx, `INSERT INTO outbox (channel, chat_id, chat_kind, body, status, sent_at)
				VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, CASE WHEN $5::text = 'sent' THEN now() END)`,
			r.Channel, r.ChatID, r.ChatKind, r.Text, status); err != nil {
			return fmt.Errorf("postgres: queue reply: %w", err)
		}
	}
	return nil
}

// FailedMessages implements bot.Store.
func (db *DB) FailedMessages(ctx context.Context, channel string, maxAttempts int) ([]bot.StoredMessage, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, attempts, channel, msg_id, chat_id, chat_kind, chat_title, sender_id, sender_name, body, mentioned, attachment, sent_at
		FROM messages WHERE channel = $1::text AND status = 'failed' AND attempts < $2::int ORDER BY id`, channel, maxAttempts)
	if err != nil {
		return nil, fmt.Errorf("postgres: failed messages: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (bot.StoredMessage, error) {
		var s bot.StoredMessage
		err := r.Scan(&s.RowID, &s.Attempts, &s.Channel, &s.ID, &s.ChatID, &s.ChatKind, &s.ChatTitle, &s.SenderID, &s.SenderName, &s.Text, &s.Mentioned, &s.Attachment.Kind, &s.Time)
		return s, err
	})
}

// Session implements bot.Store; a person without state gets a zero Session.
func (db *DB) Session(ctx context.Context, k bot.SessionKey) (bot.Session, error) {
	var s bot.Session
	var topicExp, formExp *time.Time
	err := db.pool.QueryRow(ctx, `SELECT topic, topic_expires, form, form_expires FROM sessions
		WHERE channel = $1::text AND chat_id = $2::text AND sender_id = $3::text`, k.Channel, k.ChatID, k.SenderID).Scan(&s.Topic, &topicExp, &s.Form, &formExp)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("postgres: session: %w", err)
	}
	if topicExp != nil {
		s.TopicExpires = *topicExp
	}
	if formExp != nil {
		s.FormExpires = *formExp
	}
	return s, nil
}

// SaveSession implements bot.Store.
func (db *DB) SaveSession(ctx context.Context, k bot.SessionKey, s bot.Session) error {
	var form any
	if s.Form != nil {
		form = string(s.Form)
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO sessions (channel, chat_id, sender_id, topic, topic_expires, form, form_expires, updated_at)
		VALUES ($1::text, $2::text, $3::text, $4::text, $5::timestamptz, $6::jsonb, $7::timestamptz, now())
		ON CONFLICT (channel, chat_id, sender_id) DO UPDATE SET topic = excluded.topic, topic_expires = excluded.topic_expires,
			form = excluded.form, form_expires = excluded.form_expires, updated_at = now()`,
		k.Channel, k.ChatID, k.SenderID, s.Topic, nullTime(s.TopicExpires), form, nullTime(s.FormExpires))
	if err != nil {
		return fmt.Errorf("postgres: save session: %w", err)
	}
	return nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// ClaimOutbox implements bot.Store: it leases the oldest pending replies of
// a channel to one sender, so that two processes never send the same reply.
func (db *DB) ClaimOutbox(ctx context.Context, channel, owner string, limit int, lease time.Duration) ([]bot.Outgoing, error) {
	rows, err := db.pool.Query(ctx, `UPDATE outbox SET claimed_by = $2::text, claimed_until = now() + $4::interval
		WHERE id IN (SELECT id FROM outbox WHERE channel = $1::text AND status = 'pending'
			AND (claimed_until IS NULL OR claimed_until < now() OR claimed_by = $2::text)
			ORDER BY id LIMIT $3::int FOR UPDATE SKIP LOCKED)
		RETURNING id, channel, chat_id, chat_kind, body, attempts`, channel, owner, limit, lease.String())
	if err != nil {
		return nil, fmt.Errorf("postgres: claim outbox: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bot.Outgoing, error) {
		var o bot.Outgoing
		err := r.Scan(&o.ID, &o.Channel, &o.ChatID, &o.ChatKind, &o.Text, &o.Attempts)
		return o, err
	})
	if err != nil {
		return nil, err
	}
	// UPDATE … RETURNING does not keep the subquery's order.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].ID < out[j-1].ID; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// MarkSent implements bot.Store.
func (db *DB) MarkSent(ctx context.Context, id int64) error {
	_, err := db.pool.Exec(ctx, `UPDATE outbox SET status = 'sent', sent_at = now(), claimed_until = NULL WHERE id = $1::bigint`, id)
	return err
}

// MarkSendFailed implements bot.Store: the reply stays queued for another
// try unless final.
func (db *DB) MarkSendFailed(ctx context.Context, id int64, errText string, final bool) error {
	_, err := db.pool.Exec(ctx, `UPDATE outbox SET attempts = attempts + 1, error = $2::text, claimed_until = now() + interval '10 seconds',
		status = CASE WHEN $3::boolean THEN 'failed' ELSE status END WHERE id = $1::bigint`, id, errText, final)
	return err
}

// OutboxDepth implements bot.Store.
func (db *DB) OutboxDepth(ctx context.Context) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE status = 'pending'`).Scan(&n)
	return n, err
}

// LogQuestion implements bot.QuestionLogger.
func (db *DB) LogQuestion(ctx context.Context, messageID int64, m *bot.Message, ans *knowledge.Answer) error {
	var mid *int64
	if messageID != 0 {
		mid = &messageID
	}
	chat := m.ChatID
	if m.ChatTitle != "" {
		chat = m.ChatTitle
	}
	_, err := db.LogAnswer(ctx, QuestionLog{MessageID: mid, Channel: m.Channel, Chat: chat, Asker: m.SenderName, Question: m.Text}, ans)
	return err
}
