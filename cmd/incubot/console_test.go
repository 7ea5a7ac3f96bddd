package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/incubot/incubot/bot/console"
	"github.com/incubot/incubot/bot/ops"
	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/internal/testdb"
	"github.com/incubot/incubot/internal/web"
	"github.com/incubot/incubot/knowledge"
)

// consoleEnv is the console served over HTTP on a test database with the
// demo people (李科长, officer; 王经理, manager of 创客城) and a second
// incubator, 星空众创空间, with one asset of its own.
type consoleEnv struct {
	t       testing.TB
	a       *app
	db      *postgres.DB
	c       *web.Console
	srv     *httptest.Server
	handler http.Handler
	mu      sync.Mutex
	now     time.Time
	officer int64
	manager int64
	other   incubator.Incubator
}

func newConsoleEnv(t testing.TB) *consoleEnv {
	t.Helper()
	ctx := context.Background()
	db := testdb.New(t)
	a, err := newApp(strings.NewReader(""), io.Discard, io.Discard, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	a.store = db
	if err := a.loadIncubatorDemo(ctx, db); err != nil {
		t.Fatal(err)
	}
	e := &consoleEnv{t: t, a: a, db: db, now: time.Now()}
	for name, id := range map[string]*int64{"李科长": &e.officer, "王经理": &e.manager} {
		p, err := db.PersonByContact(ctx, console.Channel, name)
		if err != nil {
			t.Fatal(err)
		}
		*id = p.ID
	}
	demo := postgres.Actor{Name: "test", Role: "officer", Channel: "cli"}
	if e.other, err = db.EnsureIncubator(ctx, "星空众创空间", demo); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportAssets(ctx, e.other.ID, []incubator.Asset{{Code: "XK-001", Name: "服务器", Quantity: 1, UnitPrice: 1200000}}, demo); err != nil {
		t.Fatal(err)
	}
	e.c = a.consoleOn(db, "")
	e.c.Now = func() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }
	mux := http.NewServeMux()
	mux.Handle(web.Prefix, e.c.Handler())
	e.handler = mux
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	e.c.BaseURL = e.srv.URL
	return e
}

func (e *consoleEnv) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// browser is one person's cookie jar.
type browser struct {
	e      *consoleEnv
	client *http.Client
}

func (e *consoleEnv) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, client: &http.Client{Jar: jar}}
}

func (e *consoleEnv) link(personID int64) string {
	e.t.Helper()
	l, err := e.c.LoginLink(context.Background(), personID)
	if err != nil {
		e.t.Fatal(err)
	}
	return l
}

func tokenOf(link string) string { return link[strings.LastIndex(link, "/")+1:] }

