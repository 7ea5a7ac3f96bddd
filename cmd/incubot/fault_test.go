package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/internal/devdb"
	"github.com/incubot/incubot/internal/postgres"
)

// faultServe runs `incubot serve --http` as a subprocess, built from this
// package, with the embedded database in a data directory of the test's.
type faultServe struct {
	t    *testing.T
	bin  string
	env  []string
	addr string
	cmd  *exec.Cmd
	log  syncBuffer

	restartErr error
}

// syncBuffer is a buffer two processes' output goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

const faultToken = "0123456789abcdef0123"

// faultLease is serve's handling lease. A message held when serve dies is
// handled again once its lease ends, so a short one keeps the test short;
// but handling is cut off at three quarters of it, and three cut-offs in a
// row give the message up (bot.ReplyGaveUp). With 50 chats on the embedded
// database's one connection on a loaded machine, a handling waits seconds
// for that connection: 3 s (a 2.25 s budget) gave up some messages in CI.
const faultLease = 20 * time.Second

// faultClientTimeout covers a retry that waits for a live lease
// (bot.Options.RetryWait, 25 s) and then handles the message.
const faultClientTimeout = 90 * time.Second

func newFaultServe(t *testing.T) *faultServe {
	dir := t.TempDir()
	bin := filepath.Join(dir, "incubot")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	devdbDir, _ := filepath.Abs("../../deploy/devdb")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "INCUBOT_") && !strings.HasPrefix(kv, "DATABASE_URL=") {
			env = append(env, kv)
		}
	}
	env = append(env, "INCUBOT_DATA_DIR="+filepath.Join(dir, "data"), "INCUBOT_DEVDB_DIR="+devdbDir, "INCUBOT_HTTP_TOKEN="+faultToken,
		"INCUBOT_HANDLING_LEASE="+faultLease.String(), "INCUBOT_LOG_LEVEL=warn")
	return &faultServe{t: t, bin: bin, env: env, addr: addr}
}

func (s *faultServe) start() {
	s.t.Helper()
	if err := s.startErr(); err != nil {
		s.t.Fatal(err)
	}
}

