package wecom

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/bot/wecom/wecomfake"
	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/internal/testdb"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/models"
)

const policy = `# XX区企业购买科技成果补助暂行办法
第六条 按技术合同实际支付技术交易额的10%给予补助，单个项目最高补助50万元。
第九条 申请补助的企业应当提交以下材料：申请表、营业执照复印件、技术合同登记证明。
`

// slowAnswerer holds every answer until released (or for a fixed pause).
type slowAnswerer struct {
	next  bot.Answerer
	pause time.Duration
	gate  chan struct{}
}

func (s *slowAnswerer) Answer(ctx context.Context, q, topic string) (*corpus.Answer, error) {
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	time.Sleep(s.pause)
	return s.next.Answer(ctx, q, topic)
}

type rig struct {
	db     *postgres.DB
	router *bot.Router
	ans    *knowledge.Answerer
	fake   *wecomfake.Server
	bot    *Bot
	logs   *syncBuffer
	stop   func()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newRig indexes the policy, builds the router and starts the bot against
// a fake WeCom; opts adjusts the options before the start.
func newRig(t testing.TB, opts func(*Bot)) *rig {
	t.Helper()
	db := testdb.New(t)
	kb := &knowledge.KB{Store: db, Local: models.NewLocalEmbedder(), Embedder: models.NewLocalEmbedder()}
	if res := kb.Add(context.Background(), "p.txt", []byte(policy), knowledge.AddOptions{}); res.Err != nil {
		t.Fatal(res.Err)
	}
	if err := kb.FinishIngest(context.Background()); err != nil {
		t.Fatal(err)
	}
	ans := &knowledge.Answerer{Retriever: &knowledge.Retriever{Store: db, Local: models.NewLocalEmbedder(), Today: time.Now, Opts: knowledge.DefaultRetrieveOptions}, Fallback: "未找到。"}
	router := bot.NewRouter(db, ans, db, db, nil, nil, bot.Options{BotName: "政策助手", MaxMessageLen: 500, MaxAge: time.Hour, ContextTTL: time.Minute, FormTTL: time.Minute})
	r := &rig{db: db, router: router, ans: ans, fake: wecomfake.New(t), logs: &syncBuffer{}}
	r.bot = &Bot{Router: router, Store: db, Log: slog.New(slog.NewTextHandler(r.logs, nil)), Metrics: bot.NewMetrics(), Opts: Options{
		URL: r.fake.URL(), BotID: wecomfake.BotID, Secret: wecomfake.Secret, BotName: "政策助手",
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, StreamAfter: time.Hour,
	}}
	if opts != nil {
		opts(r.bot)
	}
	router.Metrics = r.bot.Metrics
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.bot.Run(ctx) }()
	r.stop = func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	t.Cleanup(func() {
		if ctx.Err() == nil {
			r.stop()
		}
	})
	wecomfake.WaitFor(t, "the subscription", func() bool { return r.bot.Up() == 1 })
	return r
}

func (r *rig) metrics() string {
	var b bytes.Buffer
	r.bot.Metrics.Write(&b)
	return b.String()
}

