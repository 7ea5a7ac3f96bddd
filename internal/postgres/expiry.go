package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/incubot/incubot/internal/model"
)

// ExpiryDates implements knowledge.Store.
func (db *DB) ExpiryDates(ctx context.Context, day time.Time, n int) ([]time.Time, error) {
	rows, err := db.pool.Query(ctx, `SELECT DISTINCT expires_on::timestamp FROM documents
		WHERE status = 'active' AND expires_on < $1::date ORDER BY 1 DESC LIMIT $2::int`, day.Format(time.DateOnly), n)
	if err != nil {
		return nil, fmt.Errorf("postgres: expiry dates: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
	if err != nil {
		return nil, fmt.Errorf("postgres: expiry dates: %w", err)
	}
	for i, t := range out {
		out[i] = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	return out, nil
}

// DailyNotice sends text once on day to every bound officer whose channel is
// one of channels (those with an outbox), as private chat replies queued in
// the same transaction that records the notice: it returns how many were
// queued, and 0 without sending when a notice of the kind already went out
// that day, even from another process or before a restart.
func (db *DB) DailyNotice(ctx context.Context, kind string, day time.Time, channels []string, text string) (int, error) {
	n := 0
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO daily_notices (kind, day) VALUES ($1::text, $2::date) ON CONFLICT DO NOTHING`, kind, day.Format(time.DateOnly))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		rows, err := tx.Query(ctx, `SELECT channel, chat_id, name FROM people
			WHERE revoked_at IS NULL AND role = 'officer' AND contact_key <> '' AND chat_id <> '' AND channel = ANY($1::text[])
			ORDER BY id`, channels)
		if err != nil {
			return err
		}
		replies, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.Reply, error) {
			rp := model.Reply{ChatKind: model.Private, Text: text}
			err := r.Scan(&rp.Channel, &rp.ChatID, &rp.To)
			return rp, err
		})
		if err != nil {
			return err
		}
		if err := queue(ctx, tx, 0, replies, false); err != nil {
			return err
		}
		n = len(replies)
		_, err = tx.Exec(ctx, `UPDATE daily_notices SET recipients = $3::int WHERE kind = $1::text AND day = $2::date`, kind, day.Format(time.DateOnly), n)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: daily notice %s: %w", kind, err)
	}
	return n, nil
}
