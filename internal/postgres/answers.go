package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/incubot/incubot/internal/model"
	"github.com/incubot/incubot/knowledge/corpus"
	"time"

	"github.com/jackc/pgx/v5"
)

var _ corpus.FAQSource = (*DB)(nil)

// FAQs implements knowledge.FAQSource.
func (db *DB) FAQs(ctx context.Context) ([]corpus.FAQ, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, question, answer, basis, created_by, created_at FROM faqs ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: faqs: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (corpus.FAQ, error) {
		var f corpus.FAQ
		err := r.Scan(&f.ID, &f.Question, &f.Answer, &f.Basis, &f.CreatedBy, &f.CreatedAt)
		return f, err
	})
}

// AddFAQs stores curated answers in one transaction.
func (db *DB) AddFAQs(ctx context.Context, faqs []corpus.FAQ) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		for i := range faqs {
			f := &faqs[i]
			if err := tx.QueryRow(ctx, `INSERT INTO faqs (question, answer, basis, created_by) VALUES ($1::text, $2::text, $3::text, $4::text)
				RETURNING id, created_at`, f.Question, f.Answer, f.Basis, f.CreatedBy).Scan(&f.ID, &f.CreatedAt); err != nil {
				return fmt.Errorf("postgres: add faq: %w", err)
			}
		}
		return nil
	})
}

// RemoveFAQ deletes a curated answer, or returns ErrNotFound.
func (db *DB) RemoveFAQ(ctx context.Context, id int64) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM faqs WHERE id = $1::bigint`, id)
	if err != nil {
		return fmt.Errorf("postgres: remove faq: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("faq %d: %w", id, ErrNotFound)
	}
	return nil
}

// QuestionLog is one asked question and what the bot did with it.
type QuestionLog = model.QuestionLog

// LogAnswer records a question and its answer.
func (db *DB) LogAnswer(ctx context.Context, q QuestionLog, ans *corpus.Answer) (int64, error) {
	cited, err := json.Marshal(ans.Cited)
	if err != nil {
		return 0, err
	}
	if ans.Cited == nil {
		cited = []byte("[]")
	}
	var id int64
	err = db.pool.QueryRow(ctx, `INSERT INTO questions (message_id, channel, chat, asker, question, searched, answer, answered, source, reason, cited, top_score, model, latency_ms)
		VALUES ($1::bigint, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::boolean, $9::text, $10::text, $11::jsonb, $12::float8, $13::text, $14::int)
		RETURNING id`, q.MessageID, q.Channel, q.Chat, q.Asker, q.Question, ans.Searched, ans.Text, ans.Answered, ans.Source, ans.Reason,
		string(cited), ans.TopScore, ans.Model, int(ans.Latency.Milliseconds())).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("postgres: log question: %w", err)
	}
	return id, nil
}

// Questions lists logged questions since a time, newest first; with
// unansweredOnly, those not answered and those whose asker said the answer
// did not help.
func (db *DB) Questions(ctx context.Context, since time.Time, unansweredOnly bool) ([]QuestionLog, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+questionColumns+`
		FROM questions WHERE created_at >= $1::timestamptz AND (NOT $2::boolean OR NOT answered OR useful = false) ORDER BY created_at DESC, id DESC`, since, unansweredOnly)
	if err != nil {
		return nil, fmt.Errorf("postgres: questions: %w", err)
	}
	return pgx.CollectRows(rows, scanQuestion)
}

// questionColumns are the columns scanQuestion reads, in its order.
const questionColumns = `id, message_id, channel, chat, asker, question, searched, answer, answered, source, reason, cited::text, top_score, model, latency_ms, created_at, useful, feedback`

// scanQuestion reads one row of questionColumns.
func scanQuestion(r pgx.CollectableRow) (QuestionLog, error) {
	var q QuestionLog
	var cited string
	err := r.Scan(&q.ID, &q.MessageID, &q.Channel, &q.Chat, &q.Asker, &q.Question, &q.Searched, &q.Answer, &q.Answered, &q.Source, &q.Reason, &cited, &q.TopScore, &q.Model, &q.LatencyMS, &q.CreatedAt, &q.Useful, &q.Feedback)
	q.Cited = []byte(cited)
	return q, err
}

// maxFeedback bounds the reason an asker gives with their feedback.
const maxFeedback = 500

// FeedbackOnMessage records what the sender of a channel's message said of
// the answer to it (the WeCom smart bot's 👍/👎, useful nil when
// withdrawn). Only the question's own asker can rate it: false when no
// logged question of theirs came with that message.
func (db *DB) FeedbackOnMessage(ctx context.Context, channel, msgID, senderID string, useful *bool, comment string) (bool, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE questions q SET useful = $4::boolean, feedback = $5::text, feedback_at = now()
		FROM messages m WHERE q.message_id = m.id AND m.channel = $1::text AND m.msg_id = $2::text AND m.sender_id = $3::text`,
		channel, msgID, senderID, useful, clipRunes(comment, maxFeedback))
	if err != nil {
		return false, fmt.Errorf("postgres: feedback: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// FeedbackOnLast records 有用/没用 on the sender's latest question in a
// chat since a time; false when they asked none.
func (db *DB) FeedbackOnLast(ctx context.Context, channel, chatID, senderID string, since time.Time, useful bool, comment string) (bool, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE questions SET useful = $5::boolean, feedback = $6::text, feedback_at = now()
		WHERE id = (SELECT q.id FROM questions q JOIN messages m ON m.id = q.message_id
			WHERE m.channel = $1::text AND m.chat_id = $2::text AND m.sender_id = $3::text AND q.created_at >= $4::timestamptz
			ORDER BY q.id DESC LIMIT 1)`,
		channel, chatID, senderID, since, useful, clipRunes(comment, maxFeedback))
	if err != nil {
		return false, fmt.Errorf("postgres: feedback: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

func clipRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
