package wecom

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// fakeWeCom speaks the smart bot's long-connection protocol as document
// 101463 and WeCom's SDKs describe it: it acknowledges a subscription with
// the right bot id and secret, pings, replies and pushes with errcode 0,
// and lets a test push callbacks, events and bad frames, drop the
// connection, or stop answering pings. It also serves encrypted media.
type fakeWeCom struct {
	t   testing.TB
	srv *httptest.Server

	mu         sync.Mutex
	conn       *websocket.Conn
	subscribes int  // subscriptions accepted
	refused    int  // subscriptions refused
	silent     bool // leave pings unanswered
	got        []frame
	media      map[string][]byte    // path → encrypted bytes
	strangers  map[string]bool      // chat ids a push is refused for
	finished   map[string]time.Time // req_id → when its finished stream came
}

const (
	fakeBotID  = "aib-test"
	fakeSecret = "s3cret-s3cret"
)

func newFakeWeCom(t testing.TB) *fakeWeCom {
	f := &fakeWeCom{t: t, media: map[string][]byte{}, strangers: map[string]bool{}, finished: map[string]time.Time{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeWeCom) url() string { return "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/" }

func (f *fakeWeCom) serve(w http.ResponseWriter, r *http.Request) {
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
		var in frame
		if err := json.Unmarshal(data, &in); err != nil {
			f.t.Errorf("the bot sent a frame that is not JSON: %q", data)
			return
		}
		f.mu.Lock()
		f.got = append(f.got, in)
		silent := f.silent
		if in.Cmd == cmdRespond && strings.Contains(string(in.Body), `"finish":true`) {
			f.finished[in.Headers.ReqID] = time.Now()
		}
		f.mu.Unlock()
		ack := func(code int, msg string) {
			b, _ := json.Marshal(frame{Headers: in.Headers, ErrCode: &code, ErrMsg: msg})
			c.Write(ctx, websocket.MessageText, b)
		}
		switch in.Cmd {
		case cmdSubscribe:
			var body struct{ BotID, Secret string }
			var raw map[string]string
			json.Unmarshal(in.Body, &raw)
			body.BotID, body.Secret = raw["bot_id"], raw["secret"]
			if body.BotID != fakeBotID || body.Secret != fakeSecret {
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
		case cmdPing:
			if !silent {
				ack(0, "ok")
			}
		case cmdSend:
			var p push
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

// send writes a raw frame to the bot on the current connection.
func (f *fakeWeCom) send(data []byte, typ websocket.MessageType) {
	f.t.Helper()
	f.mu.Lock()
	c := f.conn
	f.mu.Unlock()
	if c == nil {
		f.t.Fatal("fake: no connection")
	}
	if err := c.Write(context.Background(), typ, data); err != nil {
		f.t.Fatalf("fake: write: %v", err)
	}
}

// callback pushes a message or event callback and returns its req_id.
func (f *fakeWeCom) callback(cmd string, body any) string {
	f.t.Helper()
	req := newReqID("cb")
	b, _ := json.Marshal(body)
	data, _ := json.Marshal(frame{Cmd: cmd, Headers: headers{req}, Body: b})
	f.send(data, websocket.MessageText)
	return req
}

// text pushes a text message from a user; chatID empty for a single chat.
func (f *fakeWeCom) text(msgID, user, chatID, content string) string {
	body := map[string]any{"msgid": msgID, "aibotid": fakeBotID, "chattype": "single", "from": map[string]string{"userid": user},
		"msgtype": "text", "text": map[string]string{"content": content}, "create_time": time.Now().Unix()}
	if chatID != "" {
		body["chattype"], body["chatid"] = "group", chatID
	}
	return f.callback(cmdMessage, body)
}

// drop closes the current connection from the server's side.
func (f *fakeWeCom) drop() {
	f.mu.Lock()
	c := f.conn
	f.conn = nil
	f.mu.Unlock()
	if c != nil {
		c.CloseNow()
	}
}

func (f *fakeWeCom) count() (subscribes, refused int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.subscribes, f.refused
}

func (f *fakeWeCom) connected() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.conn != nil
}

// streams returns the stream frames the bot sent for a callback.
func (f *fakeWeCom) streams(reqID string) []stream {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []stream
	for _, g := range f.got {
		if g.Cmd == cmdRespond && g.Headers.ReqID == reqID {
			var s stream
			json.Unmarshal(g.Body, &s)
			out = append(out, s)
		}
	}
	return out
}

// answer waits for the finished stream of a callback and returns its text.
func (f *fakeWeCom) answer(reqID string) string {
	f.t.Helper()
	var text string
	waitFor(f.t, "the answer to "+reqID, func() bool {
		for _, s := range f.streams(reqID) {
			if s.Stream.Finish {
				text = s.Stream.Content
				return true
			}
		}
		return false
	})
	return text
}

func (f *fakeWeCom) frames(cmd string) []frame {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []frame
	for _, g := range f.got {
		if g.Cmd == cmd {
			out = append(out, g)
		}
	}
	return out
}

// addMedia stores plain bytes encrypted with a fresh key, as WeCom does,
// and returns the url and the key.
func (f *fakeWeCom) addMedia(name string, plain []byte) (string, string) {
	key := make([]byte, 32)
	rand.Read(key)
	f.mu.Lock()
	f.media["/media/"+name] = encrypt(plain, key)
	f.mu.Unlock()
	return f.srv.URL + "/media/" + name, base64.StdEncoding.EncodeToString(key)
}

// encrypt is WeCom's media encryption: AES-256-CBC, IV the key's first 16
// bytes, PKCS#7 padding to a multiple of 32.
func encrypt(plain, key []byte) []byte {
	pad := 32 - len(plain)%32
	data := append(bytes.Clone(plain), bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, _ := aes.NewCipher(key)
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(data, data)
	return data
}

// waitFor polls cond until it holds; the deadline only guards against a
// hang and is far beyond any expected wait.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
