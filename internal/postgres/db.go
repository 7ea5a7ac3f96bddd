// Package postgres is incubot's one store: PostgreSQL with pgvector through
// pgx. It is the only package that speaks SQL.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/incubot/incubot/internal/model"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
)

// Sentinel errors callers may test with errors.Is: the project's one set.
var (
	ErrNotFound = model.ErrNotFound
	ErrConflict = model.ErrConflict
)

// DB is the connection pool and everything stored through it.
type DB struct {
	pool *pgxpool.Pool
	cfg  *pgxpool.Config
	log  *slog.Logger

	searchPath string
	borrowed   bool // shares another DB's pool: Close leaves it open
	embedded   bool // the embedded PGlite server (Options.Embedded)
	// bulk: a bulk load is running (BeginBulkLoad).
	bulk atomic.Bool
}

// Options tune a connection beyond its URL.
type Options struct {
	// SearchPath, when set, is applied to every connection (test schemas).
	SearchPath string
	// MaxConns overrides the URL's pool size (pool_max_conns); 0 keeps the
	// URL's, or else DefaultMaxConns.
	MaxConns int32
	// Embedded says the server is the embedded PGlite one (internal/devdb):
	// one session behind a socket, so one connection that is kept, queries
	// that are never cancelled mid-way and a pause before reconnecting.
	// Known from how the server was started, never guessed from the pool.
	Embedded bool
}

// DefaultMaxConns is the pool size for a real server when neither the
// configuration nor the URL sets one: twice the CPU cores, at least 4 (a
// query waits on disk or the network about as long as it computes).
func DefaultMaxConns() int32 { return int32(max(4, 2*runtime.NumCPU())) }

// Open connects and checks that the server answers. Vector types are
// registered on every connection once the extension exists.
func Open(ctx context.Context, url string, opts Options, log *slog.Logger) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: the database URL is not valid (%v)", redactErr(err))
	}
	switch {
	case opts.Embedded:
		cfg.MaxConns = 1
	case opts.MaxConns > 0:
		cfg.MaxConns = opts.MaxConns
	case !strings.Contains(url, "pool_max_conns"):
		cfg.MaxConns = DefaultMaxConns()
	}
	if opts.Embedded {
		// The embedded server holds one session: keep its connection rather
		// than cycling it, since a reconnect races the old socket's close.
		cfg.MaxConnLifetime = 24 * time.Hour * 365
		cfg.MaxConnIdleTime = 24 * time.Hour * 365
		// A cancelled context would make pgx cut the connection and open a
		// second one for the cancel request, which the one-session server
		// refuses; its queries are short, so they run to completion instead.
		cfg.ConnConfig.BuildContextWatcherHandler = func(*pgconn.PgConn) ctxwatch.Handler { return finishQuery{} }
		// Should the connection drop anyway, give the server a moment to see
		// the close before the replacement arrives.
		var connects atomic.Int32
		cfg.BeforeConnect = func(ctx context.Context, _ *pgx.ConnConfig) error {
			if connects.Add(1) > 1 {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(300 * time.Millisecond):
				}
			}
			return nil
		}
	}
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		if opts.SearchPath != "" {
			if _, err := conn.Exec(ctx, "SET search_path TO "+pgx.Identifier{opts.SearchPath}.Sanitize()+", public"); err != nil {
				return err
			}
		}
		var has bool
		if err := conn.QueryRow(ctx, "SELECT to_regtype('vector') IS NOT NULL").Scan(&has); err != nil {
			return err
		}
		if has {
			return pgxvec.RegisterTypes(ctx, conn)
		}
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", redactErr(err))
	}
	if err := pingRetry(ctx, pool); err != nil {
		pool.Close()
		return nil, &UnreachableError{Host: cfg.ConnConfig.Host, Port: cfg.ConnConfig.Port, Err: redactErr(err)}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &DB{pool: pool, cfg: cfg, log: log, searchPath: opts.SearchPath, embedded: opts.Embedded}, nil
}

