package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/internal/testdb"
)

// Whether the server is the embedded one is known from how it was started,
// never read from the pool size: on a real server, pool_max_conns=1 is a
// pool of one and nothing else (queries are cancelled, connections
// replaced); without a size the pool is sized to the machine (issue 16).
func TestPoolSizeIsNotTheEmbeddedServer(t *testing.T) {
	ctx := context.Background()
	if testdb.Embedded() {
		db := testdb.New(t)
		if !db.Embedded() || db.MaxConns() != 1 {
			t.Fatalf("the embedded server: Embedded %v, MaxConns %d; want true, 1", db.Embedded(), db.MaxConns())
		}
		return
	}
	url := testdb.URL(t)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	one, err := postgres.Open(ctx, url+sep+"pool_max_conns=1", postgres.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	if one.Embedded() || one.MaxConns() != 1 {
		t.Fatalf("pool_max_conns=1 on a real server: Embedded %v, MaxConns %d; want false, 1", one.Embedded(), one.MaxConns())
	}
	// A cancelled query stops on a real server (the embedded special case
	// would let it run its 60 s to the end).
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := one.Exec(short, "SELECT pg_sleep(60)"); err == nil || !errors.Is(short.Err(), context.DeadlineExceeded) {
		t.Fatalf("a cancelled query on a pool of one: %v", err)
	}
	if err := one.Ping(ctx); err != nil {
		t.Fatalf("the pool of one works after a cancel: %v", err)
	}

	sized, err := postgres.Open(ctx, url, postgres.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sized.Close()
	if sized.MaxConns() != postgres.DefaultMaxConns() || sized.MaxConns() < 4 {
		t.Fatalf("default pool: %d connections, want %d (at least 4)", sized.MaxConns(), postgres.DefaultMaxConns())
	}
	set, err := postgres.Open(ctx, url+sep+"pool_max_conns=3", postgres.Options{MaxConns: 7}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	if set.MaxConns() != 7 {
		t.Fatalf("INCUBOT_DB_MAX_CONNS wins over the URL: %d, want 7", set.MaxConns())
	}
}
