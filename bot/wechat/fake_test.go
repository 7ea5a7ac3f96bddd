package wechat

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/internal/model"
	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/internal/testdb"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/models"
)

// fakeWeb speaks enough of the web-WeChat protocol for a login, a sync
// that delivers messages, the contact list and sending text.
type fakeWeb struct {
	srv      *httptest.Server
	mu       sync.Mutex
	jslogins int
	checks   int
	inbox    []map[string]any // messages the next webwxsync delivers
	sent     []string         // texts the bot sent, "to: content"
	paths    map[string]int
	remarks  []string          // remark names the bot set, "user: name"
	noRemark bool              // refuse remark changes, as WeChat may
	images   map[string][]byte // photo bytes by message id
	media    []byte            // the bytes of any attached file
	gets     map[string]int    // downloads by path: webwxgetmsgimg, webwxgetmedia
}

// deliverMsg puts a message of any type in the next sync.
func (f *fakeWeb) deliverMsg(m map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m["ToUserName"], m["CreateTime"] = "@self", time.Now().Unix()
	f.inbox = append(f.inbox, m)
}

func newFakeWeb(t *testing.T) *fakeWeb {
	f := &fakeWeb{paths: map[string]int{}, images: map[string][]byte{}, gets: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeWeb) deliver(id, from, text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inbox = append(f.inbox, map[string]any{"MsgId": id, "FromUserName": from, "ToUserName": "@self", "MsgType": 1, "Content": text, "CreateTime": time.Now().Unix()})
}

func (f *fakeWeb) sentTexts() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.sent...)
}

var ok = map[string]any{"Ret": 0, "ErrMsg": ""}

func (f *fakeWeb) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.paths[r.URL.Path]++
	f.mu.Unlock()
	js := func(v any) { w.Header().Set("Content-Type", "application/json"); json.NewEncoder(w).Encode(v) }
	syncKey := map[string]any{"Count": 1, "List": []map[string]int{{"Key": 1, "Val": 2}}}
	switch {
	case strings.HasSuffix(r.URL.Path, "/jslogin"):
		f.mu.Lock()
		f.jslogins++
		f.mu.Unlock()
		fmt.Fprint(w, `window.QRLogin.code = 200; window.QRLogin.uuid = "fake-uuid";`)
	case strings.HasSuffix(r.URL.Path, "/mmwebwx-bin/login"):
		f.mu.Lock()
		f.checks++
		n := f.checks
		f.mu.Unlock()
		if n == 1 {
			fmt.Fprint(w, `window.code=201;`)
			return
		}
		fmt.Fprint(w, `window.code=200;`+"\n"+`window.redirect_uri="https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T&uuid=fake-uuid&lang=zh_CN&scan=1";`)
	case strings.HasSuffix(r.URL.Path, "/webwxgetmsgimg"):
		f.mu.Lock()
		f.gets["webwxgetmsgimg"]++
		b := f.images[r.URL.Query().Get("MsgID")]
		f.mu.Unlock()
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(b)
	case strings.HasSuffix(r.URL.Path, "/webwxgetmedia"):
		f.mu.Lock()
		f.gets["webwxgetmedia"]++
		b := f.media
		f.mu.Unlock()
		if r.URL.Query().Get("webwx_data_ticket") != "ticket" {
			http.Error(w, "no ticket", http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(b)
	case strings.HasSuffix(r.URL.Path, "/webwxnewloginpage"):
		http.SetCookie(w, &http.Cookie{Name: "webwx_data_ticket", Value: "ticket", Domain: "wx.qq.com", Path: "/"})
		fmt.Fprint(w, `<error><ret>0</ret><message></message><skey>@crypt_s</skey><wxsid>sid</wxsid><wxuin>1001</wxuin><pass_ticket>pt</pass_ticket><isgrayscale>1</isgrayscale></error>`)
	case strings.HasSuffix(r.URL.Path, "/webwxinit"):
		js(map[string]any{"BaseResponse": ok, "User": map[string]any{"Uin": 1001, "UserName": "@self", "NickName": "小助手"}, "SyncKey": syncKey, "SKey": "@crypt_s", "ContactList": []any{}})
	case strings.HasSuffix(r.URL.Path, "/webwxstatusnotify"):
		js(map[string]any{"BaseResponse": ok, "MsgID": "1"})
	case strings.HasSuffix(r.URL.Path, "/webwxgetcontact"):
		js(map[string]any{"BaseResponse": ok, "MemberCount": 1, "Seq": 0, "MemberList": []map[string]any{
			{"UserName": "@friend1", "NickName": "张三", "RemarkName": "张三-科技公司", "VerifyFlag": 0, "ContactFlag": 3},
			{"UserName": "@friend2", "NickName": "小李", "VerifyFlag": 0, "ContactFlag": 3},
			{"UserName": "@stranger", "NickName": "李科长#1", "VerifyFlag": 0, "ContactFlag": 3},
		}})
	case strings.HasSuffix(r.URL.Path, "/webwxoplog"):
		var body struct{ UserName, RemarkName string }
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &body)
		f.mu.Lock()
		refuse := f.noRemark
		if !refuse {
			f.remarks = append(f.remarks, body.UserName+": "+body.RemarkName)
		}
		f.mu.Unlock()
		if refuse {
			js(map[string]any{"BaseResponse": map[string]any{"Ret": 1, "ErrMsg": "refused"}})
			return
		}
		js(map[string]any{"BaseResponse": ok})
	case strings.HasSuffix(r.URL.Path, "/synccheck"):
		f.mu.Lock()
		pending := len(f.inbox)
		f.mu.Unlock()
		if pending == 0 {
			select {
			case <-time.After(100 * time.Millisecond):
			case <-r.Context().Done():
			}
			fmt.Fprint(w, `window.synccheck={retcode:"0",selector:"0"}`)
			return
		}
		fmt.Fprint(w, `window.synccheck={retcode:"0",selector:"2"}`)
	case strings.HasSuffix(r.URL.Path, "/webwxsync"):
		f.mu.Lock()
		msgs := f.inbox
		f.inbox = nil
		f.mu.Unlock()
		js(map[string]any{"BaseResponse": ok, "AddMsgCount": len(msgs), "AddMsgList": msgs, "SyncKey": syncKey, "SyncCheckKey": syncKey})
	case strings.HasSuffix(r.URL.Path, "/webwxsendmsg"):
		var body struct {
			Msg struct{ Content, ToUserName string }
		}
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &body)
		f.mu.Lock()
		f.sent = append(f.sent, body.Msg.ToUserName+": "+body.Msg.Content)
		f.mu.Unlock()
		js(map[string]any{"BaseResponse": ok, "MsgID": "s1", "LocalID": "l1"})
	default:
		js(map[string]any{"BaseResponse": ok})
	}
}

