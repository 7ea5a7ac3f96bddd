package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/incubot/incubot/internal/model"
	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/jackc/pgx/v5"
)

const messageColumns = `id, attempts, channel, msg_id, chat_id, chat_kind, chat_title, sender_id, sender_name, body, mentioned, attachment, sent_at`

func scanClaim(r pgx.Row) (model.Claim, error) {
	var c model.Claim
	err := r.Scan(&c.RowID, &c.Attempt, &c.Channel, &c.ID, &c.ChatID, &c.ChatKind, &c.ChatTitle, &c.SenderID, &c.SenderName, &c.Text, &c.Mentioned, &c.Attachment.Kind, &c.Time)
	return c, err
}

// RecordMessage implements bot.Store: the unique (channel, msg_id) makes a
// redelivered message, or one seen by another process, not fresh. A fresh
// message is stored already claimed (handling, first attempt), so a crash
// before it is finished leaves it to be handled again once the lease ends.
func (db *DB) RecordMessage(ctx context.Context, m *model.Message, lease time.Duration) (model.Claim, bool, error) {
	var id int64
	err := db.pool.QueryRow(ctx, `INSERT INTO messages (channel, msg_id, chat_id, chat_kind, chat_title, sender_id, sender_name, body, mentioned, attachment, sent_at, status, attempts, lease_until)
		VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::boolean, $10::text, $11::timestamptz, 'handling', 1, now() + $12::interval)
		ON CONFLICT (channel, msg_id) DO NOTHING RETURNING id`,
		m.Channel, m.ID, m.ChatID, m.ChatKind, m.ChatTitle, m.SenderID, m.SenderName, m.Text, m.Mentioned, m.Attachment.Kind, m.Time, lease.String()).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return model.Claim{}, false, nil
	}
	if err != nil {
		return model.Claim{}, false, fmt.Errorf("postgres: record message: %w", err)
	}
	return model.Claim{RowID: id, Attempt: 1, Message: *m}, true, nil
}

// open is the condition of a message nobody holds and that may be handled.
const open = `(status = 'received' OR (status = 'handling' AND lease_until < now()) OR (status = 'failed' AND attempts < $3::int))`

// Reclaim implements bot.Store.
func (db *DB) Reclaim(ctx context.Context, channel, msgID string, lease time.Duration, maxAttempts int) (model.Claim, bool, model.MessageState, error) {
	c, err := scanClaim(db.pool.QueryRow(ctx, `UPDATE messages SET status = 'handling', attempts = attempts + 1, lease_until = now() + $4::interval
		WHERE channel = $1::text AND msg_id = $2::text AND `+open+` RETURNING `+messageColumns, channel, msgID, maxAttempts, lease.String()))
	if err == nil {
		return c, true, model.MessageState{}, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return c, false, model.MessageState{}, fmt.Errorf("postgres: reclaim message: %w", err)
	}
	var st model.MessageState
	err = db.pool.QueryRow(ctx, `SELECT id, status, attempts, coalesce(lease_until > now(), false) FROM messages WHERE channel = $1::text AND msg_id = $2::text`,
		channel, msgID).Scan(&st.RowID, &st.Status, &st.Attempts, &st.LeaseLive)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, false, st, fmt.Errorf("postgres: message %s: %w", msgID, model.ErrNotFound)
	}
	if err != nil {
		return c, false, st, fmt.Errorf("postgres: message state: %w", err)
	}
	rows, err := db.pool.Query(ctx, `SELECT o.channel, o.chat_id, o.chat_kind, o.body, m.sender_name FROM outbox o JOIN messages m ON m.id = o.message_id
		WHERE o.message_id = $1::bigint ORDER BY o.id`, st.RowID)
	if err != nil {
		return c, false, st, fmt.Errorf("postgres: stored replies: %w", err)
	}
	st.Replies, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.Reply, error) {
		var rep model.Reply
		err := r.Scan(&rep.Channel, &rep.ChatID, &rep.ChatKind, &rep.Text, &rep.To)
		return rep, err
	})
	if err != nil {
		return c, false, st, fmt.Errorf("postgres: stored replies: %w", err)
	}
	return c, false, st, nil
}

// ClaimStale implements bot.Store.
func (db *DB) ClaimStale(ctx context.Context, channel string, lease time.Duration, maxAttempts, limit int) ([]model.Claim, error) {
	rows, err := db.pool.Query(ctx, `UPDATE messages SET status = 'handling', attempts = attempts + 1, lease_until = now() + $4::interval
		WHERE id IN (SELECT id FROM messages WHERE channel = $1::text AND status IN ('received', 'handling', 'failed') AND `+open+`
			ORDER BY id LIMIT $2::int FOR UPDATE SKIP LOCKED)
		RETURNING `+messageColumns, channel, limit, maxAttempts, lease.String())
	if err != nil {
		return nil, fmt.Errorf("postgres: claim stale messages: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.Claim, error) { return scanClaim(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: claim stale messages: %w", err)
	}
	slices.SortFunc(out, func(a, b model.Claim) int { return int(a.RowID - b.RowID) })
	return out, nil
}

