package devdb

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Supervisor states, as /healthz shows them.
const (
	StateRunning    = "running"
	StateRestarting = "restarting"
	StateDown       = "down"
)

// Supervisor keeps the embedded server running under a long-lived process:
// when the server dies it is started again on the same port and data, with
// backoff; when it cannot be brought back (Attempts starts in a row fail,
// or it keeps dying within a minute of each start) the supervisor gives up
// and Failed delivers the reason, so the process can exit non-zero and a
// service manager restart it.
type Supervisor struct {
	// Attempts is how many starts in a row may fail; default 5.
	Attempts int
	// Backoff is the first wait before a restart, doubled each time up to
	// 30 s; default 1 s.
	Backoff time.Duration
	Log     *slog.Logger

	mu       sync.Mutex
	opts     Options // how the server is started again
	srv      *Server
	state    string
	restarts int
	failed   chan error
	stop     chan struct{}
	stopped  chan struct{}
}

// Supervise watches srv (which must have been started by Start) until ctx
// ends or Stop is called.
func Supervise(ctx context.Context, srv *Server, s *Supervisor) *Supervisor {
	if s.Attempts <= 0 {
		s.Attempts = 5
	}
	if s.Backoff <= 0 {
		s.Backoff = time.Second
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	s.opts = srv.opts
	s.opts.Port = srv.Port // a restart keeps the URL the pool dials
	s.srv, s.state = srv, StateRunning
	s.failed, s.stop, s.stopped = make(chan error, 1), make(chan struct{}), make(chan struct{})
	go s.watch(ctx)
	return s
}

// State is running, restarting or down.
func (s *Supervisor) State() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Restarts counts the restarts so far.
func (s *Supervisor) Restarts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.restarts
}

// Failed delivers the reason once the supervisor has given up.
func (s *Supervisor) Failed() <-chan error { return s.failed }

// Stop ends supervision and stops the server cleanly.
func (s *Supervisor) Stop() error {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	<-s.stopped
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	return srv.Stop()
}

func (s *Supervisor) set(state string, srv *Server) {
	s.mu.Lock()
	s.state = state
	if srv != nil {
		s.srv = srv
	}
	s.mu.Unlock()
}

func (s *Supervisor) watch(ctx context.Context) {
	defer close(s.stopped)
	var deaths []time.Time
	for {
		s.mu.Lock()
		srv := s.srv
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-s.stop:
			return
		case <-srv.done:
		}
		s.mu.Lock()
		opts := s.opts
		s.mu.Unlock()
		s.Log.Error("embedded database stopped unexpectedly; restarting", "log", opts.LogPath)
		srv.release()
		s.set(StateRestarting, nil)
		now := time.Now()
		deaths = append(deaths, now)
		for len(deaths) > 0 && now.Sub(deaths[0]) > time.Minute {
			deaths = deaths[1:]
		}
		err := fmt.Errorf("embedded database: died %d times within a minute", len(deaths))
		if len(deaths) <= s.Attempts {
			err = s.restart(ctx, opts)
		}
		if err != nil {
			s.set(StateDown, nil)
			s.failed <- err
			return
		}
	}
}

// restart starts the server again, up to Attempts times with backoff.
func (s *Supervisor) restart(ctx context.Context, o Options) error {
	wait := s.Backoff
	var last error
	for attempt := 1; attempt <= s.Attempts; attempt++ {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.stop:
			return fmt.Errorf("embedded database: supervision stopped while restarting")
		case <-time.After(wait):
		}
		wait = min(wait*2, 30*time.Second)
		srv, err := Start(ctx, o)
		if err == nil {
			s.mu.Lock()
			s.restarts++
			s.mu.Unlock()
			s.set(StateRunning, srv)
			s.Log.Info("embedded database restarted", "port", srv.Port)
			return nil
		}
		last = err
		s.Log.Error("embedded database restart failed", "attempt", attempt, "err", err)
	}
	return fmt.Errorf("embedded database: gave up after %d failed restarts: %w", s.Attempts, last)
}
