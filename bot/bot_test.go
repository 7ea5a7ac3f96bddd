package bot_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/bot/console"
	"github.com/incubot/incubot/bot/httpapi"
	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/internal/testdb"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/models"
)

const policy = `# XX区企业购买科技成果补助暂行办法
第六条 按技术合同实际支付技术交易额的10%给予补助，单个项目最高补助50万元。
第九条 申请补助的企业应当提交以下材料：申请表、营业执照复印件、技术合同登记证明。
第十条 审核结果公示5个工作日。
`

type world struct {
	db     *postgres.DB
	router *bot.Router
	ans    *knowledge.Answerer
	now    time.Time
}

func newWorld(t testing.TB) *world {
	t.Helper()
	db := testdb.New(t)
	kb := &knowledge.KB{Store: db, Local: models.NewLocalEmbedder(), Embedder: models.NewLocalEmbedder()}
	if res := kb.Add(context.Background(), "policy.txt", []byte(policy), knowledge.AddOptions{}); res.Err != nil {
		t.Fatal(res.Err)
	}
	if err := kb.FinishIngest(context.Background()); err != nil {
		t.Fatal(err)
	}
	w := &world{db: db, now: time.Now()}
	w.ans = &knowledge.Answerer{Retriever: &knowledge.Retriever{Store: db, Local: models.NewLocalEmbedder(), Today: time.Now, Opts: knowledge.DefaultRetrieveOptions},
		FAQ: db, Fallback: "抱歉，政策库中没有找到相关规定，问题已记录。", K: 5}
	w.router = bot.NewRouter(db, w.ans, db, db, nil, nil, bot.Options{
		BotName: "小助手", MaxMessageLen: 500, MaxAge: 5 * time.Minute, ContextTTL: 10 * time.Minute, FormTTL: 30 * time.Minute,
		Now: func() time.Time { return w.now }, Outboxes: []string{"test"},
	})
	return w
}

type line struct{ Chat, To, Text string }

// chat runs a scripted console session and returns the replies.
func (w *world) chat(t *testing.T, user, group, script string) []line {
	t.Helper()
	var out bytes.Buffer
	c := &console.Console{Router: w.router, In: strings.NewReader(script), Out: &out, User: user, Group: group, BotName: "小助手", JSON: true}
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	var lines []line
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("reply is not JSON: %q", sc.Text())
		}
		lines = append(lines, l)
	}
	return lines
}