// A private question and an @-mention in a group are answered in a stream
// bound to their callback, quoting the clause; the subscription carried
// the bot id and secret; a redelivered message id gets the same answer
// without being handled twice.
func TestSubscribeAndAnswer(t *testing.T) {
	r := newRig(t, nil)
	sub := r.fake.Frames(cmdSubscribe)
	if len(sub) != 1 || !strings.Contains(string(sub[0].Body), wecomfake.BotID) {
		t.Fatalf("subscription frames: %+v", sub)
	}
	req := r.fake.Text("m1", "zhangsan", "", "购买科技成果补助的比例是多少？")
	first := r.fake.Answer(req)
	if !strings.Contains(first, "10%") || !strings.Contains(first, "第六条") {
		t.Fatalf("private answer: %q", first)
	}
	req = r.fake.Text("m2", "lisi", "wrGROUP1", "@政策助手 购买科技成果补助需要提交什么材料？")
	got := r.fake.Answer(req)
	if !strings.Contains(got, "营业执照") {
		t.Fatalf("group answer: %q", got)
	}
	again := r.fake.Text("m1", "zhangsan", "", "购买科技成果补助的比例是多少？")
	if r.fake.Answer(again) != first {
		t.Fatal("a redelivered message got a different answer")
	}
	qs, err := r.db.Questions(context.Background(), time.Time{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 2 {
		t.Fatalf("questions logged: %d, want 2 (the redelivery is not a new question)", len(qs))
	}
	if !strings.Contains(r.metrics(), `incubot_messages_in_total{channel="wecom"} 2`) {
		t.Fatalf("metrics:\n%s", r.metrics())
	}
}

// An answer that takes time first shows that it is being looked up, then
// fills the same stream; the first frame asks for feedback, and a 👎 on it
// is recorded against the question's message.
func TestStreamingAndFeedback(t *testing.T) {
	var mu sync.Mutex
	var fb []string
	gate := make(chan struct{})
	r := newRig(t, func(b *Bot) {
		b.Opts.StreamAfter = 10 * time.Millisecond
		b.Opts.Feedback = func(ctx context.Context, msgID, user string, useful *bool, comment string) error {
			mu.Lock()
			defer mu.Unlock()
			fb = append(fb, fmt.Sprintf("%s %s %v %s", msgID, user, *useful, comment))
			return nil
		}
	})
	r.router.Answerer = &slowAnswerer{next: r.ans, gate: gate}
	req := r.fake.Text("m1", "zhangsan", "", "购买科技成果补助的比例是多少？")
	wecomfake.WaitFor(t, "the first stream frame", func() bool { return len(r.fake.Streams(req)) == 1 })
	close(gate)
	r.fake.Answer(req)
	s := r.fake.Streams(req)
	if len(s) != 2 {
		t.Fatalf("stream frames: %+v", s)
	}
	if s[0].Finish || s[0].Content != ReplyWorking || s[0].Feedback == nil || s[0].Feedback.ID != "m1" {
		t.Fatalf("first frame: %+v", s[0])
	}
	if !s[1].Finish || s[1].ID != s[0].ID || !strings.Contains(s[1].Content, "10%") || s[1].Feedback != nil {
		t.Fatalf("last frame: %+v", s[1])
	}
	r.fake.Callback(cmdEvent, map[string]any{"msgid": "e1", "aibotid": wecomfake.BotID, "msgtype": "event", "from": map[string]string{"userid": "zhangsan"},
		"event": map[string]any{"eventtype": "feedback_event", "feedback_event": map[string]any{"id": "m1", "type": 2, "content": "没说清楚上限", "inaccurate_reason_list": []int{2}}}})
	wecomfake.WaitFor(t, "the feedback", func() bool { mu.Lock(); defer mu.Unlock(); return len(fb) == 1 })
	if fb[0] != "m1 zhangsan false 没说清楚上限" {
		t.Fatalf("feedback: %q", fb[0])
	}
}

// Entering the chat gets a welcome through aibot_respond_welcome_msg.
func TestWelcome(t *testing.T) {
	r := newRig(t, nil)
	r.fake.Callback(cmdEvent, map[string]any{"msgid": "e1", "aibotid": wecomfake.BotID, "msgtype": "event", "from": map[string]string{"userid": "zhangsan"}, "event": map[string]any{"eventtype": "enter_chat"}})
	wecomfake.WaitFor(t, "the welcome", func() bool { return len(r.fake.Frames(cmdWelcome)) == 1 })
	if !strings.Contains(string(r.fake.Frames(cmdWelcome)[0].Body), "政策助手") {
		t.Fatal("welcome body")
	}
}

// Unanswered pings end the connection and the bot subscribes again; when
// pings are answered again it stays.
func TestHeartbeatLossReconnects(t *testing.T) {
	r := newRig(t, func(b *Bot) { b.Opts.Heartbeat = 20 * time.Millisecond })
	wecomfake.WaitFor(t, "pings", func() bool { return len(r.fake.Frames(cmdPing)) >= 3 })
	if n, _ := r.fake.Counts(); n != 1 {
		t.Fatalf("answered pings: %d subscriptions, want 1", n)
	}
	r.fake.SetSilent(true)
	wecomfake.WaitFor(t, "a new subscription", func() bool { n, _ := r.fake.Counts(); return n >= 2 })
	r.fake.SetSilent(false)
	wecomfake.WaitFor(t, "the connection to stand", func() bool { return r.bot.Up() == 1 })
	req := r.fake.Text("m1", "zhangsan", "", "购买科技成果补助的比例是多少？")
	if !strings.Contains(r.fake.Answer(req), "10%") {
		t.Fatal("no answer after reconnecting")
	}
	if !strings.Contains(r.metrics(), `incubot_channel_events_total{channel="wecom",event="heartbeat_lost"}`) {
		t.Fatalf("metrics:\n%s", r.metrics())
	}
}

// A connection the server drops is re-established with backoff, and a
// question asked after it is answered.
func TestReconnectAfterDrop(t *testing.T) {
	r := newRig(t, nil)
	r.fake.Drop()
	wecomfake.WaitFor(t, "a new subscription", func() bool { n, _ := r.fake.Counts(); return n == 2 && r.fake.Connected() })
	wecomfake.WaitFor(t, "the connection to stand", func() bool { return r.bot.Up() == 1 })
	req := r.fake.Text("m1", "zhangsan", "", "购买科技成果补助的比例是多少？")
	if !strings.Contains(r.fake.Answer(req), "10%") {
		t.Fatal("no answer after reconnecting")
	}
}

// Another connection taking over (disconnected_event) is logged and not
// fought: no new subscription follows, and Run ends cleanly with ctx.
func TestDisplacementIsNotFought(t *testing.T) {
	r := newRig(t, nil)
	r.fake.Callback(cmdEvent, map[string]any{"msgid": "e1", "aibotid": wecomfake.BotID, "msgtype": "event", "from": map[string]string{"userid": ""}, "event": map[string]any{"eventtype": "disconnected_event"}})
	wecomfake.WaitFor(t, "the displacement to be logged", func() bool { return strings.Contains(r.logs.String(), "顶替") })
	if r.bot.Up() != 0 {
		t.Fatal("still up after displacement")
	}
	// The backoff is 20–100 ms: two seconds would see many reconnects.
	time.Sleep(2 * time.Second)
	if n, _ := r.fake.Counts(); n != 1 {
		t.Fatalf("subscriptions after displacement: %d, want 1", n)
	}
	r.stop()
}

// A wrong secret is refused: the bot says what to check and keeps trying
// with backoff, never up.
func TestWrongSecret(t *testing.T) {
	f := wecomfake.New(t)
	db := testdb.New(t)
	logs := &syncBuffer{}
	b := &Bot{Router: bot.NewRouter(db, nil, db, db, nil, nil, bot.Options{}), Store: db, Log: slog.New(slog.NewTextHandler(logs, nil)),
		Opts: Options{URL: f.URL(), BotID: wecomfake.BotID, Secret: "wrong", MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	wecomfake.WaitFor(t, "two refusals", func() bool { _, n := f.Counts(); return n >= 2 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if b.Up() != 0 || !strings.Contains(logs.String(), "Bot ID 和 Secret") {
		t.Fatalf("up %v, logs:\n%s", b.Up(), logs.String())
	}
}

// Bad frames are counted and ignored, the connection stays; a frame over
// the size limit ends the connection, and the bot comes back.
func TestBadFrames(t *testing.T) {
	r := newRig(t, func(b *Bot) { b.Opts.MaxFrame = 64 << 10 })
	r.fake.Send([]byte("not json {"), websocket.MessageText)
	r.fake.Send([]byte{0xff, 0x00}, websocket.MessageBinary)
	r.fake.Send([]byte(`{"cmd":"aibot_unknown","headers":{"req_id":"x"}}`), websocket.MessageText)
	r.fake.Send([]byte(`{"cmd":"aibot_msg_callback","headers":{"req_id":"x"},"body":"text"}`), websocket.MessageText)
	r.fake.Send([]byte(`{"cmd":"aibot_msg_callback","headers":{"req_id":""},"body":{}}`), websocket.MessageText)
	r.fake.Callback(cmdMessage, map[string]any{"msgid": "m0", "chattype": "single", "from": map[string]string{"userid": ""}, "msgtype": "text", "text": map[string]string{"content": "hi"}})
	r.fake.Callback(cmdMessage, map[string]any{"msgid": "m0", "chattype": "single", "from": map[string]string{"userid": "u"}, "msgtype": "text"})
	r.fake.Callback(cmdMessage, map[string]any{"msgid": "m0", "chattype": "group", "from": map[string]string{"userid": "u"}, "msgtype": "text", "text": map[string]string{"content": "hi"}})
	r.fake.Callback(cmdEvent, map[string]any{"msgid": "e0", "msgtype": "event"})
	req := r.fake.Text("m1", "zhangsan", "", "购买科技成果补助的比例是多少？")
	if !strings.Contains(r.fake.Answer(req), "10%") {
		t.Fatal("no answer after bad frames")
	}
	if n, _ := r.fake.Counts(); n != 1 {
		t.Fatalf("bad frames cost the connection: %d subscriptions", n)
	}
	if !strings.Contains(r.metrics(), `incubot_channel_events_total{channel="wecom",event="bad_frame"} 9`) {
		t.Fatalf("metrics:\n%s", r.metrics())
	}
	r.fake.Text("big", "zhangsan", "", strings.Repeat("大", 30000))
	wecomfake.WaitFor(t, "a new subscription after the oversized frame", func() bool { n, _ := r.fake.Counts(); return n == 2 })
	if len(r.fake.Frames(cmdRespond)) != 1 {
		t.Fatal("the oversized message was answered")
	}
}

// An image is downloaded, decrypted with its own key and handed over with
// its size and name; the person is told the bot reads text. A file over
// the limit is not handed over.
func TestMedia(t *testing.T) {
	var mu sync.Mutex
	var got []bot.Message
	var data [][]byte
	r := newRig(t, func(b *Bot) {
		b.Opts.MaxMedia = 1000
		b.Opts.Media = func(ctx context.Context, m bot.Message, d []byte) {
			mu.Lock()
			defer mu.Unlock()
			got, data = append(got, m), append(data, d)
		}
	})
	plain := []byte(strings.Repeat("申报表内容", 20))
	u, key := r.fake.AddMedia("a", plain)
	req := r.fake.Callback(cmdMessage, map[string]any{"msgid": "m1", "chattype": "single", "from": map[string]string{"userid": "zhangsan"}, "msgtype": "file", "file": map[string]string{"url": u, "aeskey": key}})
	if r.fake.Answer(req) != bot.ReplyNotText {
		t.Fatalf("reply to a file: %q", r.fake.Answer(req))
	}
	mu.Lock()
	if len(data) != 1 || !bytes.Equal(data[0], plain) || got[0].Attachment.Kind != "file" || got[0].Attachment.Size != int64(len(plain)) || got[0].Attachment.Name != "政策申报表.docx" {
		t.Fatalf("media handed over: %+v", got)
	}
	mu.Unlock()
	big, key2 := r.fake.AddMedia("b", bytes.Repeat([]byte("x"), 2000))
	req = r.fake.Callback(cmdMessage, map[string]any{"msgid": "m2", "chattype": "single", "from": map[string]string{"userid": "zhangsan"}, "msgtype": "image", "image": map[string]string{"url": big, "aeskey": key2}})
	r.fake.Answer(req)
	mu.Lock()
	defer mu.Unlock()
	if len(data) != 1 {
		t.Fatal("a file over the limit was handed over")
	}
}

func TestDecrypt(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	b64 := base64.StdEncoding.EncodeToString(key)
	for _, n := range []int{0, 1, 31, 32, 33, 1000} {
		plain := bytes.Repeat([]byte{'a'}, n)
		got, err := Decrypt(wecomfake.Encrypt(plain, key), b64)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("%d bytes: %v", n, err)
		}
		// WeCom's keys come without base64 padding too.
		if got, err := Decrypt(wecomfake.Encrypt(plain, key), strings.TrimRight(b64, "=")); err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("unpadded key, %d bytes: %v", n, err)
		}
	}
	wrong := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{8}, 32))
	for name, c := range map[string]struct {
		data []byte
		key  string
	}{
		"wrong key":     {wecomfake.Encrypt([]byte("hello"), key), wrong},
		"short key":     {wecomfake.Encrypt([]byte("hello"), key), base64.StdEncoding.EncodeToString(key[:16])},
		"not base64":    {wecomfake.Encrypt([]byte("hello"), key), "!!!"},
		"partial block": {wecomfake.Encrypt([]byte("hello"), key)[:20], b64},
		"empty":         {nil, b64},
	} {
		if _, err := Decrypt(c.data, c.key); err == nil {
			t.Errorf("%s: decrypted", name)
		}
	}
}

// One person may have InFlight questions in hand; one more is told to wait
// and is not recorded; others are not held up.
func TestInFlightPerUser(t *testing.T) {
	gate := make(chan struct{})
	r := newRig(t, func(b *Bot) { b.Opts.InFlight = 1 })
	r.router.Answerer = &slowAnswerer{next: r.ans, gate: gate}
	first := r.fake.Text("m1", "zhangsan", "", "购买科技成果补助的比例是多少？")
	wecomfake.WaitFor(t, "the first question in hand", func() bool {
		r.bot.mu.Lock()
		defer r.bot.mu.Unlock()
		return r.bot.inflight["zhangsan"] == 1
	})
	second := r.fake.Text("m2", "zhangsan", "", "需要提交什么材料？")
	if got := r.fake.Answer(second); got != fmt.Sprintf(ReplyBusy, 1) {
		t.Fatalf("second question: %q", got)
	}
	close(gate)
	if !strings.Contains(r.fake.Answer(first), "10%") {
		t.Fatal("first question not answered")
	}
	wecomfake.WaitFor(t, "the first question let go", func() bool {
		r.bot.mu.Lock()
		defer r.bot.mu.Unlock()
		return r.bot.inflight["zhangsan"] == 0
	})
	third := r.fake.Text("m2", "zhangsan", "", "购买科技成果补助需要提交什么材料？")
	if !strings.Contains(r.fake.Answer(third), "营业执照") {
		t.Fatal("the refused message id was recorded: sending it again got no fresh answer")
	}
}

// A queued notice is pushed as markdown to the chat; a push WeCom refuses
// (the chat never talked to the bot) fails without blocking the next.
func TestPush(t *testing.T) {
	r := newRig(t, nil)
	r.fake.RefusePushesTo("nobody")
	err := r.db.QueueReplies(context.Background(), []bot.Reply{
		{Channel: Channel, ChatID: "nobody", ChatKind: bot.Private, Text: "通知一"},
		{Channel: Channel, ChatID: "wrGROUP1", ChatKind: bot.Group, Text: "通知二"},
	})
	if err != nil {
		t.Fatal(err)
	}
	wecomfake.WaitFor(t, "the group push", func() bool {
		for _, f := range r.fake.Frames(cmdSend) {
			if strings.Contains(string(f.Body), "通知二") {
				return true
			}
		}
		return false
	})
	for _, f := range r.fake.Frames(cmdSend) {
		if strings.Contains(string(f.Body), "通知二") && !strings.Contains(string(f.Body), `"chat_type":2`) {
			t.Fatalf("group push: %s", f.Body)
		}
	}
}

func TestStripMentionAndClip(t *testing.T) {
	for in, want := range map[string]string{
		"@政策助手 补助比例":    "补助比例",
		"补助比例 @政策助手":    "补助比例",
		"@RobotA hello": "hello",
		"@RobotA":       "",
		"没有提及":          "没有提及",
		"@政策助手\u2005补助": "补助",
	} {
		if got := stripMention(in, "政策助手"); got != want {
			t.Errorf("stripMention(%q) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("政", 10000)
	c := clip(long)
	if len(c) > MaxContentBytes || !strings.HasSuffix(c, "已截断）") || !strings.HasPrefix(c, "政政") {
		t.Fatalf("clip: %d bytes", len(c))
	}
	if !errors.Is(fmt.Errorf("x: %w", ErrDisplaced), ErrDisplaced) {
		t.Fatal("sentinel")
	}
}