func (b *browser) do(req *http.Request) (int, string) {
	b.e.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (b *browser) get(path string) (int, string) {
	req, _ := http.NewRequest("GET", b.e.srv.URL+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) (int, string) {
	req, _ := http.NewRequest("POST", b.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// signIn opens a link and presses 登录, as a person does.
func (b *browser) signIn(link string) (int, string) {
	b.e.t.Helper()
	u, _ := url.Parse(link)
	if code, body := b.get(u.Path); code != 200 || !strings.Contains(body, "登录科技局后台") {
		b.e.t.Fatalf("login page: %d %s", code, body)
	}
	return b.post(web.Prefix+"login", url.Values{"token": {tokenOf(link)}})
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the form token a signed-in page carries.
func (b *browser) csrf() string {
	b.e.t.Helper()
	_, body := b.get(web.Prefix + "faq")
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		b.e.t.Fatalf("no csrf token on the page: %s", body)
	}
	return m[1]
}

func TestConsoleSignInAndSessions(t *testing.T) {
	e := newConsoleEnv(t)
	ctx := context.Background()

	t.Run("no session", func(t *testing.T) {
		b := e.browser()
		for _, p := range []string{"", "docs", "assets", "people", "reports/export"} {
			code, body := b.get(web.Prefix + p)
			if code != http.StatusUnauthorized || !strings.Contains(body, "请先登录") || !strings.Contains(body, "后台") {
				t.Fatalf("%s without a session: %d %s", p, code, body)
			}
		}
		code, _ := b.post(web.Prefix+"faq", url.Values{"question": {"问"}, "answer": {"答"}})
		if code != http.StatusUnauthorized {
			t.Fatalf("a form without a session: %d", code)
		}
	})

	t.Run("link signs in once", func(t *testing.T) {
		b := e.browser()
		link := e.link(e.officer)
		if !strings.HasPrefix(link, e.srv.URL+"/console/login/") {
			t.Fatalf("link %q", link)
		}
		code, body := b.signIn(link)
		if code != 200 || !strings.Contains(body, "政策库") || !strings.Contains(body, "李科长") {
			t.Fatalf("sign in: %d %s", code, body)
		}
		code, body = e.browser().signIn(link)
		if code != http.StatusUnauthorized || !strings.Contains(body, "已使用过") {
			t.Fatalf("a reused link must be refused: %d %s", code, body)
		}
	})

	t.Run("expired link", func(t *testing.T) {
		link := e.link(e.officer)
		e.advance(16 * time.Minute)
		defer e.advance(-16 * time.Minute)
		code, body := e.browser().signIn(link)
		if code != http.StatusUnauthorized || !strings.Contains(body, "已过期") {
			t.Fatalf("an expired link must be refused: %d %s", code, body)
		}
	})

	t.Run("made-up token", func(t *testing.T) {
		code, _ := e.browser().post(web.Prefix+"login", url.Values{"token": {"not-a-token"}})
		if code != http.StatusUnauthorized {
			t.Fatalf("a made-up token: %d", code)
		}
	})

	t.Run("links only for officers and managers", func(t *testing.T) {
		// The function the 后台 chat command calls.
		if e.a.cfg.HTTPAddr == "" && e.a.cfg.ConsoleURL == "" {
			if e.a.consoleLinkFor(e.db) != nil {
				t.Fatal("with no console served, 后台 must say so instead of giving a link")
			}
			e.a.cfg.ConsoleURL = "http://127.0.0.1:8080"
		}
		linkFor := e.a.consoleLinkFor(e.db)
		if _, _, err := linkFor(ctx, 999999); !errors.Is(err, ops.ErrNotStaff) {
			t.Fatalf("an enterprise user (no person record) got a link: %v", err)
		}
		p, err := e.db.Invite(ctx, "赵企业", "enterprise", nil, "hash-of-nothing", time.Now().Add(time.Hour), nil, cliActor)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := linkFor(ctx, p.ID); !errors.Is(err, ops.ErrNotStaff) {
			t.Fatalf("an enterprise user got a link: %v", err)
		}
		if l, minutes, err := linkFor(ctx, e.manager); err != nil || !strings.Contains(l, "/console/login/") || minutes <= 0 {
			t.Fatalf("a bound manager: %q %v", l, err)
		}
	})

	t.Run("links and cookies are stored hashed", func(t *testing.T) {
		link := e.link(e.manager)
		if _, err := e.db.UseLoginLink(ctx, tokenOf(link), time.Now()); !errors.Is(err, postgres.ErrNotFound) {
			t.Fatalf("the raw token is in the database: %v", err)
		}
		b := e.browser()
		b.signIn(link)
		u, _ := url.Parse(e.srv.URL + "/console/")
		cks := b.client.Jar.Cookies(u)
		if len(cks) != 1 {
			t.Fatalf("cookies %v", cks)
		}
		if _, err := e.db.ConsoleSessionByHash(ctx, cks[0].Value); !errors.Is(err, postgres.ErrNotFound) {
			t.Fatalf("the raw cookie is in the database: %v", err)
		}
		if _, err := e.db.ConsoleSessionByHash(ctx, sha256Hex(cks[0].Value)); err != nil {
			t.Fatalf("the cookie's hash is not: %v", err)
		}
	})

	t.Run("cookie flags", func(t *testing.T) {
		link := e.link(e.officer)
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		req, _ := http.NewRequest("POST", e.srv.URL+"/console/login", strings.NewReader(url.Values{"token": {tokenOf(link)}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-Proto", "https")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		sc := resp.Header.Get("Set-Cookie")
		for _, want := range []string{"HttpOnly", "SameSite=Lax", "Secure", "Path=/console/"} {
			if !strings.Contains(sc, want) {
				t.Fatalf("cookie %q lacks %s", sc, want)
			}
		}
		if resp.Header.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Fatalf("security headers: %v", resp.Header)
		}
	})

	t.Run("idle and absolute expiry", func(t *testing.T) {
		b := e.browser()
		b.signIn(e.link(e.officer))
		e.advance(2*time.Hour + time.Minute)
		code, body := b.get(web.Prefix + "docs")
		e.advance(-(2*time.Hour + time.Minute))
		if code != http.StatusUnauthorized || !strings.Contains(body, "登录已过期") {
			t.Fatalf("an idle session must end: %d %s", code, body)
		}
		b = e.browser()
		b.signIn(e.link(e.officer))
		total := time.Duration(0)
		for total < 12*time.Hour {
			e.advance(90 * time.Minute)
			total += 90 * time.Minute
			code, _ = b.get(web.Prefix + "docs")
			if total < 12*time.Hour && code != 200 {
				t.Fatalf("an active session ended after %s: %d", total, code)
			}
		}
		e.advance(-total)
		if code != http.StatusUnauthorized {
			t.Fatalf("a session must end after 12 hours however active: %d", code)
		}
	})

	t.Run("missing or wrong CSRF token", func(t *testing.T) {
		b := e.browser()
		b.signIn(e.link(e.officer))
		before, _ := e.db.FAQs(ctx)
		for _, token := range []string{"", "forged"} {
			code, body := b.post(web.Prefix+"faq", url.Values{"question": {"伪造的问题"}, "answer": {"伪造的答案"}, "csrf": {token}})
			if code != http.StatusForbidden || !strings.Contains(body, "刷新页面") {
				t.Fatalf("a form with csrf %q: %d %s", token, code, body)
			}
		}
		after, _ := e.db.FAQs(ctx)
		if len(after) != len(before) {
			t.Fatalf("a form without its token changed the FAQ: %d → %d", len(before), len(after))
		}
		code, _ := b.post(web.Prefix+"faq", url.Values{"question": {"真的问题"}, "answer": {"真的答案"}, "csrf": {b.csrf()}})
		if after, _ = e.db.FAQs(ctx); code != 200 || len(after) != len(before)+1 {
			t.Fatalf("the same form with its token: %d, %d FAQs", code, len(after))
		}
	})

	t.Run("sign-out", func(t *testing.T) {
		b := e.browser()
		b.signIn(e.link(e.officer))
		code, body := b.post(web.Prefix+"logout", url.Values{"csrf": {b.csrf()}})
		if code != 200 || !strings.Contains(body, "已退出登录") {
			t.Fatalf("sign-out: %d %s", code, body)
		}
		if code, _ := b.get(web.Prefix + "docs"); code != http.StatusUnauthorized {
			t.Fatalf("after sign-out: %d", code)
		}
	})

	t.Run("revoked officer", func(t *testing.T) {
		p, err := e.db.Invite(ctx, "钱科员", "officer", nil, "h-qian", time.Now().Add(time.Hour), nil, cliActor)
		if err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		if code, body := b.signIn(e.link(p.ID)); code != 200 {
			t.Fatalf("before revoking: %d %s", code, body)
		}
		if err := e.db.Revoke(ctx, p.ID, cliActor); err != nil {
			t.Fatal(err)
		}
		if code, body := b.get(web.Prefix + "docs"); code != http.StatusForbidden || !strings.Contains(body, "撤销") {
			t.Fatalf("a revoked officer's session must end: %d %s", code, body)
		}
		if _, err := e.c.LoginLink(ctx, p.ID); !errors.Is(err, web.ErrNotStaff) {
			t.Fatalf("a revoked officer got a link: %v", err)
		}
	})

	t.Run("attempts are rate-limited", func(t *testing.T) {
		b := e.browser()
		var code int
		for i := 0; i < 12; i++ {
			code, _ = b.post(web.Prefix+"login", url.Values{"token": {"guess"}})
		}
		if code != http.StatusTooManyRequests {
			t.Fatalf("the 12th attempt in 15 minutes: %d", code)
		}
		code, body := b.signIn(e.link(e.officer))
		if code != http.StatusTooManyRequests || !strings.Contains(body, "15 分钟") {
			t.Fatalf("even a good link waits: %d %s", code, body)
		}
		e.advance(16 * time.Minute)
		defer e.advance(-16 * time.Minute)
		if code, _ := b.signIn(e.link(e.officer)); code != 200 {
			t.Fatalf("after 15 minutes: %d", code)
		}
	})
}

func TestConsoleRoles(t *testing.T) {
	e := newConsoleEnv(t)
	ctx := context.Background()
	mgr := e.browser()
	if code, body := mgr.signIn(e.link(e.manager)); code != 200 || !strings.Contains(body, "资产台账") || !strings.Contains(body, "CKC-001") {
		t.Fatalf("a manager lands on their register: %d %s", code, body)
	}
	_, body := mgr.get(web.Prefix + "assets")
	if strings.Contains(body, "XK-001") {
		t.Fatal("a manager sees another incubator's asset")
	}
	others, err := e.db.Assets(ctx, e.other.ID, "")
	if err != nil || len(others) != 1 {
		t.Fatal(others, err)
	}
	for _, p := range []string{
		"assets?incubator=" + itoa(e.other.ID),
		"assets/" + itoa(int(others[0].ID)),
		"reports?incubator=" + itoa(e.other.ID),
		"reports/export?incubator=" + itoa(e.other.ID),
	} {
		code, body := mgr.get(web.Prefix + p)
		if code != http.StatusForbidden || !strings.Contains(body, "只能查看本孵化器（创客城）") {
			t.Fatalf("a manager reaching %s: %d %s", p, code, body)
		}
	}
	for _, p := range []string{"docs", "hittest", "faq", "questions", "log", "people", "audit"} {
		if code, body := mgr.get(web.Prefix + p); code != http.StatusForbidden || !strings.Contains(body, "只对科技局工作人员开放") {
			t.Fatalf("a manager opening %s: %d", p, code)
		}
	}
	// A manager cannot approve their own report, with a valid token either.
	asset := mustAsset(t, e.db, "CKC-001")
	rep := incubator.AssetReport{AssetID: asset.ID, Kind: "缺失", Reporter: "王经理", Channel: "console"}
	if err := e.db.CreateAssetReport(ctx, &rep, postgres.Actor{Name: "王经理", Role: "manager", Channel: "console"}); err != nil {
		t.Fatal(err)
	}
	code, _ := mgr.post(web.Prefix+"reports/"+itoa(int(rep.ID))+"/review", url.Values{"decision": {"pass"}, "csrf": {csrfFrom(t, mgr, "reports")}})
	if code != http.StatusForbidden {
		t.Fatalf("a manager approving a report: %d", code)
	}
	if r, _ := e.db.AssetReportByID(ctx, rep.ID); r.Review != incubator.ReviewPending {
		t.Fatalf("the report changed: %s", r.Review)
	}
	// The manager's own export holds only their incubator.
	code, body = mgr.get(web.Prefix + "reports/export")
	if code != 200 || strings.Contains(body, "XK-001") {
		t.Fatalf("a manager's export: %d", code)
	}
}

func mustAsset(t testing.TB, db *postgres.DB, code string) incubator.Asset {
	t.Helper()
	list, err := db.AssetsByCode(context.Background(), code)
	if err != nil || len(list) != 1 {
		t.Fatalf("asset %s: %v %v", code, list, err)
	}
	return list[0]
}

func csrfFrom(t *testing.T, b *browser, page string) string {
	t.Helper()
	_, body := b.get(web.Prefix + page)
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf token on %s", page)
	}
	return m[1]
}

func itoa(i int) string { return strconv.Itoa(i) }

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Every page renders for the people who may see it, with the demo data and
// a report, a question and a document in place.
func TestConsolePagesRender(t *testing.T) {
	e := newConsoleEnv(t)
	ctx := context.Background()
	if r := e.a.kbOn(e.db).Add(ctx, "XX区企业购买科技成果补助暂行办法.md", []byte("第六条 按技术合同实际支付技术交易额的10%给予补助。\n"), knowledge.AddOptions{}); r.Err != nil {
		t.Fatal(r.Err)
	}
	e.chat("专精特新小巨人怎么申报？")
	asset := mustAsset(t, e.db, "CKC-001")
	rep := incubator.AssetReport{AssetID: asset.ID, Kind: "缺失", Reporter: "王经理", Channel: "console"}
	if err := e.db.CreateAssetReport(ctx, &rep, postgres.Actor{Name: "王经理", Role: "manager", Channel: "console"}); err != nil {
		t.Fatal(err)
	}
	docs, err := e.db.Documents(ctx, true)
	if err != nil || len(docs) != 1 {
		t.Fatal(docs, err)
	}
	off := e.browser()
	off.signIn(e.link(e.officer))
	for page, want := range map[string]string{
		"docs": "XX区企业购买科技成果补助暂行办法", "docs/" + itoa(int(docs[0].ID)): "第六条", "docs?status=all": "全部 (1)",
		"hittest?q=" + url.QueryEscape("补助比例"): "机器人会这样回复", "faq": "新增问答对", "questions": "专精特新小巨人怎么申报",
		"log?q=" + url.QueryEscape("专精特新"): "专精特新小巨人怎么申报", "assets": "CKC-001", "assets/" + itoa(int(asset.ID)): "变动记录",
		"reports": "#" + itoa(int(rep.ID)), "people": "王经理", "audit?entity=asset": "import",
	} {
		if code, body := off.get(web.Prefix + page); code != 200 || !strings.Contains(body, want) {
			t.Errorf("officer %s: %d, want %q in\n%s", page, code, want, body)
		}
	}
	mgr := e.browser()
	mgr.signIn(e.link(e.manager))
	for page, want := range map[string]string{"assets": "CKC-001", "assets/" + itoa(int(asset.ID)): "缺失", "reports": "等待科技局核验"} {
		if code, body := mgr.get(web.Prefix + page); code != 200 || !strings.Contains(body, want) {
			t.Errorf("manager %s: %d, want %q", page, code, want)
		}
	}
}
