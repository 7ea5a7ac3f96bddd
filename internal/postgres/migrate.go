package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the embedded migrations in order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("postgres: migration %s is not named NNNN_name.sql", e.Name())
		}
		b, err := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	// Versions rise; a gap is allowed (numbers are handed out to branches
	// before they merge), a repeated number is not.
	for i, m := range ms {
		if m.Version < 1 || (i > 0 && m.Version == ms[i-1].Version) {
			return nil, fmt.Errorf("postgres: migration %s is out of sequence", m.Name)
		}
	}
	return ms, nil
}

// LatestVersion is the schema version this binary needs.
func LatestVersion() int {
	ms, err := Migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    int PRIMARY KEY,
	name       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
)`

// Migrate applies the migrations not yet applied, each in its own
// transaction, and returns the names it applied. Concurrent callers wait on an
// advisory lock, so each migration runs once.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	if _, err := db.pool.Exec(ctx, createMigrationsTable); err != nil {
		return nil, fmt.Errorf("postgres: create schema_migrations: %w", err)
	}
	current, err := db.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if latest := ms[len(ms)-1].Version; current > latest {
		return nil, &SchemaError{Have: current, Want: latest}
	}
	var applied []string
	for _, m := range ms {
		if m.Version <= current {
			continue
		}
		err := db.inTx(ctx, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(7242001)"); err != nil {
				return err
			}
			var done bool
			if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1::int)", m.Version).Scan(&done); err != nil {
				return err
			}
			if done {
				return nil
			}
			if _, err := tx.Exec(ctx, m.SQL, pgx.QueryExecModeSimpleProtocol); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1::int, $2::text)", m.Version, m.Name)
			return err
		})
		if err != nil {
			if m.Version == 1 && strings.Contains(err.Error(), "vector") {
				v, verr := db.Vector(ctx)
				if verr != nil {
					return applied, fmt.Errorf("postgres: the vector extension cannot be created on this server (%v)\n  → %s", err, VectorAdvice(VectorState{}))
				}
				return applied, fmt.Errorf("postgres: the vector extension cannot be created in database %q (%v)\n  → %s", v.Database, err, VectorAdvice(v))
			}
			return applied, fmt.Errorf("postgres: migration %s: %w", m.Name, err)
		}
		applied = append(applied, m.Name)
	}
	if len(applied) > 0 {
		if err := db.registerTypes(ctx); err != nil {
			return applied, err
		}
	}
	if _, err := db.fillDocumentFacts(ctx); err != nil {
		return applied, err
	}
	return applied, nil
}

// SchemaVersion is the highest applied migration, 0 on an empty database.
// It reads the schema incubot writes into (the first of the search path),
// never a schema_migrations found further along it: a fresh schema on a
// server where incubot already runs in public is empty, not current.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var exists bool
	if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relname = 'schema_migrations')`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("postgres: read schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := db.pool.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&v); err != nil {
		return 0, fmt.Errorf("postgres: read schema version: %w", err)
	}
	return v, nil
}

// SchemaError says the schema is behind or ahead of this binary.
type SchemaError struct{ Have, Want int }

func (e *SchemaError) Error() string {
	if e.Have < e.Want {
		return fmt.Sprintf("the database schema is at version %d, this incubot needs %d\n  → run: incubot migrate", e.Have, e.Want)
	}
	return fmt.Sprintf("the database schema is at version %d, newer than this incubot knows (%d)\n  → run the incubot release that migrated it, or a newer one; never point an old binary at a newer schema", e.Have, e.Want)
}

// ErrSchema matches any SchemaError.
var ErrSchema = errors.New("schema version mismatch")

func (e *SchemaError) Is(target error) bool { return target == ErrSchema }

// CheckSchema refuses a schema that is behind or ahead of this binary.
func (db *DB) CheckSchema(ctx context.Context) error {
	have, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if want := LatestVersion(); have != want {
		return &SchemaError{Have: have, Want: want}
	}
	return nil
}

// VectorState is what a server has of pgvector.
type VectorState struct {
	Created   string // version created in this database, "" when none
	Available string // version the server could create, "" when not installed
	Superuser bool   // whether the current role may create it
	Database  string
	Role      string
}

// Vector reads the pgvector state of the database.
func (db *DB) Vector(ctx context.Context) (VectorState, error) {
	var v VectorState
	err := db.pool.QueryRow(ctx, `SELECT coalesce((SELECT extversion FROM pg_extension WHERE extname = 'vector'), ''),
		coalesce((SELECT default_version FROM pg_available_extensions WHERE name = 'vector'), ''),
		coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false), current_database(), current_user`).Scan(&v.Created, &v.Available, &v.Superuser, &v.Database, &v.Role)
	if err != nil {
		return v, fmt.Errorf("postgres: read pgvector state: %w", err)
	}
	return v, nil
}

// VectorAdvice says what to do when the vector extension is missing, true
// for Debian and for managed servers: pgvector is not a trusted extension,
// so a superuser (on a managed server, its admin role) creates it; Debian's
// own repositories have no pgvector package.
func VectorAdvice(v VectorState) string {
	install := "install pgvector on the PostgreSQL server: on Debian or Ubuntu from the PostgreSQL project's repository " +
		"(apt.postgresql.org, package postgresql-<major version>-pgvector; Debian's own repositories have none) or built from source " +
		"(github.com/pgvector/pgvector: make && make install, with the server's headers); the pgvector/pgvector Docker image has it; " +
		"on a managed server (RDS, Cloud SQL, Azure, 阿里云/腾讯云 RDS) it is built in"
	in := ""
	if v.Database != "" {
		in = " in database " + strconv.Quote(v.Database)
	}
	create := "a superuser (on a managed server, its admin role) runs once" + in + ": CREATE EXTENSION vector; " +
		"(pgvector is not a trusted extension, so the database owner cannot), then: incubot migrate"
	switch {
	case v.Created != "":
		return "pgvector " + v.Created + " is created in this database"
	case v.Available == "":
		return install + "; then " + create
	case v.Superuser:
		return "pgvector " + v.Available + " is installed and this role is a superuser: run incubot migrate, which creates it"
	}
	return fmt.Sprintf("pgvector %s is installed on the server, but role %q is not a superuser: %s", v.Available, v.Role, create)
}
