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
