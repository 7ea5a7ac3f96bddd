package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Prefix is where the console is mounted.
const Prefix = "/console/"

const cookieName = "incubot_console"

// Console serves the officers' web console.
type Console struct {
	Auth       Auth
	People     People
	Library    Library
	HitTest    HitTester
	FAQs       FAQs
	Questions  Questions
	Incubators Incubators
	Audit      AuditLog
	Photos     Photos // photos attached to asset reports; nil: none shown

	// BaseURL is the console's public address without the path, e.g.
	// https://bot.example.gov.cn; sign-in links start with it.
	BaseURL string
	Now     func() time.Time
	Log     *slog.Logger
	// MaxUpload is the largest file accepted, in bytes.
	MaxUpload int64

	// LinkTTL, IdleTTL and MaxAge bound a sign-in link's life, a
	// session's idle time and its whole life; zero takes 15 minutes, 2
	// hours and 12 hours.
	LinkTTL, IdleTTL, MaxAge time.Duration
	// MaxAttempts failed sign-in attempts are allowed per address per 15
	// minutes (zero: 10); then every attempt waits.
	MaxAttempts int

	tmpl *template.Template
}

func (c *Console) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Console) defaults() {
	if c.LinkTTL == 0 {
		c.LinkTTL = 15 * time.Minute
	}
	if c.IdleTTL == 0 {
		c.IdleTTL = 2 * time.Hour
	}
	if c.MaxAge == 0 {
		c.MaxAge = 12 * time.Hour
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 10
	}
	if c.MaxUpload == 0 {
		c.MaxUpload = 20 << 20
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
}

// hashToken is how tokens are stored: a link or cookie that leaks from the
// database cannot be used.
func hashToken(t string) string {
	s := sha256.Sum256([]byte(t))
	return hex.EncodeToString(s[:])
}

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// LoginLink issues a one-time sign-in link for a bound officer or manager
// (the 后台 chat command and incubot people login-link call it); anyone else
// gets ErrNotStaff.
func (c *Console) LoginLink(ctx context.Context, personID int64) (string, error) {
	c.defaults()
	p, err := c.People.Person(ctx, personID)
	if errors.Is(err, ErrNotFound) {
		return "", ErrNotStaff
	}
	if err != nil {
		return "", err
	}
	if !p.Staff() {
		return "", ErrNotStaff
	}
	tok := newToken()
	if err := c.Auth.SaveLoginLink(ctx, hashToken(tok), p.ID, c.now().Add(c.LinkTTL)); err != nil {
		return "", err
	}
	return strings.TrimRight(c.BaseURL, "/") + Prefix + "login/" + tok, nil
}

// LinkMinutes is how long a sign-in link stays valid, for the message that
// carries it.
func (c *Console) LinkMinutes() int {
	c.defaults()
	return int(c.LinkTTL / time.Minute)
}

type ctxKey struct{}

// visit is the signed-in person and their session, on every page.
type visit struct {
	Person  Person
	Session Session
}

func visitOf(r *http.Request) *visit {
	v, _ := r.Context().Value(ctxKey{}).(*visit)
	return v
}

func (v *visit) actor() Actor { return Actor{Name: v.Person.Name, Role: v.Person.Role} }

// Handler serves the console under Prefix.
func (c *Console) Handler() http.Handler {
	c.defaults()
	c.tmpl = template.Must(template.New("").Funcs(funcs).ParseFS(assets, "templates/*.html"))
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "static")
	mux.Handle("GET "+Prefix+"static/", http.StripPrefix(Prefix+"static/", cacheStatic(http.FileServerFS(static))))
	mux.HandleFunc("GET "+Prefix+"login/{token}", c.loginPage)
	mux.HandleFunc("POST "+Prefix+"login", c.login)
	mux.HandleFunc("GET "+Prefix+"signed-out", c.signedOut)

	officer := []string{RoleOfficer}
	staff := []string{RoleOfficer, RoleManager}
	handle := func(pattern string, roles []string, h http.HandlerFunc) { mux.Handle(pattern, c.guard(roles, h)) }
	handle("GET "+Prefix+"{$}", staff, c.home)
	handle("POST "+Prefix+"logout", staff, c.logout)

	handle("GET "+Prefix+"docs", officer, c.docs)
	handle("POST "+Prefix+"docs/upload", officer, c.upload)
	handle("GET "+Prefix+"docs/{id}", officer, c.doc)
	handle("POST "+Prefix+"docs/{id}/edit", officer, c.editDoc)
	handle("POST "+Prefix+"docs/{id}/replace", officer, c.replaceDoc)
	handle("POST "+Prefix+"docs/{id}/retire", officer, c.retireDoc)
	handle("GET "+Prefix+"hittest", officer, c.hitTest)
	handle("GET "+Prefix+"faq", officer, c.faqs)
	handle("POST "+Prefix+"faq", officer, c.saveFAQ)
	handle("POST "+Prefix+"faq/{id}/delete", officer, c.deleteFAQ)
	handle("POST "+Prefix+"faq/import", officer, c.importFAQs)
	handle("GET "+Prefix+"faq/export", officer, c.exportFAQs)
	handle("GET "+Prefix+"questions", officer, c.questions)
	handle("POST "+Prefix+"questions/answer", officer, c.answerQuestions)
	handle("POST "+Prefix+"questions/handled", officer, c.handleQuestions)
	handle("GET "+Prefix+"log", officer, c.conversations)

	handle("GET "+Prefix+"assets", staff, c.assets)
	handle("GET "+Prefix+"assets/{id}", staff, c.asset)
	handle("POST "+Prefix+"assets/import", officer, c.importAssets)
	handle("GET "+Prefix+"reports", staff, c.reports)
	handle("POST "+Prefix+"reports/{id}/review", officer, c.review)
	handle("GET "+Prefix+"reports/export", staff, c.exportReports)
	handle("GET "+Prefix+"reports/{id}/photos/{n}", staff, c.photo)

	handle("GET "+Prefix+"people", officer, c.people)
	handle("POST "+Prefix+"people/invite", officer, c.invite)
	handle("POST "+Prefix+"people/{id}/revoke", officer, c.revoke)
	handle("GET "+Prefix+"audit", officer, c.audit)
	return secure(mux)
}

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// secure sets the headers every console response carries: nothing cached,
// no framing, no referrer (a sign-in link must not leak), scripts and
// styles only from the console itself.
func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// guard lets a request through only with a live session of a person who
// still holds one of roles, and a POST only with the session's CSRF token.
func (c *Console) guard(roles []string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(cookieName)
		if err != nil || ck.Value == "" {
			c.refuse(w, r, http.StatusUnauthorized, "请先登录", "请在微信里给机器人发送“后台”获取登录链接，或请管理员在服务器上运行 incubot people login-link 您的姓名。")
			return
		}
		ctx := r.Context()
		now := c.now()
		hash := hashToken(ck.Value)
		s, err := c.Auth.Session(ctx, hash)
		if errors.Is(err, ErrNotFound) {
			c.clearCookie(w, r)
			c.refuse(w, r, http.StatusUnauthorized, "登录已失效", "请在微信里给机器人发送“后台”获取新的登录链接。")
			return
		}
		if err != nil {
			c.fail(w, r, err)
			return
		}
		if now.Sub(s.LastSeen) > c.IdleTTL || !now.Before(s.ExpiresAt) {
			c.Auth.EndSession(ctx, hash, now)
			c.clearCookie(w, r)
			c.refuse(w, r, http.StatusUnauthorized, "登录已过期", "长时间未操作或登录已超过有效期。请在微信里给机器人发送“后台”获取新的登录链接。")
			return
		}
		p, err := c.People.Person(ctx, s.PersonID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			c.fail(w, r, err)
			return
		}
		if err != nil || !p.Staff() {
			c.Auth.EndSession(ctx, hash, now)
			c.clearCookie(w, r)
			c.refuse(w, r, http.StatusForbidden, "没有权限", "您的后台权限已被撤销。如有疑问，请联系区科技局。")
			return
		}
		v := &visit{Person: p, Session: s}
		if !slices.Contains(roles, p.Role) {
			c.refuseIn(w, r, v, http.StatusForbidden, "没有权限", "这一页只对科技局工作人员开放。")
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, c.MaxUpload*4+1<<20)
			token := r.Header.Get("X-CSRF-Token")
			if token == "" {
				if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
					if err := r.ParseMultipartForm(8 << 20); err != nil {
						c.refuseIn(w, r, v, http.StatusRequestEntityTooLarge, "文件太大", fmt.Sprintf("上传的文件合计不能超过 %d MB。", c.MaxUpload*4>>20))
						return
					}
				}
				token = r.PostFormValue("csrf")
			}
			if subtle.ConstantTimeCompare([]byte(token), []byte(s.CSRF)) != 1 {
				c.refuseIn(w, r, v, http.StatusForbidden, "页面已过期", "表单校验失败（可能是页面打开太久或在别处退出了登录）。请刷新页面后重试。")
				return
			}
		}
		if now.Sub(s.LastSeen) > time.Minute {
			if err := c.Auth.TouchSession(ctx, hash, now); err != nil {
				c.fail(w, r, err)
				return
			}
		}
		h(w, r.WithContext(context.WithValue(ctx, ctxKey{}, v)))
	})
}

