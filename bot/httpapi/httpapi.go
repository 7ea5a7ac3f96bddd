// Package httpapi is the HTTP channel: POST /v1/messages takes a message as
// JSON and returns the replies; GET /healthz and GET /metrics serve
// operations.
package httpapi

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/incubot/incubot/bot"
)

// Channel is the HTTP channel's name in the database. Every message this
// API takes is on it: ids live in its own namespace and identities are
// bound on it, whatever the body says.
const Channel = "http"

// Server serves the API.
type Server struct {
	Router *bot.Router
	Token  string
	Health func(ctx context.Context) error
	// Embedded, when set, says how the embedded database's supervisor
	// stands: running, restarting or down.
	Embedded func() string
	Metrics  *bot.Metrics
	Log      *slog.Logger
	// MaxSkew is how far a message's time may be from the server's clock
	// (the router's MaxAge); zero: any time.
	MaxSkew time.Duration
	Now     func() time.Time
}

// message is a message as the API takes it: no channel, no self flag.
type message struct {
	Channel    *string        `json:"channel"`
	ID         string         `json:"id"`
	ChatID     string         `json:"chat_id"`
	ChatKind   string         `json:"chat_kind"`
	ChatTitle  string         `json:"chat_title"`
	SenderID   string         `json:"sender_id"`
	SenderName string         `json:"sender_name"`
	Text       string         `json:"text"`
	Mentioned  bool           `json:"mentioned"`
	Attachment bot.Attachment `json:"attachment"`
	Time       time.Time      `json:"time"`
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
	var in message
	if err := json.Unmarshal(body, &in); err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{"the body is not a message in JSON: " + err.Error()})
		return
	}
	if in.ChatKind == "" {
		in.ChatKind = bot.Private
	}
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	switch {
	case in.Channel != nil:
		writeJSON(w, http.StatusBadRequest, errorBody{`"channel" is decided by the server (this API is the "http" channel): remove the field`})
		return
	case in.ID == "":
		writeJSON(w, http.StatusBadRequest, errorBody{"id is required (the message id, used to drop duplicates)"})
		return
	case in.ChatID == "" || in.SenderID == "":
		writeJSON(w, http.StatusBadRequest, errorBody{"chat_id and sender_id are required"})
		return
	case in.ChatKind != bot.Private && in.ChatKind != bot.Group:
		writeJSON(w, http.StatusBadRequest, errorBody{`chat_kind must be "private" or "group"`})
		return
	case hasControl(in.ID, in.ChatID, in.ChatTitle, in.SenderID, in.SenderName, in.Attachment.Kind, in.Attachment.Name) || strings.ContainsRune(in.Text, 0):
		writeJSON(w, http.StatusBadRequest, errorBody{"id, chat, sender and attachment fields may not contain control characters, nor text a NUL character"})
		return
	case len(in.ID) > 200 || len(in.ChatID) > 200 || len(in.SenderID) > 200 || len(in.SenderName) > 200 || len(in.ChatTitle) > 200:
		writeJSON(w, http.StatusBadRequest, errorBody{"id, chat_id, chat_title, sender_id and sender_name are at most 200 bytes each"})
		return
	case !in.Time.IsZero() && s.MaxSkew > 0 && (in.Time.Before(now.Add(-s.MaxSkew)) || in.Time.After(now.Add(s.MaxSkew))):
		writeJSON(w, http.StatusBadRequest, errorBody{fmt.Sprintf("time %s is more than %s from the server's clock (%s): send the current time, or leave time out",
			in.Time.Format(time.RFC3339), s.MaxSkew, now.UTC().Format(time.RFC3339))})
		return
	}
	if in.Time.IsZero() {
		in.Time = now
	}
	m := bot.Message{Channel: Channel, ID: in.ID, ChatID: in.ChatID, ChatKind: in.ChatKind, ChatTitle: in.ChatTitle,
		SenderID: in.SenderID, SenderName: in.SenderName, Text: in.Text, Mentioned: in.Mentioned, Attachment: in.Attachment, Time: in.Time}
	replies, err := s.Router.Handle(r.Context(), m)
	if errors.Is(err, bot.ErrRetryLater) {
		w.Header().Set("Retry-After", "5")
		writeJSON(w, http.StatusServiceUnavailable, errorBody{"the message is recorded but not answered yet; send it again with the same id to get the answer"})
		return
	}
	if err != nil {
		s.Log.Error("http message", "msg_id", m.ID, "err", err)
		w.Header().Set("Retry-After", "5")
		writeJSON(w, http.StatusServiceUnavailable, errorBody{"the message could not be recorded; send it again with the same id later"})
		return
	}
	if replies == nil {
		replies = []bot.Reply{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"replies": replies})
}

// hasControl says whether any of the fields holds a control character
// (NUL included), which no name or id has.
func hasControl(fields ...string) bool {
	for _, f := range fields {
		if strings.ContainsFunc(f, unicode.IsControl) {
			return true
		}
	}
	return false
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	body := map[string]string{"status": "ok", "database": "ok"}
	status := http.StatusOK
	if err := s.Health(ctx); err != nil {
		body["status"], body["database"], status = "unhealthy", "unreachable", http.StatusServiceUnavailable
	}
	if s.Embedded != nil {
		body["embedded_database"] = s.Embedded()
	}
	writeJSON(w, status, body)
}
