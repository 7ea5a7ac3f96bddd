package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/internal/testdb"
)

// The schema is read from where incubot writes, not from a
// schema_migrations further along the search path: a fresh test schema on a
// server where incubot already runs (in public, or in another schema) is
// empty, and migrating it applies every migration (issue 16).
func TestMigrateTwiceIsNoOp(t *testing.T) {
	ctx := context.Background()
	db := testdb.Nested(t, testdb.New(t))
	if v, err := db.SchemaVersion(ctx); err != nil || v != 0 {
		t.Fatalf("a fresh schema is at version 0, whatever the schemas after it on the search path hold: %d %v", v, err)
	}
	if err := db.CheckSchema(ctx); !errors.Is(err, postgres.ErrSchema) {
		t.Fatalf("an empty database should be behind, got %v", err)
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != postgres.LatestVersion() {
		t.Fatalf("applied %v, want %d migrations", applied, postgres.LatestVersion())
	}
	again, err := db.Migrate(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("second migrate applied %v, err %v", again, err)
	}
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatalf("schema should be current: %v", err)
	}
	if v, err := db.VectorVersion(ctx); err != nil || v == "" {
		t.Fatalf("pgvector: %q %v", v, err)
	}
}

func TestSchemaBehindAndAheadAreRefused(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	if err := db.Exec(ctx, "DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)"); err != nil {
		t.Fatal(err)
	}
	var se *postgres.SchemaError
	if err := db.CheckSchema(ctx); !errors.As(err, &se) || se.Have >= se.Want {
		t.Fatalf("behind: got %v", err)
	}
	if err := db.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES (9998, 'x'), (9999, 'from_the_future.sql')"); err != nil {
		t.Fatal(err)
	}
	err := db.CheckSchema(ctx)
	if !errors.As(err, &se) || se.Have != 9999 {
		t.Fatalf("ahead: got %v", err)
	}
	if _, err := db.Migrate(ctx); !errors.Is(err, postgres.ErrSchema) {
		t.Fatalf("migrate must refuse a newer schema, got %v", err)
	}
}

func TestUnreachableDatabaseHidesPassword(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://incubot:s3cretpw@127.0.0.1:1/incubot?connect_timeout=2", postgres.Options{}, nil)
	var ue *postgres.UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("want UnreachableError, got %v", err)
	}
	if msg := err.Error(); strings.Contains(msg, "s3cretpw") {
		t.Fatalf("error leaks the password: %s", msg)
	}
}