func (c *Console) secureCookie(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func (c *Console) clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: Prefix, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.secureCookie(r)})
}

// clientKey is the address attempts are counted under: the peer, never a
// header the client writes.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "login:" + host
}

// loginPage asks for a click before spending the link, so that a chat
// app's link preview does not use it up.
func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusOK, "login", nil, map[string]any{"Token": r.PathValue("token")})
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := c.now()
	n, err := c.Auth.FailedAttempts(ctx, clientKey(r), now.Add(-15*time.Minute))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if n >= c.MaxAttempts {
		c.refuse(w, r, http.StatusTooManyRequests, "尝试次数过多", "登录尝试过于频繁，请 15 分钟后再试。")
		return
	}
	tok := r.PostFormValue("token")
	if tok == "" {
		c.refuse(w, r, http.StatusBadRequest, "链接不完整", "请完整打开机器人发来的登录链接。")
		return
	}
	id, err := c.Auth.UseLoginLink(ctx, hashToken(tok), now)
	if err != nil {
		if err := c.Auth.RecordFailedAttempt(ctx, clientKey(r), now); err != nil {
			c.fail(w, r, err)
			return
		}
		c.Log.Info("console sign-in refused", "addr", clientKey(r), "err", err)
		c.refuse(w, r, http.StatusUnauthorized, "链接无效", "这个登录链接已使用过、已过期或不完整（链接只能用一次，"+fmt.Sprint(c.LinkMinutes())+" 分钟内有效）。请在微信里给机器人发送“后台”获取新的链接。")
		return
	}
	p, err := c.People.Person(ctx, id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		c.fail(w, r, err)
		return
	}
	if err != nil || !p.Staff() {
		c.refuse(w, r, http.StatusForbidden, "没有权限", "您的后台权限已被撤销。如有疑问，请联系区科技局。")
		return
	}
	tok = newToken()
	s := Session{TokenHash: hashToken(tok), PersonID: p.ID, CSRF: newToken(), CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(c.MaxAge)}
	if err := c.Auth.StartSession(ctx, s); err != nil {
		c.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: tok, Path: Prefix, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: c.secureCookie(r), MaxAge: int(c.MaxAge / time.Second)})
	c.Log.Info("console sign-in", "person", p.ID, "role", p.Role)
	http.Redirect(w, r, Prefix, http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r)
	if err := c.Auth.EndSession(r.Context(), v.Session.TokenHash, c.now()); err != nil {
		c.fail(w, r, err)
		return
	}
	c.clearCookie(w, r)
	http.Redirect(w, r, Prefix+"signed-out", http.StatusSeeOther)
}

func (c *Console) signedOut(w http.ResponseWriter, r *http.Request) {
	c.refuse(w, r, http.StatusOK, "已退出登录", "下次使用请在微信里给机器人发送“后台”获取登录链接。")
}

func (c *Console) home(w http.ResponseWriter, r *http.Request) {
	if visitOf(r).Person.Role == RoleManager {
		http.Redirect(w, r, Prefix+"assets", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, Prefix+"docs", http.StatusSeeOther)
}
