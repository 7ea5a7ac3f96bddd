// Package wecomfake is a local server that speaks the WeCom smart bot's
// long-connection protocol as document 101463 and WeCom's SDKs describe
// it, for tests: it acknowledges a subscription with the right bot id and
// secret, pings, replies and pushes with errcode 0, and lets a test push
// callbacks, events and bad frames, drop the connection, or stop answering
// pings. It also serves encrypted media. It shares no types with the
// adapter: it reads and writes the JSON by hand.
package wecomfake

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Credentials the fake accepts.
const (
	BotID  = "aib-test"
	Secret = "s3cret-s3cret"
)

// Frame is a frame the bot sent.
type Frame struct {
	Cmd     string `json:"cmd"`
	Headers struct {
		ReqID string `json:"req_id"`
	} `json:"headers"`
	Body json.RawMessage `json:"body"`
	At   time.Time       `json:"-"`
}

// Stream is the stream part of a reply frame.
type Stream struct {
	ID       string `json:"id"`
	Finish   bool   `json:"finish"`
	Content  string `json:"content"`
	Feedback *struct {
		ID string `json:"id"`
	} `json:"feedback"`
}

// Server is the fake.
type Server struct {
	t   testing.TB
	srv *httptest.Server

	mu         sync.Mutex
	conn       *websocket.Conn
	subscribes int
	refused    int
	silent     bool
	got        []Frame
	media      map[string][]byte
	strangers  map[string]bool
}

// New starts a fake, closed when the test ends.
func New(t testing.TB) *Server {
	f := &Server{t: t, media: map[string][]byte{}, strangers: map[string]bool{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// URL is the ws:// address to connect to.
func (f *Server) URL() string { return "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/" }

func (f *Server) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/media/") {
		f.mu.Lock()
		data, ok := f.media[r.URL.Path]
		f.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Disposition", `attachment; filename="../政策申报表.docx"`)
		w.Write(data)
		return
	}
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	c.SetReadLimit(1 << 22)
	ctx := r.Context()
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			return
		}
		var in Frame
		if err := json.Unmarshal(data, &in); err != nil {
			f.t.Errorf("the bot sent a frame that is not JSON: %q", data)
			return
		}
		in.At = time.Now()
		f.mu.Lock()
		f.got = append(f.got, in)
		silent := f.silent
		f.mu.Unlock()
		ack := func(code int, msg string) {
			b, _ := json.Marshal(map[string]any{"headers": map[string]string{"req_id": in.Headers.ReqID}, "errcode": code, "errmsg": msg})
			c.Write(ctx, websocket.MessageText, b)
		}
		switch in.Cmd {
		case "aibot_subscribe":
			var body map[string]string
			json.Unmarshal(in.Body, &body)
			if body["bot_id"] != BotID || body["secret"] != Secret {
				f.mu.Lock()
				f.refused++
				f.mu.Unlock()
				ack(40058, "invalid bot_id or secret")
				c.Close(websocket.StatusPolicyViolation, "auth")
				return
			}
			f.mu.Lock()
			f.subscribes++
			f.conn = c
			f.mu.Unlock()
			ack(0, "ok")
		case "ping":
			if !silent {
				ack(0, "ok")
			}
		case "aibot_send_msg":
			var p struct {
				ChatID string `json:"chatid"`
			}
			json.Unmarshal(in.Body, &p)
			f.mu.Lock()
			stranger := f.strangers[p.ChatID]
			f.mu.Unlock()
			if stranger {
				ack(40008, "chat has not talked to the bot")
			} else {
				ack(0, "ok")
			}
		default:
			ack(0, "ok")
		}
	}
}

// Send writes a raw frame to the bot on the current connection.
func (f *Server) Send(data []byte, typ websocket.MessageType) {
	f.t.Helper()
	f.mu.Lock()
	c := f.conn
	f.mu.Unlock()
	if c == nil {
		f.t.Fatal("wecomfake: no connection")
	}
	if err := c.Write(context.Background(), typ, data); err != nil {
		f.t.Fatalf("wecomfake: write: %v", err)
	}
}

// Callback pushes a message or event callback and returns its req_id.
func (f *Server) Callback(cmd string, body any) string {
	f.t.Helper()
	var b [8]byte
	rand.Read(b[:])
	req := "cb_" + hex.EncodeToString(b[:])
	data, _ := json.Marshal(map[string]any{"cmd": cmd, "headers": map[string]string{"req_id": req}, "body": body})
	f.Send(data, websocket.MessageText)
	return req
}