// FinishMessage implements bot.Store.
func (db *DB) FinishMessage(ctx context.Context, f model.Finish) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE messages SET status = $3::text, error = $4::text, lease_until = NULL
			WHERE id = $1::bigint AND attempts = $2::int AND status = 'handling'`, f.Claim.RowID, f.Claim.Attempt, f.Status, f.Error)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return model.ErrConflict
		}
		if f.Session != nil {
			if err := saveSession(ctx, tx, f.Key, *f.Session); err != nil {
				return err
			}
		}
		return queue(ctx, tx, f.Claim.RowID, f.Replies, f.Delivered)
	})
	if err != nil && !errors.Is(err, model.ErrConflict) {
		return fmt.Errorf("postgres: finish message: %w", err)
	}
	if err != nil {
		return fmt.Errorf("postgres: message %d was taken over: %w", f.Claim.RowID, err)
	}
	return nil
}

// QueueReplies implements bot.Store.
func (db *DB) QueueReplies(ctx context.Context, replies []model.Reply) error {
	return db.inTx(ctx, func(tx pgx.Tx) error { return queue(ctx, tx, 0, replies, false) })
}

func queue(ctx context.Context, tx pgx.Tx, messageID int64, replies []model.Reply, delivered bool) error {
	var mid *int64
	if messageID != 0 {
		mid = &messageID
	}
	for _, r := range replies {
		status := "pending"
		if delivered {
			status = "sent"
		}
		if _, err := tx.Exec(ctx, `INSERT INTO outbox (channel, chat_id, chat_kind, body, status, sent_at, message_id)
				VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, CASE WHEN $5::text = 'sent' THEN now() END, $6::bigint)`,
			r.Channel, r.ChatID, r.ChatKind, r.Text, status, mid); err != nil {
			return fmt.Errorf("postgres: queue reply: %w", err)
		}
	}
	return nil
}

// Session implements bot.Store; a person without state gets a zero Session.
func (db *DB) Session(ctx context.Context, k model.SessionKey) (model.Session, error) {
	var s model.Session
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

func saveSession(ctx context.Context, tx pgx.Tx, k model.SessionKey, s model.Session) error {
	var form any
	if s.Form != nil {
		form = string(s.Form)
	}
	_, err := tx.Exec(ctx, `INSERT INTO sessions (channel, chat_id, sender_id, topic, topic_expires, form, form_expires, updated_at)
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
func (db *DB) ClaimOutbox(ctx context.Context, channel, owner string, limit int, lease time.Duration) ([]model.Outgoing, error) {
	rows, err := db.pool.Query(ctx, `UPDATE outbox SET claimed_by = $2::text, claimed_until = now() + $4::interval
		WHERE id IN (SELECT id FROM outbox WHERE channel = $1::text AND status = 'pending'
			AND (claimed_until IS NULL OR claimed_until < now() OR claimed_by = $2::text)
			ORDER BY id LIMIT $3::int FOR UPDATE SKIP LOCKED)
		RETURNING id, channel, chat_id, chat_kind, body, attempts`, channel, owner, limit, lease.String())
	if err != nil {
		return nil, fmt.Errorf("postgres: claim outbox: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.Outgoing, error) {
		var o model.Outgoing
		err := r.Scan(&o.ID, &o.Channel, &o.ChatID, &o.ChatKind, &o.Text, &o.Attempts)
		return o, err
	})
	if err != nil {
		return nil, err
	}
	// UPDATE … RETURNING does not keep the subquery's order.
	slices.SortFunc(out, func(a, b model.Outgoing) int { return int(a.ID - b.ID) })
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
func (db *DB) LogQuestion(ctx context.Context, messageID int64, m *model.Message, ans *corpus.Answer) error {
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

// MessageTexts are the stored texts of a channel's messages, oldest first
// (what the message log keeps, for checks).
func (db *DB) MessageTexts(ctx context.Context, channel string) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT body FROM messages WHERE channel = $1::text ORDER BY id`, channel)
	if err != nil {
		return nil, fmt.Errorf("postgres: message texts: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// ReplyCounts maps each message id of a channel to its status and the
// number of replies stored with it (checks after a crash: exactly one).
func (db *DB) ReplyCounts(ctx context.Context, channel string) (map[string]MessageReplies, error) {
	rows, err := db.pool.Query(ctx, `SELECT m.msg_id, m.status, count(o.id) FROM messages m LEFT JOIN outbox o ON o.message_id = m.id
		WHERE m.channel = $1::text GROUP BY m.msg_id, m.status`, channel)
	if err != nil {
		return nil, fmt.Errorf("postgres: reply counts: %w", err)
	}
	out := map[string]MessageReplies{}
	for rows.Next() {
		var id string
		var r MessageReplies
		if err := rows.Scan(&id, &r.Status, &r.Replies); err != nil {
			rows.Close()
			return nil, err
		}
		out[id] = r
	}
	return out, rows.Err()
}

// MessageReplies is a recorded message's status and stored reply count.
type MessageReplies struct {
	Status  string
	Replies int
}
