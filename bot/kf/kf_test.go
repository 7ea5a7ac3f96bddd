package kf

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/bot/kf/kffake"
	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/internal/testdb"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/models"
)

const policy = `# XX区企业购买科技成果补助暂行办法
第六条 按技术合同实际支付技术交易额的10%给予补助，单个项目最高补助50万元。
第九条 申请补助的企业应当提交以下材料：申请表、营业执照复印件、技术合同登记证明。
`

const (
	corpID   = kffake.CorpID
	secret   = kffake.Secret
	cbToken  = "cbtoken"
	aesKey43 = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
)

type rig struct {
	db     *postgres.DB
	router *bot.Router
	api    *kffake.Server
	kf     *KF
}

func newRig(t testing.TB) *rig {
	db := testdb.New(t)
	kb := &knowledge.KB{Store: db, Local: models.NewLocalEmbedder(), Embedder: models.NewLocalEmbedder()}
	if res := kb.Add(context.Background(), "p.txt", []byte(policy), knowledge.AddOptions{}); res.Err != nil {
		t.Fatal(res.Err)
	}
	if err := kb.FinishIngest(context.Background()); err != nil {
		t.Fatal(err)
	}
	ans := &knowledge.Answerer{Retriever: &knowledge.Retriever{Store: db, Local: models.NewLocalEmbedder(), Today: time.Now, Opts: knowledge.DefaultRetrieveOptions}, Fallback: "未找到。"}
	router := bot.NewRouter(db, ans, db, db, nil, nil, bot.Options{MaxMessageLen: 500, MaxAge: time.Hour, ContextTTL: time.Minute, FormTTL: time.Minute, Outboxes: []string{Channel}})
	r := &rig{db: db, router: router, api: kffake.New(t)}
	r.kf = r.newKF()
	router.AddInterceptor(r.kf.Interceptor())
	return r
}

// newKF is a fresh process's channel on the same database and API.
func (r *rig) newKF() *KF {
	return &KF{Router: r.router, Store: r.db, Opts: Options{BaseURL: r.api.URL(), CorpID: corpID, Secret: secret, Token: cbToken, EncodingAESKey: aesKey43}}
}

