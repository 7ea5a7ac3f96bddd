package devdb

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Finding 9: a server killed with SIGKILL is started again on the same
// port with its data; one that cannot come back makes the supervisor give
// up and say so, so that serve exits and its service manager acts.
func TestSupervisorRestartsThenGivesUp(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	opts := Options{PackageDir: packageDir(t), DataDir: filepath.Join(data, "pg"), LogPath: filepath.Join(data, "log"), LockPath: filepath.Join(data, "lock")}
	srv, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	execSQL(t, srv.URL, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before the kill')")
	sup := Supervise(ctx, srv, &Supervisor{Backoff: 10 * time.Millisecond, Attempts: 2})
	defer sup.Stop()
	url := srv.URL
	if err := syscall.Kill(srv.Pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for sup.Restarts() < 1 || sup.State() != StateRunning {
		if time.Now().After(deadline) {
			t.Fatalf("not restarted: state %s", sup.State())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := query(t, url, "SELECT v FROM kept"); got != "before the kill" {
		t.Fatalf("the restarted server has the data on the same URL: %q", got)
	}
	// Now it cannot come back: its packages are gone.
	sup.mu.Lock()
	cur := sup.srv
	sup.opts.PackageDir = t.TempDir()
	sup.mu.Unlock()
	if err := syscall.Kill(cur.Pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-sup.Failed():
		if err == nil || sup.State() != StateDown {
			t.Fatalf("gave up with %v, state %s", err, sup.State())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the supervisor neither restarted nor gave up")
	}
}
