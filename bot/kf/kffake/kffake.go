// Package kffake is a local server that speaks WeCom's gettoken,
// kf/sync_msg and kf/send_msg as documented, for tests: sync_msg returns
// pages of PageSize messages with a cursor that is the index of the next
// one; send_msg records what was sent.
package kffake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Credentials and the account the fake knows.
const (
	CorpID   = "ww-test-corp"
	Secret   = "kf-secret"
	OpenKfID = "wkBUREAU"
)

// Server is the fake.
type Server struct {
	srv      *httptest.Server
	mu       sync.Mutex
	msgs     []map[string]any
	PageSize int
	tokens   int      // gettoken calls
	expire   bool     // answer the next call with 42001
	cursors  []string // cursors sync_msg was asked for
	sent     []string // "touser: content"
}

// New starts a fake, closed when the test ends.
func New(t testing.TB) *Server {
	f := &Server{PageSize: 2}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// URL is the API's base URL.
func (f *Server) URL() string { return f.srv.URL }

func (f *Server) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	js := func(v any) { json.NewEncoder(w).Encode(v) }
	if r.URL.Path == "/cgi-bin/gettoken" {
		if r.URL.Query().Get("corpid") != CorpID || r.URL.Query().Get("corpsecret") != Secret {
			js(map[string]any{"errcode": 40001, "errmsg": "invalid credential"})
			return
		}
		f.tokens++
		js(map[string]any{"errcode": 0, "access_token": fmt.Sprintf("tok%d", f.tokens), "expires_in": 7200})
		return
	}
	if r.URL.Query().Get("access_token") != fmt.Sprintf("tok%d", f.tokens) || f.expire {
		f.expire = false
		js(map[string]any{"errcode": 42001, "errmsg": "access_token expired"})
		return
	}
	var in map[string]any
	json.NewDecoder(r.Body).Decode(&in)
	switch r.URL.Path {
	case "/cgi-bin/kf/sync_msg":
		cur, _ := in["cursor"].(string)
		f.cursors = append(f.cursors, cur)
		i, _ := strconv.Atoi(cur)
		i = min(max(i, 0), len(f.msgs))
		end := min(i+f.PageSize, len(f.msgs))
		more := 0
		if end < len(f.msgs) {
			more = 1
		}
		js(map[string]any{"errcode": 0, "errmsg": "ok", "next_cursor": strconv.Itoa(end), "has_more": more, "msg_list": f.msgs[i:end]})
	case "/cgi-bin/kf/send_msg":
		text, _ := in["text"].(map[string]any)
		f.sent = append(f.sent, fmt.Sprintf("%s: %s", in["touser"], text["content"]))
		js(map[string]any{"errcode": 0, "errmsg": "ok", "msgid": fmt.Sprint(len(f.sent))})
	default:
		http.NotFound(w, r)
	}
}

// Add queues a message for sync_msg; origin 3 is a customer, 4 an event,
// 5 a servicer.
func (f *Server) Add(id, user, text string, origin int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, map[string]any{"msgid": id, "open_kfid": OpenKfID, "external_userid": user, "send_time": time.Now().Unix(),
		"origin": origin, "msgtype": "text", "text": map[string]string{"content": text}})
}

// Sent returns what send_msg was given, "touser: content".
func (f *Server) Sent() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.sent...)
}

// Cursors returns the cursors sync_msg was asked for.
func (f *Server) Cursors() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.cursors...)
}

// Tokens is how many access tokens were issued.
func (f *Server) Tokens() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokens
}

// ExpireToken makes the next call fail with 42001 (token expired).
func (f *Server) ExpireToken() {
	f.mu.Lock()
	f.expire = true
	f.mu.Unlock()
}
