// Package testdb gives each test a clean, migrated database: a fresh schema
// on INCUBOT_TEST_DATABASE_URL when set, otherwise on an embedded PGlite
// server started once per test binary. It never skips: no database is a
// failure.
//
// On the embedded server every test shares the binary's one pool (the
// server takes one connection at a time) and tests run one after another.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/incubot/incubot/internal/devdb"
	"github.com/incubot/incubot/internal/postgres"
)

var (
	once     sync.Once
	baseURL  string
	startErr error
	// server is the embedded server, when there is no INCUBOT_TEST_DATABASE_URL.
	server *devdb.Server
	// shared is the embedded server's one pool, kept for the whole binary.
	shared *postgres.DB
	// embedded serialises tests on the one-session embedded server.
	embedded sync.Mutex
	// schemas maps each test's database to its schema (for Nested).
	schemas sync.Map
)

// URL is the server tests use, starting the embedded one when needed.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(start)
	if startErr != nil {
		t.Fatalf("test database: %v", startErr)
	}
	return baseURL
}

// Embedded says whether the tests run on the embedded server (no
// INCUBOT_TEST_DATABASE_URL).
func Embedded() bool { return os.Getenv("INCUBOT_TEST_DATABASE_URL") == "" }

func start() {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if u := os.Getenv("INCUBOT_TEST_DATABASE_URL"); u != "" {
		baseURL = u
		// The extension is database-wide: create it in public once, so
		// that no test schema owns it (dropping one would drop it for all).
		startErr = createExtension(ctx, u)
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
	srv, err := devdb.Start(ctx, devdb.Options{PackageDir: dir, DataDir: "memory://", LogPath: logf.Name()})
	if err != nil {
		startErr = err
		return
	}
	server, baseURL = srv, srv.URL
	// The binary's one connection to the embedded server, opened once: it
	// stops accepting connections after a few reconnects.
	if shared, startErr = postgres.Open(ctx, baseURL, postgres.Options{Embedded: true}, nil); startErr == nil {
		startErr = shared.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS vector SCHEMA public")
	}
}

func createExtension(ctx context.Context, u string) error {
	db, err := postgres.Open(ctx, u, postgres.Options{}, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS vector SCHEMA public")
}

// Stop stops the embedded server, if this binary started one. TestMain
// calls it after m.Run; without it the server ends with the binary.
func Stop() {
	if shared != nil {
		shared.Close()
	}
	if server != nil {
		server.Stop()
	}
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

func newSchemaName() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "test_" + hex.EncodeToString(b)
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
	schema := newSchemaName()
	ctx := context.Background()
	var db *postgres.DB
	if server != nil {
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
		if server != nil {
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
	schemas.Store(db, schema)
	t.Cleanup(func() {
		schemas.Delete(db)
		if err := db.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("test database: drop schema: %v", err)
		}
		done()
	})
	return db
}

// Nested returns a database in a fresh, empty schema whose search path goes
// on into outer's schema and then public, as a test schema does on a server
// where incubot already runs in public: what it reads must be its own. On
// the embedded server it shares outer's one session, so use outer no more
// once Nested is called.
func Nested(t testing.TB, outer *postgres.DB) *postgres.DB {
	t.Helper()
	o, ok := schemas.Load(outer)
	if !ok {
		t.Fatal("testdb.Nested: outer is not a test database")
	}
	schema := newSchemaName()
	path := schema + ", " + o.(string) + ", public"
	ctx := context.Background()
	if err := outer.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("test database: create schema: %v", err)
	}
	var db *postgres.DB
	if server != nil {
		db = shared.WithSearchPath(schema)
		if err := db.Exec(ctx, "SET search_path TO "+path); err != nil {
			t.Fatalf("test database: %v", err)
		}
	} else {
		var err error
		db, err = postgres.Open(ctx, withParam(URL(t), "search_path", path), postgres.Options{MaxConns: 4}, nil)
		if err != nil {
			t.Fatalf("test database: %v", err)
		}
	}
	t.Cleanup(func() {
		if err := db.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("test database: drop schema: %v", err)
		}
		if server == nil {
			db.Close()
		}
	})
	return db
}

// NewURL returns a DATABASE_URL for a fresh, migrated schema of the test's
// own on the INCUBOT_TEST_DATABASE_URL server, dropped when the test ends,
// for code that opens its own connections (the CLI): every connection made
// through it gets the schema as its search_path. The embedded server cannot
// serve that: it takes one connection at a time and stops accepting new ones
// after a few reconnects, so tests on it share one pool (New).
func NewURL(t testing.TB) string {
	t.Helper()
	if Embedded() {
		t.Fatal("testdb.NewURL needs INCUBOT_TEST_DATABASE_URL; on the embedded server use testdb.New")
	}
	schema := newSchemaName()
	u := withParam(URL(t), "search_path", schema+", public")
	ctx := context.Background()
	db, err := postgres.Open(ctx, u, postgres.Options{}, nil)
	if err != nil {
		t.Fatalf("test database: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("test database: drop schema: %v", err)
		}
		db.Close()
	})
	if err := db.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("test database: create schema: %v", err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("test database: migrate %s: %v", schema, err)
	}
	return u
}

// withParam adds a query parameter to a connection URL.
func withParam(u, key, value string) string {
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + key + "=" + strings.ReplaceAll(url.QueryEscape(value), "+", "%20") // pgx does not read + as a space
}
