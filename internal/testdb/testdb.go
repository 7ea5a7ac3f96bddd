// Package testdb gives each test a clean, migrated database: a fresh schema
// on INCUBOT_TEST_DATABASE_URL when set, otherwise on an embedded PGlite
// server started once per test binary. It never skips: no database is a
// failure.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/incubot/incubot/internal/devdb"
	"github.com/incubot/incubot/internal/postgres"
)

var (
	once     sync.Once
	url      string
	startErr error
	// shared is the embedded server's one pool, kept for the whole binary.
	shared *postgres.DB
	// embedded serialises tests on the one-session embedded server.
	embedded sync.Mutex
)

// URL is the server tests use, starting the embedded one when needed.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(start)
	if startErr != nil {
		t.Fatalf("test database: %v", startErr)
	}
	return url
}

func start() {
	if u := os.Getenv("INCUBOT_TEST_DATABASE_URL"); u != "" {
		url = u
		// The extension is database-wide: create it in public once, so
		// that no test schema owns it (dropping one would drop it for all).
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db, err := postgres.Open(ctx, u, postgres.Options{}, nil)
		if err != nil {
			startErr = err
			return
		}
		defer db.Close()
		startErr = db.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS vector SCHEMA public")
		return
	}
	dir, err := packageDir()
	if err != nil {
		startErr = err
		return
	}
	logf, err := os.CreateTemp("", "incubot-testdb-*.log")
	if err != nil {
		startErr = err
		return
	}
	logf.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	srv, err := devdb.Start(ctx, devdb.Options{PackageDir: dir, DataDir: "memory://", LogPath: logf.Name()})
	if err != nil {
		startErr = err
		return
	}
	url = srv.URL
	shared, err = postgres.Open(ctx, url, postgres.Options{MaxConns: 1}, nil)
	if err != nil {
		startErr = err
		return
	}
	startErr = shared.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS vector")
}

// packageDir finds deploy/devdb by walking up from the test's directory.
func packageDir() (string, error) {
	if d := os.Getenv("INCUBOT_DEVDB_DIR"); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "deploy", "devdb")
		if _, err := os.Stat(filepath.Join(p, "package.json")); err == nil {
			return p, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("deploy/devdb not found above " + wd)
		}
	}
}

// New returns a migrated database in a schema of its own, dropped when the
// test ends.
func New(t testing.TB) *postgres.DB {
	t.Helper()
	db := Empty(t)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("test database: migrate: %v", err)
	}
	return db
}

// Empty returns a database in a fresh, empty schema (no migrations applied).
func Empty(t testing.TB) *postgres.DB {
	t.Helper()
	u := URL(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	ctx := context.Background()
	var db *postgres.DB
	if shared != nil {
		embedded.Lock()
		db = shared.WithSearchPath(schema)
	} else {
		var err error
		db, err = postgres.Open(ctx, u, postgres.Options{SearchPath: schema, MaxConns: 4}, nil)
		if err != nil {
			t.Fatalf("test database: %v", err)
		}
	}
	done := func() {
		if shared != nil {
			embedded.Unlock()
		} else {
			db.Close()
		}
	}
	if err := db.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		done()
		t.Fatalf("test database: create schema: %v", err)
	}
	if err := db.UseSearchPath(ctx); err != nil {
		done()
		t.Fatalf("test database: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("test database: drop schema: %v", err)
		}
		done()
	})
	return db
}
