// Package devdb runs the embedded development PostgreSQL: PGlite with the
// pgvector extension behind @electric-sql/pglite-socket, started with Node.js.
package devdb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Options says where the server's packages, data, log and lock live.
type Options struct {
	PackageDir string // folder with node_modules (deploy/devdb)
	DataDir    string // database folder, or "memory://" for a throwaway one
	Port       int    // 0 picks a free port
	LogPath    string // the server's stdout and stderr
	LockPath   string // empty: no lock (in-memory test databases)
}

// Server is a running embedded database. It serves one connection at a
// time: open one pool with postgres.Options{Embedded: true} (one connection)
// and keep it for the process's life (a reconnect can be refused for
// seconds while the server notices the close).
type Server struct {
	URL  string
	Port int

	cmd  *exec.Cmd
	lock *os.File
	done chan struct{}
	opts Options
}

// Error is a failure to start, with what the person should do.
type Error struct {
	What, Hint string
	Err        error
}

func (e *Error) Error() string {
	s := "embedded database: " + e.What
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Hint != "" {
		s += "\n  → " + e.Hint
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

var listening = regexp.MustCompile(`listening on (\{.*\})`)

// Start launches the server, waits until it listens and returns its URL. The
// caller must Stop it.
func Start(ctx context.Context, o Options) (*Server, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, &Error{What: "Node.js is not installed", Hint: "install Node.js ≥ 20 (apt-get install nodejs, or nodejs.org), or set DATABASE_URL to a PostgreSQL with pgvector"}
	}
	if abs, err := filepath.Abs(o.PackageDir); err == nil {
		o.PackageDir = abs // node runs in that folder: the script path must not be relative to it
	}
	script := filepath.Join(o.PackageDir, "node_modules", "@electric-sql", "pglite-socket", "dist", "scripts", "server.js")
	if _, err := os.Stat(script); err != nil {
		return nil, &Error{What: "the pinned PGlite packages are not installed in " + o.PackageDir, Hint: "run: npm ci --prefix " + o.PackageDir}
	}
	s := &Server{opts: o, done: make(chan struct{})}
	if o.LockPath != "" {
		if err := os.MkdirAll(filepath.Dir(o.LockPath), 0o700); err != nil {
			return nil, &Error{What: "cannot create " + filepath.Dir(o.LockPath), Err: err}
		}
		lock, err := acquire(o.LockPath)
		if err != nil {
			return nil, err
		}
		s.lock = lock
	}
	dbArg := o.DataDir
	if dbArg != "memory://" {
		if err := os.MkdirAll(filepath.Dir(dbArg), 0o700); err != nil {
			s.release()
			return nil, &Error{What: "cannot create " + filepath.Dir(dbArg), Err: err}
		}
		abs, err := filepath.Abs(dbArg)
		if err == nil {
			dbArg = abs
		}
	}
	logf, err := os.OpenFile(o.LogPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		s.release()
		return nil, &Error{What: "cannot write its log " + o.LogPath, Err: err}
	}
	cmd := exec.Command(node, script, "--db="+dbArg, "--host=127.0.0.1", "--port="+strconv.Itoa(o.Port),
		"--max-connections=1", "-e", "@electric-sql/pglite-pgvector:vector")
	cmd.Dir = o.PackageDir
	cmd.SysProcAttr = sysProcAttr()
	portc := make(chan int, 1)
	cmd.Stdout = io.MultiWriter(logf, &portWatcher{found: portc})
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		s.release()
		return nil, &Error{What: "cannot start node", Err: err}
	}
	s.cmd = cmd
	go func() { cmd.Wait(); logf.Close(); close(s.done) }()

	timeout := time.NewTimer(60 * time.Second)
	defer timeout.Stop()
	select {
	case p := <-portc:
		s.Port = p
	case <-s.done:
		s.release()
		return nil, s.explainExit()
	case <-timeout.C:
		s.Stop()
		return nil, &Error{What: "did not start within 60 s", Hint: "see its log: " + o.LogPath}
	case <-ctx.Done():
		s.Stop()
		return nil, ctx.Err()
	}
	s.URL = fmt.Sprintf("postgres://postgres:postgres@127.0.0.1:%d/postgres?sslmode=disable&default_query_exec_mode=exec", s.Port)
	return s, nil
}

// portWatcher reads the server's output for its "listening on" line.
type portWatcher struct {
	buf   []byte
	found chan int
}

func (w *portWatcher) Write(p []byte) (int, error) {
	if w.found == nil {
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		line := w.buf[:i]
		w.buf = w.buf[i+1:]
		if m := listening.FindSubmatch(line); m != nil {
			var addr struct{ Port int }
			if json.Unmarshal(m[1], &addr) == nil {
				w.found <- addr.Port
				w.found, w.buf = nil, nil
				break
			}
		}
	}
	return len(p), nil
}

// explainExit turns an early exit into a message naming the likely cause.
func (s *Server) explainExit() error {
	log, _ := os.ReadFile(s.opts.LogPath)
	text := string(log)
	switch {
	case strings.Contains(text, "EADDRINUSE"):
		return &Error{What: fmt.Sprintf("port %d is already in use", s.opts.Port), Hint: "set INCUBOT_DEVDB_PORT to a free port, or to 0 to pick one"}
	case strings.Contains(text, "Cannot find") || strings.Contains(text, "ERR_MODULE_NOT_FOUND"):
		return &Error{What: "its npm packages are incomplete", Hint: "run: npm ci --prefix " + s.opts.PackageDir}
	case s.opts.DataDir != "memory://":
		return &Error{What: "it stopped while opening " + s.opts.DataDir + " (the data may be damaged or from another PGlite version)",
			Hint: fmt.Sprintf("see its log %s; to keep the old data and start afresh: mv %s %s.broken", s.opts.LogPath, s.opts.DataDir, s.opts.DataDir)}
	}
	return &Error{What: "it stopped during start", Hint: "see its log: " + s.opts.LogPath}
}

// Stop asks the server to shut down cleanly, so PGlite writes its data, and
// kills it if it has not exited within 15 seconds.
func (s *Server) Stop() error {
	if s == nil || s.cmd == nil {
		return nil
	}
	defer s.release()
	select {
	case <-s.done:
		return nil
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return nil
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		return errors.New("embedded database: killed after 15 s without a clean shutdown")
	}
}

func (s *Server) release() {
	if s.lock != nil {
		unlock(s.lock)
		s.lock = nil
	}
}

// acquire takes an exclusive lock on path and writes this process's id into
// it; when another process holds it, the error names that process.
func acquire(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, &Error{What: "cannot open its lock " + path, Err: err}
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b, _ := os.ReadFile(path)
		f.Close()
		other := strings.TrimSpace(string(b))
		if other == "" {
			other = "unknown"
		}
		return nil, &Error{What: fmt.Sprintf("another incubot (pid %s) is already using the data directory %s", other, filepath.Dir(path)),
			Hint: "stop that process first, or give this one its own INCUBOT_DATA_DIR. 服务运行时请在网页后台办理同样的事（serve 的 HTTP 地址下的 /console/；登录链接：私聊机器人发“后台”）"}
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return f, nil
}

func unlock(f *os.File) {
	f.Truncate(0)
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	f.Close()
}

// Pid is the server process's id (tests kill it to check recovery).
func (s *Server) Pid() int { return s.cmd.Process.Pid }