// finishQuery lets a query whose context is cancelled run to its end.
type finishQuery struct{}

func (finishQuery) HandleCancel(context.Context) {}
func (finishQuery) HandleUnwatchAfterCancel()    {}

// pingRetry pings, retrying briefly when the server resets the connection:
// the embedded server refuses a new connection until it has seen the previous
// one close.
func pingRetry(ctx context.Context, pool *pgxpool.Pool) error {
	deadline := time.Now().Add(5 * time.Second)
	for wait := 50 * time.Millisecond; ; wait = min(wait*2, time.Second) {
		err := pool.Ping(ctx)
		if err == nil || time.Now().After(deadline) || !isReset(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// UnreachableError says the database did not answer.
type UnreachableError struct {
	Host string
	Port uint16
	Err  error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("postgres: cannot reach the database at %s:%d: %v\n  → check DATABASE_URL, that PostgreSQL runs and accepts this user; leave DATABASE_URL empty to use the embedded database", e.Host, e.Port, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// redactErr drops connection details (which may hold a password) from pgx's
// connect errors, keeping the cause.
func redactErr(err error) error {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return errors.Unwrap(ce)
	}
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		return errors.New("cannot parse the connection string")
	}
	return err
}

// registerTypes makes the vector type, created by a migration, known to the
// pool's connections: the one connection of the embedded server registers it
// in place (it cannot be replaced quickly), others are replaced.
func (db *DB) registerTypes(ctx context.Context) error {
	if !db.embedded {
		db.pool.Reset()
		return nil
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	return pgxvec.RegisterTypes(ctx, conn.Conn())
}

// Close releases the pool.
func (db *DB) Close() {
	if !db.borrowed {
		db.pool.Close()
	}
}

// Embedded says the server is the embedded PGlite one.
func (db *DB) Embedded() bool { return db.embedded }

// MaxConns is the pool's size.
func (db *DB) MaxConns() int32 { return db.cfg.MaxConns }

// Ping checks the server answers.
func (db *DB) Ping(ctx context.Context) error { return db.pool.Ping(ctx) }

// VectorVersion is the installed pgvector version, or ErrNotFound.
func (db *DB) VectorVersion(ctx context.Context) (string, error) {
	var v string
	err := db.pool.QueryRow(ctx, "SELECT extversion FROM pg_extension WHERE extname = 'vector'").Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		var avail bool
		if err := db.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')").Scan(&avail); err == nil && !avail {
			return "", fmt.Errorf("postgres: the vector extension is not available on this server: %w", ErrNotFound)
		}
		return "", fmt.Errorf("postgres: the vector extension is not installed: %w", ErrNotFound)
	}
	return v, err
}

// ServerVersion is PostgreSQL's version string.
func (db *DB) ServerVersion(ctx context.Context) (string, error) {
	var v string
	err := db.pool.QueryRow(ctx, "SHOW server_version").Scan(&v)
	return v, err
}

// inTx runs fn in one transaction, committing when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.pool, fn)
}

// Exec runs one statement without results (administration and tests).
func (db *DB) Exec(ctx context.Context, sql string) error {
	_, err := db.pool.Exec(ctx, sql)
	return err
}

// WithSearchPath returns a DB on the same pool whose Close does nothing and
// whose UseSearchPath switches the pool's one session to schema (tests on the
// embedded server, which serialise their use of it).
func (db *DB) WithSearchPath(schema string) *DB {
	return &DB{pool: db.pool, cfg: db.cfg, log: db.log, searchPath: schema, borrowed: true, embedded: db.embedded}
}

// UseSearchPath applies the search path on the current connections.
func (db *DB) UseSearchPath(ctx context.Context) error {
	if db.searchPath == "" {
		return nil
	}
	_, err := db.pool.Exec(ctx, "SET search_path TO "+pgx.Identifier{db.searchPath}.Sanitize()+", public")
	return err
}