func TestPrivateSession(t *testing.T) {
	w := newWorld(t)
	script := strings.Join([]string{
		"购买科技成果补助的比例是多少？",
		"那需要提交什么材料？",
		"专精特新小巨人怎么申报",
		"#帮助",
		"#不存在的指令",
		"   ",
		"😀😀😀",
		strings.Repeat("长", 100000),
		"原文 购买科技成果补助 第十条",
		"原文 购买科技成果补助 第九十九条",
	}, "\n")
	got := w.chat(t, "张三", "", script)
	if len(got) != 10 {
		t.Fatalf("want one reply per message, got %d: %+v", len(got), got)
	}
	expect := []string{
		"《XX区企业购买科技成果补助暂行办法》第六条",
		"第九条",
		"抱歉，政策库中没有找到相关规定",
		"可用指令",
		"没有“不存在的指令”这个指令",
		"请直接输入要咨询的问题",
		"请用文字描述您的问题",
		"超过了500字的上限",
		"审核结果公示5个工作日",
		"没有找到第九十九条",
	}
	for i, want := range expect {
		if !strings.Contains(got[i].Text, want) {
			t.Errorf("reply %d lacks %q:\n%s", i+1, want, got[i].Text)
		}
		if got[i].Chat != "private:张三" || got[i].To != "张三" {
			t.Errorf("reply %d addressed to %s/%s", i+1, got[i].Chat, got[i].To)
		}
	}
	qs, err := w.db.Questions(context.Background(), time.Now().Add(-time.Hour), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 1 || qs[0].Question != "专精特新小巨人怎么申报" || qs[0].Asker != "张三" {
		t.Fatalf("the unanswered question must be logged: %+v", qs)
	}
}

func TestGroupSession(t *testing.T) {
	w := newWorld(t)
	got := w.chat(t, "李四", "区科技企业服务群", strings.Join([]string{
		"大家好，今天开会吗",
		"@小助手 购买科技成果补助的比例是多少",
		"小助手，审核结果公示几天",
		"@小助手",
	}, "\n"))
	if len(got) != 3 {
		t.Fatalf("only addressed messages are answered, got %d: %+v", len(got), got)
	}
	if !strings.HasPrefix(got[0].Text, "@李四 ") || !strings.Contains(got[0].Text, "第六条") || got[0].Chat != "group:区科技企业服务群" {
		t.Fatalf("group reply must address the asker: %+v", got[0])
	}
	if !strings.Contains(got[1].Text, "5个工作日") {
		t.Fatalf("name prefix addresses the bot: %+v", got[1])
	}
	if !strings.Contains(got[2].Text, "请直接输入要咨询的问题") {
		t.Fatalf("a bare mention gets the prompt: %+v", got[2])
	}
}

func msg(id, text string, kind string, mentioned bool, at time.Time) bot.Message {
	m := bot.Message{Channel: "test", ID: id, SenderID: "u1", SenderName: "王五", Text: text, Mentioned: mentioned, Time: at, ChatKind: kind, ChatID: "private:u1"}
	if kind == bot.Group {
		m.ChatID, m.ChatTitle = "group:g1", "g1"
	}
	return m
}

func TestPastedMentionIsNotAMention(t *testing.T) {
	w := newWorld(t)
	replies, err := w.router.Handle(context.Background(), msg("m1", "@小助手 购买科技成果补助比例", bot.Group, false, w.now))
	if err != nil || len(replies) != 0 {
		t.Fatalf("a pasted @name without a real mention must be ignored: %+v %v", replies, err)
	}
}

func TestGroupWhitelist(t *testing.T) {
	w := newWorld(t)
	w.router.Opts.Groups = []string{"区科技企业服务群"}
	replies, _ := w.router.Handle(context.Background(), msg("m1", "@小助手 购买科技成果补助比例", bot.Group, true, w.now))
	if len(replies) != 0 {
		t.Fatal("a group outside the whitelist must be ignored")
	}
}

func TestDuplicateAndStaleMessages(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	m := msg("same-id", "购买科技成果补助比例", bot.Private, false, w.now)
	if _, err := w.router.Handle(ctx, m); err != nil {
		t.Fatalf("first delivery: %v", err)
	}
	if _, err := w.router.Handle(ctx, m); err != nil {
		t.Fatalf("redelivery: %v", err)
	}
	old := msg("old-id", "购买科技成果补助比例", bot.Private, false, w.now.Add(-time.Hour))
	if r, err := w.router.Handle(ctx, old); err != nil || len(r) != 0 {
		t.Fatalf("a message older than the limit is recorded, not answered: %v %v", r, err)
	}
	if n, _ := w.db.OutboxDepth(ctx); n != 1 {
		t.Fatalf("one reply queued, got %d", n)
	}
}

type failingAnswerer struct{ err error }

func (f *failingAnswerer) Answer(context.Context, string, string) (*corpus.Answer, error) {
	return nil, f.err
}

func TestFailureIsReportedAndRetried(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	down := &failingAnswerer{err: errors.New("dial tcp 10.0.0.5:5432: password=hunter2 connection refused")}
	w.router.Answerer = down
	if _, err := w.router.Handle(ctx, msg("f1", "购买科技成果补助比例", bot.Private, false, w.now)); err != nil {
		t.Fatal(err)
	}
	told := drain(t, w, "test")
	if len(told) != 1 || told[0] != bot.ReplyFailed {
		t.Fatalf("the person is told at once: %q", told)
	}
	w.router.Answerer = w.ans
	if _, err := w.router.Recover(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	out := drain(t, w, "test")
	if len(out) != 1 || !strings.Contains(out[0], "第六条") {
		t.Fatalf("after the retry the answer is sent: %q", out)
	}
	if _, err := w.router.Recover(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	if more := drain(t, w, "test"); len(more) != 0 {
		t.Fatalf("a handled message is not retried again: %q", more)
	}
}

type recorder struct {
	sent  []string
	chats []string
	at    []time.Time
}

func (r *recorder) Send(_ context.Context, chat, _, text string) error {
	r.sent, r.chats, r.at = append(r.sent, text), append(r.chats, chat), append(r.at, time.Now())
	return nil
}

func drain(t *testing.T, w *world, channel string) []string {
	t.Helper()
	rec := &recorder{}
	o := &bot.Outbox{Store: w.db, Channel: channel, Owner: "t", Sender: rec}
	if _, err := o.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	return rec.sent
}

func TestBurstInOneGroupIsAnsweredInOrderWithinRateLimits(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	for i := 0; i < 200; i++ {
		text := fmt.Sprintf("@小助手 第%d问：购买科技成果补助比例", i)
		if _, err := w.router.Handle(ctx, msg(fmt.Sprintf("b%03d", i), text, bot.Group, true, w.now)); err != nil {
			t.Fatal(err)
		}
	}
	rec := &recorder{}
	o := &bot.Outbox{Store: w.db, Channel: "test", Owner: "t", Sender: rec, PerChat: 2 * time.Millisecond, Global: time.Millisecond}
	n, err := o.Flush(ctx)
	if err != nil || n != 200 || len(rec.sent) != 200 {
		t.Fatalf("every message answered once: sent %d (%d), %v", n, len(rec.sent), err)
	}
	for i := 1; i < len(rec.at); i++ {
		if gap := rec.at[i].Sub(rec.at[i-1]); gap < 2*time.Millisecond {
			t.Fatalf("sends %d and %d to one chat were %v apart, under the per-chat limit", i-1, i, gap)
		}
	}
	var ids []int64
	rows, _ := w.db.Questions(ctx, time.Now().Add(-time.Hour), false)
	for _, q := range rows {
		ids = append(ids, q.ID)
	}
	if len(ids) != 200 {
		t.Fatalf("200 questions logged, got %d", len(ids))
	}
}

func TestSplitText(t *testing.T) {
	para := strings.Repeat("政策条款内容。", 100) // 700 runes
	text := para + "\n\n" + para + "\n\n" + para
	parts := bot.SplitText(text, 1500)
	if len(parts) != 2 {
		t.Fatalf("want 2 parts, got %d", len(parts))
	}
	for i, p := range parts {
		if n := len([]rune(p)); n > 1500 {
			t.Fatalf("part %d has %d runes", i, n)
		}
		if !strings.HasPrefix(p, fmt.Sprintf("(%d/2)\n", i+1)) {
			t.Fatalf("parts are numbered: %q", p[:10])
		}
	}
	if got := bot.SplitText("短消息", 1500); len(got) != 1 || got[0] != "短消息" {
		t.Fatalf("short text stays whole: %q", got)
	}
	long := strings.Repeat("无标点的长文本", 1000)
	for _, p := range bot.SplitText(long, 1500) {
		if len([]rune(p)) > 1500 {
			t.Fatal("a run without breaks is still cut to size")
		}
	}
}

func TestHTTPAPI(t *testing.T) {
	w := newWorld(t)
	metrics := bot.NewMetrics()
	w.router.Metrics = metrics
	api := &httpapi.Server{Router: w.router, Token: "0123456789abcdef", Health: w.db.Ping, Metrics: metrics}
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()
	post := func(token, body string) (*http.Response, string) {
		req, _ := http.NewRequest("POST", srv.URL+"/v1/messages", strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp, b.String()
	}
	if resp, _ := post("", `{}`); resp.StatusCode != 401 {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	if resp, _ := post("wrong-token-wrong", `{}`); resp.StatusCode != 401 {
		t.Fatalf("wrong token: %d", resp.StatusCode)
	}
	if resp, body := post("0123456789abcdef", `{not json`); resp.StatusCode != 400 || !strings.Contains(body, "error") {
		t.Fatalf("bad JSON: %d %s", resp.StatusCode, body)
	}
	if resp, body := post("0123456789abcdef", `{"text":"hi"}`); resp.StatusCode != 400 || !strings.Contains(body, "id is required") {
		t.Fatalf("missing id: %d %s", resp.StatusCode, body)
	}
	resp, body := post("0123456789abcdef", `{"id":"h1","chat_id":"c1","sender_id":"s1","sender_name":"赵六","text":"购买科技成果补助比例是多少"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("message: %d %s", resp.StatusCode, body)
	}
	var out struct{ Replies []bot.Reply }
	json.Unmarshal([]byte(body), &out)
	if len(out.Replies) != 1 || !strings.Contains(out.Replies[0].Text, "第六条") || out.Replies[0].To != "赵六" {
		t.Fatalf("replies: %s", body)
	}
	if n, _ := w.db.OutboxDepth(context.Background()); n != 0 {
		t.Fatal("replies returned inline are not queued for sending again")
	}
	r, err := http.Get(srv.URL + "/healthz")
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", r, err)
	}
	r, _ = http.Get(srv.URL + "/metrics")
	var m bytes.Buffer
	m.ReadFrom(r.Body)
	for _, want := range []string{`incubot_messages_in_total{channel="http"} 1`, `incubot_messages_out_total{channel="http"} 1`, "incubot_answer_latency_seconds_count 1"} {
		if !strings.Contains(m.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, m.String())
		}
	}
}
