// Package httpapi is the HTTP channel: POST /v1/messages takes a message as
// JSON and returns the replies; GET /healthz and GET /metrics serve
// operations.
package httpapi

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/incubot/incubot/bot"
)

// Channel is the HTTP channel's default name in the database.
const Channel = "http"

// Server serves the API.
type Server struct {
	Router  *bot.Router
	Token   string
	Health  func(ctx context.Context) error
	Metrics *bot.Metrics
	Log     *slog.Logger
}

// Handler returns the routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/messages", s.messages)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		s.Metrics.Write(w)
	})
	return mux
}

type errorBody struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) authorized(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(s.Token)) == 1
}

// messages handles one message and returns its replies.
func (s *Server) messages(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeJSON(w, http.StatusUnauthorized, errorBody{"missing or wrong bearer token"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20+1))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{"cannot read the request body"})
		return
	}
	if len(body) > 1<<20 {
		writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{"the request body is larger than 1 MiB"})
		return
	}
	var m bot.Message
	if err := json.Unmarshal(body, &m); err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{"the body is not a message in JSON: " + err.Error()})
		return
	}
	if m.Channel == "" {
		m.Channel = Channel
	}
	if m.ChatKind == "" {
		m.ChatKind = bot.Private
	}
	switch {
	case m.ID == "":
		writeJSON(w, http.StatusBadRequest, errorBody{"id is required (the message id, used to drop duplicates)"})
		return
	case m.ChatID == "" || m.SenderID == "":
		writeJSON(w, http.StatusBadRequest, errorBody{"chat_id and sender_id are required"})
		return
	case m.ChatKind != bot.Private && m.ChatKind != bot.Group:
		writeJSON(w, http.StatusBadRequest, errorBody{`chat_kind must be "private" or "group"`})
		return
	}
	if m.Time.IsZero() {
		m.Time = time.Now()
	}
	replies, err := s.Router.Handle(r.Context(), m, true)
	if err != nil {
		s.Log.Error("http message", "msg_id", m.ID, "err", err)
		writeJSON(w, http.StatusServiceUnavailable, errorBody{"the message could not be recorded; retry later"})
		return
	}
	if replies == nil {
		replies = []bot.Reply{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"replies": replies})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := s.Health(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unhealthy", "database": "unreachable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
