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
	all, err := postgres.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != len(all) {
		t.Fatalf("applied %v, want %d migrations", applied, len(all))
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

// What migrate and doctor say when pgvector is missing must be true on
// Debian (no pgvector package in its own repositories) and on managed
// servers (a superuser or the provider's admin role creates the extension,
// which is not trusted): issue 16.
func TestVectorAdvice(t *testing.T) {
	missing := postgres.VectorAdvice(postgres.VectorState{Database: "incubot", Role: "incubot"})
	notCreated := postgres.VectorAdvice(postgres.VectorState{Available: "0.8.6", Database: "incubot", Role: "incubot"})
	asSuperuser := postgres.VectorAdvice(postgres.VectorState{Available: "0.8.6", Superuser: true, Database: "incubot", Role: "postgres"})
	for _, c := range []struct {
		name, got string
		want      []string
	}{
		{"not installed", missing, []string{"apt.postgresql.org", "postgresql-<major version>-pgvector", "Debian's own repositories have none", "github.com/pgvector/pgvector", "superuser", "not a trusted extension", "CREATE EXTENSION vector", "incubot migrate"}},
		{"installed, not created", notCreated, []string{"pgvector 0.8.6 is installed", `role "incubot" is not a superuser`, `in database "incubot"`, "CREATE EXTENSION vector", "not a trusted extension", "managed server"}},
		{"superuser", asSuperuser, []string{"run incubot migrate"}},
	} {
		for _, w := range c.want {
			if !strings.Contains(c.got, w) {
				t.Errorf("%s: advice lacks %q: %s", c.name, w, c.got)
			}
		}
		for _, wrong := range []string{"postgresql-16-pgvector", "database owner run", "have the database owner"} {
			if strings.Contains(c.got, wrong) {
				t.Errorf("%s: advice says what is not true (%q): %s", c.name, wrong, c.got)
			}
		}
	}
	if strings.Contains(notCreated, "install pgvector") {
		t.Errorf("an installed pgvector needs no install: %s", notCreated)
	}
	db := testdb.New(t)
	v, err := db.Vector(context.Background())
	if err != nil || v.Created == "" || v.Available == "" || v.Database == "" {
		t.Fatalf("the test database has pgvector: %+v %v", v, err)
	}
}
