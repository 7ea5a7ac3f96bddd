package devdb

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func packageDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../deploy/devdb")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func query(t *testing.T, url, sql string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var out string
	if err := conn.QueryRow(ctx, sql).Scan(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func execSQL(t *testing.T, url, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
}

// The server keeps its data across a stop and a start, and a second server
// on the same data directory is refused while the first runs.
func TestPersistsAndLocks(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	opts := Options{
		PackageDir: packageDir(t),
		DataDir:    filepath.Join(data, "pgdata"),
		LogPath:    filepath.Join(data, "devdb.log"),
		LockPath:   filepath.Join(data, "devdb.lock"),
	}
	srv, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	execSQL(t, srv.URL, "CREATE EXTENSION IF NOT EXISTS vector; CREATE TABLE kept (note text); INSERT INTO kept VALUES ('before restart')")

	second, err := Start(ctx, opts)
	if err == nil {
		second.Stop()
		t.Fatal("a second server on the same data directory must be refused")
	}
	if !strings.Contains(err.Error(), "another incubot") || !strings.Contains(err.Error(), "pid") {
		t.Fatalf("the refusal should name the other process: %v", err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}

	srv, err = Start(ctx, opts)
	if err != nil {
		t.Fatalf("restart after the lock was released: %v", err)
	}
	defer srv.Stop()
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(opts.LogPath)
			t.Logf("server log:\n%s", b)
		}
	})
	// One connection: the server takes a new one only once it has seen
	// the previous one close.
	if got := query(t, srv.URL, "SELECT note || ' ' || ('[1,2,3]'::vector <-> '[1,2,4]'::vector) FROM kept"); got != "before restart 1" {
		t.Fatalf("after restart: %q", got)
	}
}

func TestPortTaken(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	dir := t.TempDir()
	_, err = Start(context.Background(), Options{PackageDir: packageDir(t), DataDir: "memory://", Port: port, LogPath: filepath.Join(dir, "log")})
	var de *Error
	if !errors.As(err, &de) || !strings.Contains(de.What, "in use") || !strings.Contains(de.Hint, "INCUBOT_DEVDB_PORT") {
		t.Fatalf("want a port-in-use error with a hint, got %v", err)
	}
}

// A relative package folder (the default deploy/devdb) works from the
// repository root, as make demo runs it.
func TestRelativePackageDir(t *testing.T) {
	t.Chdir("../..")
	dir := t.TempDir()
	srv, err := Start(context.Background(), Options{PackageDir: "deploy/devdb", DataDir: "memory://", LogPath: filepath.Join(dir, "log")})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	if got := query(t, srv.URL, "SELECT 'ok'"); got != "ok" {
		t.Fatal(got)
	}
}

func TestMissingPackages(t *testing.T) {
	dir := t.TempDir()
	_, err := Start(context.Background(), Options{PackageDir: dir, DataDir: "memory://", LogPath: filepath.Join(dir, "log")})
	if err == nil || !strings.Contains(err.Error(), "npm ci --prefix "+dir) {
		t.Fatalf("want the install command, got %v", err)
	}
}

func TestCorruptDataDirectory(t *testing.T) {
	dir := t.TempDir()
	pgdata := filepath.Join(dir, "pgdata")
	os.MkdirAll(pgdata, 0o700)
	os.WriteFile(filepath.Join(pgdata, "PG_VERSION"), []byte("garbage\n"), 0o600)
	os.MkdirAll(filepath.Join(pgdata, "base"), 0o700)
	_, err := Start(context.Background(), Options{PackageDir: packageDir(t), DataDir: pgdata, LogPath: filepath.Join(dir, "log"), LockPath: filepath.Join(dir, "lock")})
	if err == nil || !strings.Contains(err.Error(), ".broken") {
		t.Fatalf("want advice to move the damaged data aside, got %v", err)
	}
	if _, statErr := os.Stat(filepath.Join(pgdata, "PG_VERSION")); statErr != nil {
		t.Fatal("the damaged data must be left in place")
	}
}
