package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/incubot/incubot/internal/config"
	"github.com/incubot/incubot/internal/devdb"
	"github.com/incubot/incubot/internal/postgres"
)

// app holds what every command shares: configuration, logger, streams and
// the lazily opened database.
type app struct {
	cfg    *config.Config
	log    *slog.Logger
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer

	store     *postgres.DB
	keepStore bool // the store was given, not opened: close leaves it open
	server    *devdb.Server
	sup       *devdb.Supervisor // serve watches the embedded server
}

func newApp(stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) (*app, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return nil, err
	}
	return &app{cfg: cfg, log: newLogger(cfg, stderr), stdin: stdin, stdout: stdout, stderr: stderr}, nil
}

// newLogger logs to stderr in the configured format, with every secret in
// use replaced, so a key or password never reaches a log line.
func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	level := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}[cfg.LogLevel]
	secrets := cfg.Secrets()
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Value.Kind() == slog.KindString || a.Value.Kind() == slog.KindAny {
			s := a.Value.String()
			for _, sec := range secrets {
				s = strings.ReplaceAll(s, sec, "********")
			}
			if a.Value.Kind() == slog.KindAny {
				if _, isErr := a.Value.Any().(error); isErr || s != a.Value.String() {
					return slog.String(a.Key, s)
				}
				return a
			}
			return slog.String(a.Key, s)
		}
		return a
	}}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// db opens the database, starting the embedded server when no URL is
// configured, and refuses a schema that is not this binary's.
func (a *app) db(ctx context.Context) (*postgres.DB, error) {
	db, err := a.rawDB(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.CheckSchema(ctx); err != nil {
		var se *postgres.SchemaError
		if errors.As(err, &se) && se.Have < se.Want && a.cfg.DatabaseURL == "" {
			// The embedded development database migrates itself: it has no
			// operator who would run migrate by hand.
			if _, err := db.Migrate(ctx); err != nil {
				return nil, err
			}
			return db, nil
		}
		return nil, err
	}
	return db, nil
}

// rawDB opens the database without checking its schema (migrate, doctor).
func (a *app) rawDB(ctx context.Context) (*postgres.DB, error) {
	if a.store != nil {
		return a.store, nil
	}
	url := a.cfg.DatabaseURL
	opts := postgres.Options{MaxConns: int32(a.cfg.DBMaxConns)}
	if url == "" {
		start := time.Now()
		srv, err := devdb.Start(ctx, devdb.Options{
			PackageDir: a.cfg.DevDBDir,
			DataDir:    filepath.Join(a.cfg.DataDir, "pgdata"),
			Port:       a.cfg.DevDBPort,
			LogPath:    filepath.Join(a.cfg.DataDir, "devdb.log"),
			LockPath:   filepath.Join(a.cfg.DataDir, "devdb.lock"),
		})
		if err != nil {
			return nil, err
		}
		a.server = srv
		a.log.Debug("embedded database started", "port", srv.Port, "took", time.Since(start).Round(time.Millisecond))
		url = srv.URL
		opts.Embedded = true
	}
	db, err := postgres.Open(ctx, url, opts, a.log)
	if err != nil {
		return nil, err
	}
	a.store = db
	return db, nil
}

func (a *app) close() {
	if a.store != nil && !a.keepStore {
		a.store.Close()
	}
	a.store = nil
	if a.sup != nil {
		if err := a.sup.Stop(); err != nil {
			a.log.Warn("embedded database stop", "err", err)
		}
		a.sup, a.server = nil, nil
	}
	if a.server != nil {
		if err := a.server.Stop(); err != nil {
			a.log.Warn("embedded database stop", "err", err)
		}
		a.server = nil
	}
}

func (a *app) printf(format string, args ...any) { fmt.Fprintf(a.stdout, format, args...) }