// redirect sends every request of the web protocol to the fake server.
type redirect struct{ to *url.URL }

func (t redirect) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host = t.to.Scheme, t.to.Host
	return http.DefaultTransport.RoundTrip(r)
}

const policy = `# XX区企业购买科技成果补助暂行办法
第六条 按技术合同实际支付技术交易额的10%给予补助，单个项目最高补助50万元。
第九条 申请补助的企业应当提交以下材料：申请表、营业执照复印件、技术合同登记证明。
`

// A QR login, a private question delivered by sync, the answer sent back;
// then a second run logs in hot from the stored session, without a QR.
func TestAgainstFakeWebWeChat(t *testing.T) {
	db := testdb.New(t)
	kb := &knowledge.KB{Store: db, Local: models.NewLocalEmbedder(), Embedder: models.NewLocalEmbedder()}
	if res := kb.Add(context.Background(), "p.txt", []byte(policy), knowledge.AddOptions{}); res.Err != nil {
		t.Fatal(res.Err)
	}
	kb.FinishIngest(context.Background())
	ans := &knowledge.Answerer{Retriever: &knowledge.Retriever{Store: db, Local: models.NewLocalEmbedder(), Today: time.Now, Opts: knowledge.DefaultRetrieveOptions}, Fallback: "未找到。"}
	router := bot.NewRouter(db, ans, db, db, nil, nil, bot.Options{BotName: "小助手", MaxMessageLen: 500, MaxAge: time.Hour, ContextTTL: time.Minute, FormTTL: time.Minute, Outboxes: []string{Channel}})
	fake := newFakeWeb(t)
	target, _ := url.Parse(fake.srv.URL)
	qr := t.TempDir() + "/qr.png"
	run := func(check func()) {
		w := &WeChat{Router: router, Store: db, Sessions: db, Log: slog.New(slog.DiscardHandler),
			Opts: Options{QRFile: qr, Workers: 2, Transport: redirect{target}}}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- w.Run(ctx) }()
		check()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not stop within 10 s of the cancel")
		}
	}
	waitSent := func(n int) []string {
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if s := fake.sentTexts(); len(s) >= n {
				return s
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("no reply sent; paths seen: %v", fake.paths)
		return nil
	}
	run(func() {
		fake.deliver("m1", "@friend1", "购买科技成果补助的比例是多少？")
		sent := waitSent(1)
		if !strings.HasPrefix(sent[0], "@friend1: ") || !strings.Contains(sent[0], "第六条") {
			t.Fatalf("reply: %q", sent)
		}
		fake.deliver("m1", "@friend1", "购买科技成果补助的比例是多少？") // redelivered
		fake.deliver("m2", "@self", "自己发的消息")
		time.Sleep(500 * time.Millisecond)
	})
	if sent := fake.sentTexts(); len(sent) != 1 {
		t.Fatalf("a redelivered or own message must not be answered: %q", sent)
	}
	if fake.jslogins != 1 {
		t.Fatalf("the first run logs in by QR once, jslogin called %d times", fake.jslogins)
	}
	if _, _, err := db.ChannelSession(context.Background(), Channel); err != nil {
		t.Fatalf("the session must be stored for hot login: %v", err)
	}
	run(func() {
		fake.deliver("m3", "@friend1", "申请补助要提交什么材料")
		if sent := waitSent(2); !strings.Contains(sent[1], "第九条") {
			t.Fatalf("reply after hot login: %q", sent)
		}
	})
	if fake.jslogins != 1 {
		t.Fatalf("the second run must log in hot, without a QR code; jslogin called %d times", fake.jslogins)
	}
}