func (s *faultServe) startErr() error {
	s.cmd = exec.Command(s.bin, "serve", "--http", s.addr)
	s.cmd.Env = s.env
	s.cmd.Stdout, s.cmd.Stderr = &s.log, &s.log
	if err := s.cmd.Start(); err != nil {
		return err
	}
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if r, err := http.Get("http://" + s.addr + "/healthz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("serve did not become healthy:\n%s", s.log.String())
}

// dbPid is the embedded database's process: serve's child (any of its
// threads may have started it); 0 when there is none.
func (s *faultServe) dbPid() int {
	pid := s.cmd.Process.Pid
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var kids []string
	for _, task := range tasks {
		b, _ := os.ReadFile(task)
		kids = append(kids, strings.Fields(string(b))...)
	}
	if len(kids) != 1 {
		return 0
	}
	n, _ := strconv.Atoi(kids[0])
	return n
}

// load is 50 chats sending 4 messages each; a client sends a message again
// with the same id until it gets 200. kill runs once a quarter is answered.
type load struct {
	sent, attempts atomic.Int64
	refused        atomic.Int64 // 503 answers (retry later)
	unreachable    atomic.Int64 // no answer at all (serve down)
	mu             sync.Mutex
	answers        map[string]string
}

func (s *faultServe) post(client *http.Client, id, chat, text string) (int, string) {
	body := fmt.Sprintf(`{"id":%q,"chat_id":%q,"sender_id":%q,"sender_name":"企业%s","text":%q}`, id, chat, chat, chat, text)
	req, _ := http.NewRequest("POST", "http://"+s.addr+"/v1/messages", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+faultToken)
	resp, err := client.Do(req)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	var out struct{ Replies []struct{ Text string } }
	json.NewDecoder(resp.Body).Decode(&out)
	var texts []string
	for _, r := range out.Replies {
		texts = append(texts, r.Text)
	}
	return resp.StatusCode, strings.Join(texts, "\n")
}

func (s *faultServe) run(name string, kill func()) *load {
	l := &load{answers: map[string]string{}}
	client := &http.Client{Timeout: faultClientTimeout}
	var answered atomic.Int64
	var once sync.Once
	var wg sync.WaitGroup
	deadline := time.Now().Add(120 * time.Second)
	for c := 0; c < 50; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chat := fmt.Sprintf("%s-c%02d", name, c)
			for k := 0; k < 4; k++ {
				id := fmt.Sprintf("%s-m%d", chat, k)
				text := "购买科技成果补助比例是多少"
				if k%2 == 1 {
					text = "原文 " + id + " 第一条"
				}
				l.sent.Add(1)
				for time.Now().Before(deadline) {
					l.attempts.Add(1)
					code, reply := s.post(client, id, chat, text)
					switch code {
					case 0:
						l.unreachable.Add(1)
					case 503:
						l.refused.Add(1)
					}
					if code == 200 {
						l.mu.Lock()
						l.answers[id] = reply
						l.mu.Unlock()
						if answered.Add(1) == 50 {
							go once.Do(kill)
						}
						break
					}
					time.Sleep(200 * time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	return l
}

// check: every id got a non-empty answer, its own, not the reply that the
// bot gave up on it; a late retry of every id gets the same answer.
func (s *faultServe) check(l *load) {
	s.t.Helper()
	client := &http.Client{Timeout: faultClientTimeout}
	if len(l.answers) != int(l.sent.Load()) {
		s.t.Fatalf("%d messages sent, %d answered to their client", l.sent.Load(), len(l.answers))
	}
	for id, a := range l.answers {
		if a == "" || (strings.Contains(a, "没有找到文件") && !strings.Contains(a, id)) {
			s.t.Fatalf("%s got %q", id, a)
		}
		if a == bot.ReplyGaveUp || a == bot.ReplyFailed {
			s.t.Errorf("%s got the reply of a message given up on, not its answer: %q", id, a)
		}
		chat := id[:strings.LastIndex(id, "-m")]
		if code, again := s.post(client, id, chat, "retried"); code != 200 || again != a {
			s.t.Fatalf("a late retry of %s: %d %q, first %q", id, code, again, a)
		}
	}
}

// The fault test of issue 12: kill -9 of the embedded database, and
// separately of serve, while 50 chats send; after the restart every
// recorded message is answered exactly once and every client that retries
// its id gets the answer.
func TestFaultKill9DatabaseAndServe(t *testing.T) {
	began := time.Now()
	s := newFaultServe(t)
	t.Logf("built in %v", time.Since(began).Round(time.Second))
	s.start()
	t.Logf("serve healthy at %v", time.Since(began).Round(time.Second))

	var dbKilled atomic.Bool
	dbRun := s.run("db", func() {
		if pid := s.dbPid(); pid > 0 && syscall.Kill(pid, syscall.SIGKILL) == nil {
			dbKilled.Store(true)
		}
	})
	if !dbKilled.Load() {
		t.Fatal("the database was not killed")
	}
	s.check(dbRun)
	t.Logf("database kill done at %v", time.Since(began).Round(time.Second))

	oldDB := s.dbPid()
	if oldDB == 0 {
		t.Fatal("no embedded database under serve")
	}
	restarted := make(chan struct{})
	serveRun := s.run("serve", func() {
		defer close(restarted)
		s.cmd.Process.Kill()
		s.cmd.Wait()
		for syscall.Kill(oldDB, 0) == nil { // its database follows it down
			time.Sleep(50 * time.Millisecond)
		}
		s.restartErr = s.startErr()
	})
	<-restarted
	if s.restartErr != nil {
		t.Fatal(s.restartErr)
	}
	s.check(serveRun)
	t.Logf("serve kill done at %v", time.Since(began).Round(time.Second))

	s.cmd.Process.Signal(syscall.SIGTERM)
	s.cmd.Wait()
	ctx := context.Background()
	data := ""
	for _, kv := range s.env {
		if v, ok := strings.CutPrefix(kv, "INCUBOT_DATA_DIR="); ok {
			data = v
		}
	}
	devdbDir, _ := filepath.Abs("../../deploy/devdb")
	srv, err := devdb.Start(ctx, devdb.Options{PackageDir: devdbDir, DataDir: filepath.Join(data, "pgdata"), LogPath: filepath.Join(data, "check.log")})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	db, err := postgres.Open(ctx, srv.URL, postgres.Options{Embedded: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counts, err := db.ReplyCounts(ctx, "http")
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range []struct {
		name string
		l    *load
	}{{"db", dbRun}, {"serve", serveRun}} {
		recorded, answered, dups, missing := 0, 0, 0, 0
		for id := range run.l.answers {
			c, ok := counts[id]
			if !ok {
				continue
			}
			recorded++
			switch {
			case c.Status == "handled" && c.Replies == 1:
				answered++
			case c.Replies > 1:
				dups++
			default:
				missing++
			}
			if c.Status != "handled" || c.Replies != 1 {
				t.Logf("%s: status %s, %d replies stored, its client got %q", id, c.Status, c.Replies, run.l.answers[id])
			}
		}
		t.Logf("kill -9 of %s: sent %d (%d requests: %d answered 503, %d unanswered while serve was down), recorded %d, answered once %d, duplicates %d, unanswered %d, clients answered %d",
			run.name, run.l.sent.Load(), run.l.attempts.Load(), run.l.refused.Load(), run.l.unreachable.Load(), recorded, answered, dups, missing, len(run.l.answers))
		if recorded != int(run.l.sent.Load()) || answered != recorded || dups != 0 {
			t.Errorf("kill -9 of %s: every recorded message answered exactly once", run.name)
			t.Logf("serve's log:\n%s", s.log.String())
		}
	}
}