func (r *rig) flush(t testing.TB) {
	t.Helper()
	if _, err := (&bot.Outbox{Store: r.db, Channel: Channel, Owner: "test", Sender: r.kf}).Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestCallbackSignature(t *testing.T) {
	k := &KF{Opts: Options{CorpID: corpID, Token: cbToken, EncodingAESKey: aesKey43}}
	h := k.Handler()
	c, err := NewCrypto(cbToken, aesKey43, corpID)
	if err != nil {
		t.Fatal(err)
	}
	query := func(enc string, sig string) string {
		return "?" + url.Values{"msg_signature": {sig}, "timestamp": {"1700000000"}, "nonce": {"n1"}, "echostr": {enc}}.Encode()
	}
	echo := c.Seal([]byte("12345echo"))
	for name, tc := range map[string]struct {
		sig    string
		status int
	}{
		"good": {c.Signature("1700000000", "n1", echo), 200},
		"bad":  {strings.Repeat("0", 40), 403},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/kf"+query(echo, tc.sig), nil))
		if rec.Code != tc.status || (tc.status == 200 && rec.Body.String() != "12345echo") {
			t.Errorf("%s URL check: %d %q", name, rec.Code, rec.Body.String())
		}
	}
	event := c.Seal([]byte(`<xml><ToUserName><![CDATA[` + corpID + `]]></ToUserName><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[T1]]></Token><OpenKfId><![CDATA[wkBUREAU]]></OpenKfId></xml>`))
	other, _ := NewCrypto(cbToken, aesKey43, "ww-other")
	foreign := other.Seal([]byte(`<xml><Event>kf_msg_or_event</Event></xml>`))
	post := func(enc, sig string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		body := `<xml><ToUserName><![CDATA[` + corpID + `]]></ToUserName><Encrypt><![CDATA[` + enc + `]]></Encrypt></xml>`
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/kf"+query("", sig), strings.NewReader(body)))
		return rec
	}
	if rec := post(event, c.Signature("1700000000", "n1", event)); rec.Code != 200 || rec.Body.String() != "success" {
		t.Fatalf("good callback: %d %q", rec.Code, rec.Body.String())
	}
	select {
	case w := <-k.wake:
		if w.openKfID != "wkBUREAU" || w.token != "T1" {
			t.Fatalf("wake: %+v", w)
		}
	default:
		t.Fatal("a good callback did not wake the reader")
	}
	if rec := post(event, c.Signature("1700000001", "n1", event)); rec.Code != 403 {
		t.Fatalf("replayed signature: %d", rec.Code)
	}
	if rec := post(foreign, c.Signature("1700000000", "n1", foreign)); rec.Code != 403 {
		t.Fatalf("another corp's message: %d", rec.Code)
	}
	if len(k.wake) != 0 {
		t.Fatal("a refused callback woke the reader")
	}
}

// Pages are read to the end from the stored cursor; only customers'
// messages are answered; a restart reads nothing again, and a cursor lost
// before it was stored repeats no answer.
func TestSyncPagingAndCursor(t *testing.T) {
	r := newRig(t)
	r.api.Add("m1", "wmA", "购买科技成果补助的比例是多少？", 3)
	r.api.Add("e1", "wmA", "", 4)
	r.api.Add("m2", "wmB", "购买科技成果补助需要提交什么材料？", 3)
	r.api.Add("s1", "wmB", "接待人员的回复", 5)
	r.api.Add("m3", "wmC", "你好", 3)
	n, err := r.kf.Sync(context.Background(), "wkBUREAU", "T1")
	if err != nil || n != 3 {
		t.Fatalf("sync: %d, %v", n, err)
	}
	r.flush(t)
	sent := r.api.Sent()
	if len(sent) != 3 || !strings.HasPrefix(sent[0], "wmA: ") || !strings.Contains(sent[0], "10%") || !strings.Contains(sent[1], "营业执照") {
		t.Fatalf("sent: %q", sent)
	}
	if got := strings.Join(r.api.Cursors(), ","); got != ",2,4" {
		t.Fatalf("cursors asked: %q", got)
	}
	// A restart: a new process reads from the stored cursor.
	r.api.Add("m4", "wmA", "单个项目最高补助多少？", 3)
	k2 := r.newKF()
	if n, err := k2.Sync(context.Background(), "wkBUREAU", ""); err != nil || n != 1 {
		t.Fatalf("after restart: %d, %v", n, err)
	}
	// The cursor lost (a crash before it was stored): pages are read
	// again, nothing is answered twice.
	if err := r.db.SaveChannelSession(context.Background(), "kf-cursor:wkBUREAU", []byte("0")); err != nil {
		t.Fatal(err)
	}
	if _, err := k2.Sync(context.Background(), "wkBUREAU", ""); err != nil {
		t.Fatal(err)
	}
	r.flush(t)
	if sent := r.api.Sent(); len(sent) != 4 {
		t.Fatalf("after a repeated read: %d sends, want 4: %q", len(sent), sent)
	}
}

// Five messages within 48 hours of the person's last: a long answer takes
// the window, its last part offers the rest; a sixth reply is refused;
// “继续” (a new message, a new window) gets the rest.
func TestSendWindow(t *testing.T) {
	r := newRig(t)
	r.api.Add("m1", "wmA", "购买科技成果补助的比例是多少？", 3)
	if _, err := r.kf.Sync(context.Background(), "wkBUREAU", ""); err != nil {
		t.Fatal(err)
	}
	r.flush(t) // the answer: one message of five
	var long []string
	for i := range 8 {
		long = append(long, fmt.Sprintf("第%d段", i+1)+strings.Repeat("政策内容", 140))
	}
	if err := r.kf.Send(context.Background(), "wkBUREAU/wmA", bot.Private, strings.Join(long, "\n")); err != nil {
		t.Fatal(err)
	}
	sent := r.api.Sent()
	if len(sent) != 5 {
		t.Fatalf("sends: %d, want 5", len(sent))
	}
	for _, s := range sent {
		if len(strings.TrimPrefix(s, "wmA: ")) > MaxTextBytes {
			t.Fatalf("a message over %d bytes", MaxTextBytes)
		}
	}
	if !strings.HasSuffix(sent[4], ReplyMore) || strings.Contains(sent[4], "第5段") {
		t.Fatalf("last message: %q", sent[4][len(sent[4])-80:])
	}
	if err := r.kf.Send(context.Background(), "wkBUREAU/wmA", bot.Private, "再一条"); !errors.Is(err, ErrWindowClosed) {
		t.Fatalf("sixth message: %v", err)
	}
	r.api.Add("m2", "wmA", "继续", 3)
	if _, err := r.kf.Sync(context.Background(), "wkBUREAU", ""); err != nil {
		t.Fatal(err)
	}
	r.flush(t)
	sent = r.api.Sent()
	rest := strings.Join(sent[5:], "")
	if !strings.Contains(rest, "第5段") || !strings.Contains(rest, "第8段") {
		t.Fatalf("the rest after 继续: %d messages", len(sent)-5)
	}
	r.api.Add("m3", "wmA", "继续", 3)
	r.kf.Sync(context.Background(), "wkBUREAU", "")
	r.flush(t)
	if last := r.api.Sent(); !strings.HasSuffix(last[len(last)-1], ReplyNone) {
		t.Fatalf("继续 with nothing left: %q", last[len(last)-1])
	}
}

// The access token is fetched once and reused; when WeCom says it expired,
// a new one is fetched once and the call goes through.
func TestAccessTokenCache(t *testing.T) {
	r := newRig(t)
	for range 3 {
		if _, err := r.kf.Sync(context.Background(), "wkBUREAU", ""); err != nil {
			t.Fatal(err)
		}
	}
	if r.api.Tokens() != 1 {
		t.Fatalf("gettoken calls: %d", r.api.Tokens())
	}
	r.api.ExpireToken()
	if _, err := r.kf.Sync(context.Background(), "wkBUREAU", ""); err != nil {
		t.Fatal(err)
	}
	if r.api.Tokens() != 2 {
		t.Fatalf("gettoken calls after expiry: %d", r.api.Tokens())
	}
	bad := &KF{Router: r.router, Store: r.db, Opts: Options{BaseURL: r.api.URL(), CorpID: corpID, Secret: "wrong", Token: cbToken, EncodingAESKey: aesKey43}}
	if _, err := bad.Sync(context.Background(), "wkBUREAU", ""); err == nil || !strings.Contains(err.Error(), "INCUBOT_KF_SECRET") {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestCheck(t *testing.T) {
	api := kffake.New(t)
	good := &KF{Opts: Options{BaseURL: api.URL(), CorpID: corpID, Secret: secret, Token: cbToken, EncodingAESKey: aesKey43}}
	if err := good.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	bad := &KF{Opts: Options{BaseURL: api.URL(), CorpID: corpID, Secret: "wrong", Token: cbToken, EncodingAESKey: aesKey43}}
	if err := bad.Check(context.Background()); err == nil {
		t.Fatal("a wrong secret passed the check")
	}
}