// Text pushes a text message from a user; chatID empty for a single chat.
func (f *Server) Text(msgID, user, chatID, content string) string {
	body := map[string]any{"msgid": msgID, "aibotid": BotID, "chattype": "single", "from": map[string]string{"userid": user},
		"msgtype": "text", "text": map[string]string{"content": content}, "create_time": time.Now().Unix()}
	if chatID != "" {
		body["chattype"], body["chatid"] = "group", chatID
	}
	return f.Callback("aibot_msg_callback", body)
}

// Event pushes an event callback of a type, with extra fields of the event.
func (f *Server) Event(user, eventType string, extra map[string]any) string {
	ev := map[string]any{"eventtype": eventType}
	for k, v := range extra {
		ev[k] = v
	}
	return f.Callback("aibot_event_callback", map[string]any{"msgid": "e-" + eventType, "aibotid": BotID, "msgtype": "event", "from": map[string]string{"userid": user}, "event": ev})
}

// Drop closes the current connection from the server's side.
func (f *Server) Drop() {
	f.mu.Lock()
	c := f.conn
	f.conn = nil
	f.mu.Unlock()
	if c != nil {
		c.CloseNow()
	}
}

// Counts returns the subscriptions accepted and refused.
func (f *Server) Counts() (subscribes, refused int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.subscribes, f.refused
}

// Connected says a subscribed connection stands.
func (f *Server) Connected() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.conn != nil
}

// SetSilent stops (or resumes) answering pings.
func (f *Server) SetSilent(v bool) {
	f.mu.Lock()
	f.silent = v
	f.mu.Unlock()
}

// RefusePushesTo makes pushes to a chat fail as WeCom does for a chat
// that never talked to the bot.
func (f *Server) RefusePushesTo(chatID string) {
	f.mu.Lock()
	f.strangers[chatID] = true
	f.mu.Unlock()
}

// Frames returns the frames of a command the bot sent.
func (f *Server) Frames(cmd string) []Frame {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Frame
	for _, g := range f.got {
		if g.Cmd == cmd {
			out = append(out, g)
		}
	}
	return out
}

// Streams returns the stream frames the bot sent for a callback, in order.
func (f *Server) Streams(reqID string) []Stream {
	var out []Stream
	for _, g := range f.Frames("aibot_respond_msg") {
		if g.Headers.ReqID == reqID {
			var s struct {
				Stream Stream `json:"stream"`
			}
			json.Unmarshal(g.Body, &s)
			out = append(out, s.Stream)
		}
	}
	return out
}

// Finished returns when the finished stream of a callback came.
func (f *Server) Finished(reqID string) (time.Time, bool) {
	for _, g := range f.Frames("aibot_respond_msg") {
		if g.Headers.ReqID == reqID && strings.Contains(string(g.Body), `"finish":true`) {
			return g.At, true
		}
	}
	return time.Time{}, false
}

// Answer waits for the finished stream of a callback and returns its text.
func (f *Server) Answer(reqID string) string {
	f.t.Helper()
	var text string
	WaitFor(f.t, "the answer to "+reqID, func() bool {
		for _, s := range f.Streams(reqID) {
			if s.Finish {
				text = s.Content
				return true
			}
		}
		return false
	})
	return text
}

// AddMedia stores plain bytes encrypted with a fresh key, as WeCom does,
// and returns the url and the key.
func (f *Server) AddMedia(name string, plain []byte) (string, string) {
	key := make([]byte, 32)
	rand.Read(key)
	f.mu.Lock()
	f.media["/media/"+name] = Encrypt(plain, key)
	f.mu.Unlock()
	return f.srv.URL + "/media/" + name, base64.StdEncoding.EncodeToString(key)
}

// Encrypt is WeCom's media encryption: AES-256-CBC, IV the key's first 16
// bytes, PKCS#7 padding to a multiple of 32.
func Encrypt(plain, key []byte) []byte {
	pad := 32 - len(plain)%32
	data := append(bytes.Clone(plain), bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, _ := aes.NewCipher(key)
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(data, data)
	return data
}

// WaitFor polls cond until it holds; the deadline only guards against a
// hang and is far beyond any expected wait.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
