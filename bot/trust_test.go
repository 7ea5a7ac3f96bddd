package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/bot/console"
	"github.com/incubot/incubot/bot/httpapi"
)

type api struct {
	t   *testing.T
	srv *httptest.Server
}

func newAPI(t *testing.T, w *world) *api {
	s := &httpapi.Server{Router: w.router, Token: "0123456789abcdef", Health: w.db.Ping, MaxSkew: 5 * time.Minute, Now: func() time.Time { return w.now }}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &api{t: t, srv: srv}
}

// post sends one message body and returns the status, the replies' texts
// and the raw body.
func (a *api) post(body string) (int, []string, string) {
	a.t.Helper()
	req, _ := http.NewRequest("POST", a.srv.URL+"/v1/messages", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer 0123456789abcdef")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	var out struct{ Replies []bot.Reply }
	json.Unmarshal(b.Bytes(), &out)
	var texts []string
	for _, r := range out.Replies {
		texts = append(texts, r.Text)
	}
	return resp.StatusCode, texts, b.String()
}

// Finding 7: a message recorded but left unanswered by a crash is answered
// when its client retries the id, once; the stored answer is what every
// later retry gets.
func TestHTTPRetryAfterACrashGetsTheAnswer(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	a := newAPI(t, w)
	// A crash between recording and answering leaves the message claimed
	// by a handler that is gone; its lease runs out.
	crashed := bot.Message{Channel: httpapi.Channel, ID: "h1", ChatID: "c1", ChatKind: bot.Private, SenderID: "s1", SenderName: "赵六", Text: "购买科技成果补助比例是多少", Time: w.now}
	if _, fresh, err := w.db.RecordMessage(ctx, &crashed, 0); err != nil || !fresh {
		t.Fatal(err)
	}
	body := `{"id":"h1","chat_id":"c1","sender_id":"s1","sender_name":"赵六","text":"购买科技成果补助比例是多少"}`
	code, first, raw := a.post(body)
	if code != 200 || len(first) != 1 || !strings.Contains(first[0], "第六条") {
		t.Fatalf("the retried id must get its answer: %d %s", code, raw)
	}
	code, again, _ := a.post(body)
	if code != 200 || len(again) != 1 || again[0] != first[0] {
		t.Fatalf("a second retry gets the same stored answer: %d %q", code, again)
	}
	counts, _ := w.db.ReplyCounts(ctx, httpapi.Channel)
	if c := counts["h1"]; c.Status != "handled" || c.Replies != 1 {
		t.Fatalf("answered exactly once: %+v", c)
	}
}

// Findings 7 and 8: a failed HTTP message is answered when the client
// retries it, inline; nothing is ever queued for the HTTP channel, and the
// background retry refuses a synchronous channel.
func TestHTTPFailureIsRetriedByTheClientNeverQueued(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	a := newAPI(t, w)
	w.router.Answerer = &failingAnswerer{err: errors.New("model down")}
	body := `{"id":"h2","chat_id":"c2","sender_id":"s2","text":"购买科技成果补助比例是多少"}`
	if code, _, raw := a.post(body); code != 503 || !strings.Contains(raw, "same id") {
		t.Fatalf("a failed handling asks the client to retry the id: %d %s", code, raw)
	}
	if _, err := w.router.Recover(ctx, httpapi.Channel); err == nil {
		t.Fatal("the HTTP channel answers inline: no background retry may queue its answer")
	}
	w.router.Answerer = w.ans
	if code, replies, raw := a.post(body); code != 200 || len(replies) != 1 || !strings.Contains(replies[0], "第六条") {
		t.Fatalf("the retry answers: %d %s", code, raw)
	}
	if n, _ := w.db.OutboxDepth(ctx); n != 0 {
		t.Fatalf("nothing is queued for a synchronous channel, got %d pending", n)
	}
}

// Finding 7 for a channel with an outbox (WeChat): a message caught
// mid-handling by a crash is handled again by Recover, and answered once.
func TestRecoverAnswersMessagesLeftByACrash(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	left := msg("w1", "购买科技成果补助比例", bot.Private, false, w.now)
	if _, _, err := w.db.RecordMessage(ctx, &left, 0); err != nil {
		t.Fatal(err)
	}
	held := msg("w2", "购买科技成果补助比例", bot.Private, false, w.now)
	if _, _, err := w.db.RecordMessage(ctx, &held, time.Hour); err != nil {
		t.Fatal(err)
	}
	n, err := w.router.Recover(ctx, "test")
	if err != nil || n != 1 {
		t.Fatalf("one message is left past its lease: %d %v", n, err)
	}
	if out := drain(t, w, "test"); len(out) != 1 || !strings.Contains(out[0], "第六条") {
		t.Fatalf("answered once: %q", out)
	}
	if n, _ := w.router.Recover(ctx, "test"); n != 0 {
		t.Fatal("a message held by a live handler, or answered, is not taken")
	}
}

// Finding 1: the HTTP channel is the channel of what arrives over HTTP; a
// body cannot name another, nor take another channel's message ids.
func TestHTTPCannotChooseItsChannel(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	a := newAPI(t, w)
	code, _, raw := a.post(`{"channel":"console","id":"W-123","chat_id":"c","sender_id":"李科长","text":"待核验"}`)
	if code != 400 || !strings.Contains(raw, "channel") {
		t.Fatalf("a channel field is refused: %d %s", code, raw)
	}
	if code, _, raw := a.post(`{"id":"W-124","chat_id":"c","sender_id":"x","text":"购买科技成果补助比例"}`); code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	// The same id on another channel is another message.
	if _, err := w.router.Handle(ctx, msg("W-124", "购买科技成果补助比例", bot.Private, false, w.now)); err != nil {
		t.Fatal(err)
	}
	if out := drain(t, w, "test"); len(out) != 1 {
		t.Fatalf("an HTTP id must not shadow another channel's message: %q", out)
	}
}

// Finding 10: a message whose time is far from the server's clock, or that
// holds NUL characters, gets a clear 400 and is not recorded.
func TestHTTPRefusesSkewedTimeAndNUL(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	a := newAPI(t, w)
	old := w.now.Add(-time.Hour).Format(time.RFC3339)
	for _, c := range []struct{ body, want string }{
		{`{"id":"t1","chat_id":"c","sender_id":"s","text":"购买科技成果补助比例","time":"` + old + `"}`, "server's clock"},
		{`{"id":"t2","chat_id":"c","sender_id":"s","text":"补助\u0000比例"}`, "NUL"},
		{`{"id":"t3\u0000","chat_id":"c","sender_id":"s","text":"补助比例"}`, "control characters"},
		{`{"id":"t4","chat_id":"c","sender_id":"s","sender_name":"a\u0000b","text":"补助比例"}`, "control characters"},
	} {
		if code, _, raw := a.post(c.body); code != 400 || !strings.Contains(raw, c.want) {
			t.Errorf("%s: want 400 with %q, got %d %s", c.body, c.want, code, raw)
		}
	}
	if texts, _ := w.db.MessageTexts(ctx, httpapi.Channel); len(texts) != 0 {
		t.Fatalf("a refused message is not recorded: %q", texts)
	}
	now := w.now.Format(time.RFC3339)
	if code, replies, raw := a.post(`{"id":"t5","chat_id":"c","sender_id":"s","text":"购买科技成果补助比例","time":"` + now + `"}`); code != 200 || len(replies) != 1 {
		t.Fatalf("a current time is answered: %d %s", code, raw)
	}
}

type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) { return 0, errors.New("write |1: broken pipe") }

