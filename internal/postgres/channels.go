package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ChannelSession returns a channel's stored login session, or ErrNotFound.
func (db *DB) ChannelSession(ctx context.Context, channel string) ([]byte, time.Time, error) {
	var data []byte
	var at time.Time
	err := db.pool.QueryRow(ctx, "SELECT data, updated_at FROM channel_sessions WHERE channel = $1::text", channel).Scan(&data, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, time.Time{}, fmt.Errorf("postgres: session of %s: %w", channel, ErrNotFound)
	}
	return data, at, err
}

// SaveChannelSession replaces a channel's login session in one statement.
func (db *DB) SaveChannelSession(ctx context.Context, channel string, data []byte) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO channel_sessions (channel, data) VALUES ($1::text, $2::bytea)
		ON CONFLICT (channel) DO UPDATE SET data = excluded.data, updated_at = now()`, channel, data)
	return err
}

// SwapChannelSession replaces a channel's stored data only when it still
// holds old (nil: only when none is stored), in one statement: a
// compare-and-swap for state that several processes update.
func (db *DB) SwapChannelSession(ctx context.Context, channel string, old, data []byte) (bool, error) {
	var tag interface{ RowsAffected() int64 }
	var err error
	if old == nil {
		tag, err = db.pool.Exec(ctx, `INSERT INTO channel_sessions (channel, data) VALUES ($1::text, $2::bytea) ON CONFLICT (channel) DO NOTHING`, channel, data)
	} else {
		tag, err = db.pool.Exec(ctx, `UPDATE channel_sessions SET data = $3::bytea, updated_at = now() WHERE channel = $1::text AND data = $2::bytea`, channel, old, data)
	}
	if err != nil {
		return false, fmt.Errorf("postgres: swap session of %s: %w", channel, err)
	}
	return tag.RowsAffected() == 1, nil
}