// Finding 2: binding gives the contact a remark name the bot sets itself;
// the binding rests on it, so a stranger whose nickname is that very name
// gets no role. When WeChat refuses the remark, the binding waits and the
// code stays valid.
func TestBindingSetsARemarkNameNicknamesNeverMatch(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	router := bot.NewRouter(db, nil, db, db, db, nil, bot.Options{BotName: "小助手", MaxMessageLen: 500, MaxAge: time.Hour, ContextTTL: time.Minute, FormTTL: time.Minute, Outboxes: []string{Channel}})
	router.Codes = db
	router.AddCommand(bot.Command{Names: []string{"待核验"}, Roles: []string{bot.RoleOfficer}, Usage: "待核验", Help: "-",
		Run: func(context.Context, *bot.Request) (string, error) { return "officer ok", nil }})
	router.AddCommand(bot.Command{Names: []string{"绑定"}, Usage: "绑定", Help: "-", Run: func(ctx context.Context, req *bot.Request) (string, error) {
		inv, err := db.Invitation(ctx, model.HashCode(req.Code), time.Now())
		if err != nil {
			return "no code", nil
		}
		sender, chat, err := req.Anchor(ctx, fmt.Sprintf("%s#%d", inv.Name, inv.ID))
		if err != nil {
			return "remark refused", nil
		}
		if _, err := db.Bind(ctx, model.HashCode(req.Code), req.Msg.Channel, sender, req.Msg.SenderName, chat, time.Now()); err != nil {
			return "", err
		}
		return "bound " + sender, nil
	}})
	if p, err := db.Invite(ctx, "李科长", bot.RoleOfficer, nil, model.HashCode("CODE1234"), time.Now().Add(time.Hour), nil, postgres.Actor{Name: "t"}); err != nil || p.ID != 1 {
		t.Fatalf("invite: %+v %v", p, err)
	}
	fake := newFakeWeb(t)
	target, _ := url.Parse(fake.srv.URL)
	w := &WeChat{Router: router, Store: db, Sessions: db, Log: slog.New(slog.DiscardHandler), Opts: Options{Workers: 1, Transport: redirect{target}}}
	router.Anchors = map[string]bot.Anchorer{Channel: w}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()
	defer func() { cancel(); <-done }()
	wait := func(n int) []string {
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if s := fake.sentTexts(); len(s) >= n {
				return s
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("%d replies expected, got %q", n, fake.sentTexts())
		return nil
	}
	fake.mu.Lock()
	fake.noRemark = true
	fake.mu.Unlock()
	fake.deliver("b1", "@friend2", "绑定 CODE1234")
	if s := wait(1); s[0] != "@friend2: remark refused" {
		t.Fatalf("a refused remark stops the binding: %q", s)
	}
	fake.mu.Lock()
	fake.noRemark = false
	fake.mu.Unlock()
	fake.deliver("b2", "@friend2", "绑定 CODE1234")
	if s := wait(2); s[1] != "@friend2: bound remark:李科长#1" {
		t.Fatalf("binding after the remark is set: %q", s)
	}
	if fake.remarks[0] != "@friend2: 李科长#1" {
		t.Fatalf("the bot sets the remark itself: %q", fake.remarks)
	}
	fake.deliver("b3", "@friend2", "待核验")
	fake.deliver("b4", "@stranger", "待核验")
	s := wait(4)
	if s[2] != "@friend2: officer ok" || !strings.Contains(s[3], "只对科技局工作人员开放") {
		t.Fatalf("the bound contact is the officer, the stranger with the remark as nickname is not: %q", s[2:])
	}
}