// Finding 15 (console): a run whose output pipe is closed ends with an
// error; its reply is never printed by a later run, into another session.
func TestConsoleClosedPipeLeavesNothingForTheNextRun(t *testing.T) {
	w := newWorld(t)
	dead := &console.Console{Router: w.router, In: strings.NewReader("购买科技成果补助的比例是多少？"), Out: brokenPipe{}, User: "甲", BotName: "小助手", JSON: true}
	if err := dead.Run(context.Background()); err == nil {
		t.Fatal("a closed pipe must end the run with an error")
	}
	got := w.chat(t, "乙", "", "原文 购买科技成果补助 第十条")
	if len(got) != 1 || got[0].To != "乙" || !strings.Contains(got[0].Text, "公示5个工作日") {
		t.Fatalf("the next run prints only its own reply: %+v", got)
	}
}

// /healthz says how the embedded database stands.
func TestHealthzNamesTheEmbeddedDatabaseState(t *testing.T) {
	w := newWorld(t)
	s := &httpapi.Server{Router: w.router, Token: "0123456789abcdef", Health: func(context.Context) error { return errors.New("down") },
		Embedded: func() string { return "restarting" }}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	r, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var body map[string]string
	json.NewDecoder(r.Body).Decode(&body)
	if r.StatusCode != 503 || body["embedded_database"] != "restarting" || body["database"] != "unreachable" {
		t.Fatalf("healthz: %d %v", r.StatusCode, body)
	}
}

// A question about binding is a question: only a code-shaped argument of
// 绑定 is hidden.
func TestAQuestionAboutBindingIsKept(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	if _, err := w.router.Handle(ctx, msg("q1", "绑定码丢了怎么办", bot.Private, false, w.now)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.router.Handle(ctx, msg("q2", "绑定 AB12CD34", bot.Private, false, w.now)); err != nil {
		t.Fatal(err)
	}
	texts, _ := w.db.MessageTexts(ctx, "test")
	if len(texts) != 2 || texts[0] != "绑定码丢了怎么办" || texts[1] != "绑定 "+bot.Redacted {
		t.Fatalf("stored: %q", texts)
	}
}

// Held: 20 concurrent copies of one id are handled once; every copy gets
// that one answer.
func TestConcurrentCopiesAreHandledOnce(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	a := newAPI(t, w)
	body := `{"id":"dup","chat_id":"c","sender_id":"s","text":"购买科技成果补助比例是多少"}`
	got := make(chan string, 20)
	for range 20 {
		go func() {
			code, replies, raw := a.post(body)
			if code != 200 || len(replies) != 1 {
				got <- "bad: " + raw
				return
			}
			got <- replies[0]
		}()
	}
	first := <-got
	for range 19 {
		if r := <-got; r != first || !strings.Contains(r, "第六条") {
			t.Fatalf("every copy gets the one answer: %q vs %q", r, first)
		}
	}
	counts, _ := w.db.ReplyCounts(ctx, httpapi.Channel)
	if c := counts["dup"]; c.Replies != 1 || c.Status != "handled" {
		t.Fatalf("handled once: %+v", c)
	}
	qs, _ := w.db.Questions(ctx, time.Now().Add(-time.Hour), false)
	if len(qs) != 1 {
		t.Fatalf("one question logged, got %d", len(qs))
	}
}
