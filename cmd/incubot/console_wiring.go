package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/bot/console"
	"github.com/incubot/incubot/bot/ops"
	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/internal/model"
	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/internal/web"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/corpus"
)

// consoleOn builds the web console on the database; base is its public
// address (INCUBOT_CONSOLE_URL, else http:// and the HTTP address).
func (a *app) consoleOn(db *postgres.DB, httpAddr string) *web.Console {
	base := a.cfg.ConsoleURL
	if base == "" && httpAddr != "" {
		base = "http://" + httpAddr
	}
	return &web.Console{
		Auth: consoleAuth{db}, People: consolePeople{db}, Library: consoleLibrary{a, db}, HitTest: consoleHitTest{a, db},
		FAQs: consoleFAQs{db}, Questions: consoleQuestions{db}, Incubators: consoleIncubators{db}, Audit: consoleAudit{db}, Photos: consolePhotos{db},
		BaseURL: base, Log: a.log, MaxUpload: a.cfg.MaxUploadSize,
	}
}

// withConsole serves the console under /console/ beside the HTTP API.
func (a *app) withConsole(db *postgres.DB, api http.Handler, httpAddr string) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(web.Prefix, a.consoleOn(db, httpAddr).Handler())
	mux.Handle("/", api)
	return mux
}

// peopleLoginLink prints a one-time console sign-in link for a bound
// officer or manager (incubot people login-link NAME).
func (a *app) peopleLoginLink(ctx context.Context, db *postgres.DB, args []string) error {
	if len(args) != 1 || strings.TrimSpace(args[0]) == "" {
		return usagef("people login-link NAME (an invited officer or manager, see people list)")
	}
	if a.cfg.ConsoleURL == "" && a.cfg.HTTPAddr == "" {
		return usagef("set INCUBOT_CONSOLE_URL (the console's public address) or INCUBOT_HTTP_ADDR, so that the link points at the console")
	}
	p, err := db.ActivePersonByName(ctx, strings.TrimSpace(args[0]))
	if errors.Is(err, postgres.ErrNotFound) {
		return usagef("no active person named %q (see incubot people list; invite with incubot people invite)", args[0])
	}
	if err != nil {
		return err
	}
	c := a.consoleOn(db, a.cfg.HTTPAddr)
	link, err := c.LoginLink(ctx, p.ID)
	if errors.Is(err, web.ErrNotStaff) {
		return usagef("%s is not an officer or manager", p.Name)
	}
	if err != nil {
		return err
	}
	a.printf("sign-in link for %s (single use, valid %d minutes):\n%s\n", p.Name, c.LinkMinutes(), link)
	return nil
}

// demoConsole serves the console beside the demo chat and prints its
// address and a sign-in link for the demo officer.
func (a *app) demoConsole(ctx context.Context, db *postgres.DB) error {
	addr := a.cfg.HTTPAddr
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return fmt.Errorf("demo console: %w", err)
		}
	}
	addr = ln.Addr().String()
	c := a.consoleOn(db, addr)
	srv := &http.Server{Handler: c.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	go func() { <-ctx.Done(); srv.Close() }()
	p, err := db.PersonByContact(ctx, console.Channel, "李科长")
	if err != nil {
		return fmt.Errorf("demo console: the demo officer: %w", err)
	}
	link, err := c.LoginLink(ctx, p.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "网页后台：http://%s/console/\n李科长的登录链接（一次有效，%d 分钟内）：%s\n\n", addr, c.LinkMinutes(), link)
	return nil
}

func consoleActor(a web.Actor) postgres.Actor {
	return postgres.Actor{Name: a.Name, Role: a.Role, Channel: "web"}
}

// notFound turns the stores' not-found errors into the console's.
func notFound(err error) error {
	if errors.Is(err, postgres.ErrNotFound) || errors.Is(err, corpus.ErrNotFound) || errors.Is(err, incubator.ErrNotFound) {
		return fmt.Errorf("%w (%v)", web.ErrNotFound, err)
	}
	return err
}

type consoleAuth struct{ db *postgres.DB }

func (c consoleAuth) SaveLoginLink(ctx context.Context, h string, id int64, exp time.Time) error {
	return c.db.SaveLoginLink(ctx, h, id, exp)
}
func (c consoleAuth) UseLoginLink(ctx context.Context, h string, now time.Time) (int64, error) {
	return c.db.UseLoginLink(ctx, h, now)
}
func (c consoleAuth) StartSession(ctx context.Context, s web.Session) error {
	return c.db.StartConsoleSession(ctx, postgres.ConsoleSession(s))
}
func (c consoleAuth) Session(ctx context.Context, h string) (web.Session, error) {
	s, err := c.db.ConsoleSessionByHash(ctx, h)
	return web.Session(s), notFound(err)
}
func (c consoleAuth) TouchSession(ctx context.Context, h string, now time.Time) error {
	return c.db.TouchConsoleSession(ctx, h, now)
}
func (c consoleAuth) EndSession(ctx context.Context, h string, now time.Time) error {
	return c.db.EndConsoleSession(ctx, h, now)
}
func (c consoleAuth) FailedAttempts(ctx context.Context, key string, since time.Time) (int, error) {
	return c.db.FailedAttempts(ctx, key, since)
}
func (c consoleAuth) RecordFailedAttempt(ctx context.Context, key string, now time.Time) error {
	return c.db.RecordFailedAttempt(ctx, key, now)
}

type consolePeople struct{ db *postgres.DB }

func webPerson(p postgres.PersonRecord) web.Person {
	out := web.Person{ID: p.ID, Name: p.Name, Role: p.Role, Incubator: p.Incubator, BoundAt: p.BoundAt, InviteExpires: p.InviteExpires, RevokedAt: p.RevokedAt}
	if p.IncubatorID != nil {
		out.IncubatorID = *p.IncubatorID
	}
	if p.ContactKey != "" {
		out.BoundTo = p.ContactKey
	}
	return out
}

func (c consolePeople) Person(ctx context.Context, id int64) (web.Person, error) {
	p, err := c.db.PersonByID(ctx, id)
	return webPerson(p), notFound(err)
}
func (c consolePeople) People(ctx context.Context) ([]web.Person, error) {
	list, err := c.db.People(ctx)
	out := make([]web.Person, len(list))
	for i, p := range list {
		out[i] = webPerson(p)
	}
	return out, err
}
func (c consolePeople) Invite(ctx context.Context, name, role, inc string, by web.Actor) (web.Person, string, error) {
	var incID *int
	if role == bot.RoleManager {
		i, err := c.db.IncubatorByName(ctx, inc)
		if err != nil {
			return web.Person{}, "", notFound(err)
		}
		incID = &i.ID
	}
	code := newCode()
	p, err := c.db.Invite(ctx, name, role, incID, model.HashCode(code), time.Now().AddDate(0, 0, 7), nil, consoleActor(by))
	return webPerson(p), code, err
}
func (c consolePeople) Revoke(ctx context.Context, id int64, by web.Actor) error {
	return notFound(c.db.Revoke(ctx, id, consoleActor(by)))
}

type consoleLibrary struct {
	a  *app
	db *postgres.DB
}

func (c consoleLibrary) Documents(ctx context.Context) ([]corpus.Document, error) {
	return c.db.Documents(ctx, true)
}
func (c consoleLibrary) Document(ctx context.Context, id int64) (*corpus.Document, string, error) {
	d, reason, err := c.db.DocumentWithReason(ctx, id)
	return d, reason, notFound(err)
}
func (c consoleLibrary) Chunks(ctx context.Context, id int64) ([]corpus.Chunk, error) {
	return c.db.DocumentChunks(ctx, id)
}
func (c consoleLibrary) Add(ctx context.Context, name string, data []byte, replaces int64, by web.Actor) knowledge.AddResult {
	kb := c.a.kbOn(c.db)
	kb.By = corpus.Editor(consoleActor(by))
	var opts knowledge.AddOptions
	if replaces != 0 {
		opts.Replaces = strconv.FormatInt(replaces, 10)
	}
	res := kb.Add(ctx, name, data, opts)
	if res.Err == nil {
		if err := kb.FinishIngest(ctx); err != nil {
			c.a.log.Warn("console: finish ingest", "err", err)
		}
	}
	return res
}
func (c consoleLibrary) Edit(ctx context.Context, id int64, e web.DocumentEdit, by web.Actor) error {
	return notFound(c.db.EditDocument(ctx, id, postgres.DocumentEdit(e), consoleActor(by)))
}
func (c consoleLibrary) Retire(ctx context.Context, id int64, reason string, by web.Actor) error {
	return notFound(c.db.RetireDocumentFor(ctx, id, reason, consoleActor(by)))
}

type consoleHitTest struct {
	a  *app
	db *postgres.DB
}

// Explain is what kb search shows, with the reply the bot would give.
func (c consoleHitTest) Explain(ctx context.Context, q string) (web.Explanation, error) {
	// The explanation and the reply are two searches; run them side by
	// side (they serialise on the embedded database's one connection).
	var ans *corpus.Answer
	var aerr error
	done := make(chan struct{})
	go func() { defer close(done); ans, aerr = c.a.answererOn(c.db).Answer(ctx, q, "") }()
	res, err := c.a.retrieverOn(c.db).Search(ctx, q, 5)
	<-done
	if err != nil {
		return web.Explanation{}, err
	}
	if aerr != nil {
		return web.Explanation{}, aerr
	}
	ex := web.Explanation{Reply: ans.Text, Answered: ans.Answered, Source: ans.Source, Terms: res.Terms, Model: res.Model,
		Places: res.Places, OtherPlaces: res.OtherPlaces, Unknown: res.Unknown}
	if res.Asked != knowledge.AsksNothing {
		ex.Asks = res.Asked.Noun()
	}
	if h := res.Closest; h != nil {
		ex.Closest = h.Doc.Citation() + h.Chunk.Label()
	}
	for _, h := range res.Hits {
		ex.Hits = append(ex.Hits, web.ExplainedHit{Citation: h.Doc.Citation() + h.Chunk.Label(), Fused: h.Score, LexRank: h.LexRank, BM25: h.BM25,
			Coverage: h.Coverage, VecRank: h.VecRank, Vector: h.Vector, Matched: h.Matched, Text: h.Chunk.Body})
	}
	return ex, nil
}

type consoleFAQs struct{ db *postgres.DB }

func (c consoleFAQs) FAQs(ctx context.Context) ([]corpus.FAQ, error) { return c.db.FAQs(ctx) }
func (c consoleFAQs) FAQ(ctx context.Context, id int64) (corpus.FAQ, error) {
	f, err := c.db.FAQByID(ctx, id)
	return f, notFound(err)
}
func (c consoleFAQs) SaveFAQ(ctx context.Context, f *corpus.FAQ, handles []int64, by web.Actor) error {
	return notFound(c.db.SaveFAQ(ctx, f, handles, consoleActor(by)))
}
func (c consoleFAQs) DeleteFAQ(ctx context.Context, id int64, by web.Actor) error {
	return notFound(c.db.DeleteFAQ(ctx, id, consoleActor(by)))
}

type consoleQuestions struct{ db *postgres.DB }

func (c consoleQuestions) OpenQuestions(ctx context.Context, limit int) ([]web.Question, error) {
	list, err := c.db.OpenQuestions(ctx, limit)
	out := make([]web.Question, len(list))
	for i, q := range list {
		out[i] = web.Question{ID: q.ID, Question: q.Question, Searched: q.Searched, Answer: q.Answer, Reason: questionWhy(q), Asker: q.Asker, Chat: q.Chat, At: q.CreatedAt}
	}
	return out, err
}
func (c consoleQuestions) HandleQuestions(ctx context.Context, ids []int64, by web.Actor) error {
	return c.db.HandleQuestions(ctx, ids, consoleActor(by))
}
func (c consoleQuestions) Conversations(ctx context.Context, q string, before int64, limit int) ([]web.Exchange, error) {
	list, err := c.db.Conversations(ctx, q, before, limit)
	out := make([]web.Exchange, len(list))
	for i, e := range list {
		out[i] = web.Exchange{ID: e.ID, Channel: e.Channel, Group: e.ChatTitle, Sender: e.SenderName, Text: e.Body, At: e.At, Answer: e.Answer, Answered: e.Answered}
	}
	return out, err
}

type consoleIncubators struct{ db *postgres.DB }

func (c consoleIncubators) Incubators(ctx context.Context) ([]incubator.Incubator, error) {
	return c.db.Incubators(ctx)
}
func (c consoleIncubators) Assets(ctx context.Context, inc int, status string) ([]incubator.Asset, error) {
	return c.db.Assets(ctx, inc, status)
}
func (c consoleIncubators) Asset(ctx context.Context, id int64) (incubator.Asset, error) {
	x, err := c.db.AssetByID(ctx, id)
	return x, notFound(err)
}
func (c consoleIncubators) AssetHistory(ctx context.Context, id int64) ([]incubator.AssetReport, error) {
	return c.db.AssetHistory(ctx, id)
}
func (c consoleIncubators) ImportAssets(ctx context.Context, inc int, list []incubator.Asset, by web.Actor) (int, int, int, error) {
	r, err := c.db.ImportAssets(ctx, inc, list, consoleActor(by))
	return r.Added, r.Updated, r.Unchanged, err
}
func (c consoleIncubators) PendingReports(ctx context.Context) ([]incubator.AssetReport, error) {
	return c.db.PendingAssetReports(ctx)
}
func (c consoleIncubators) AssetReport(ctx context.Context, id int64) (incubator.AssetReport, error) {
	r, err := c.db.AssetReportByID(ctx, id)
	return r, notFound(err)
}
func (c consoleIncubators) ReviewReport(ctx context.Context, id int64, passed bool, note string, by web.Actor) error {
	_, err := c.db.ReviewReport(ctx, id, passed, note, consoleActor(by))
	if errors.Is(err, incubator.ErrConflict) {
		return err
	}
	return notFound(err)
}
func (c consoleIncubators) AssetReports(ctx context.Context, from, to time.Time) ([]incubator.AssetReport, error) {
	return c.db.AssetReports(ctx, from, to)
}
func (c consoleIncubators) StatusReports(ctx context.Context, from, to string) ([]incubator.StatusReport, error) {
	return c.db.StatusReports(ctx, from, to, false)
}

type consoleAudit struct{ db *postgres.DB }

func (c consoleAudit) Audit(ctx context.Context, f web.AuditFilter) ([]web.AuditEntry, error) {
	list, err := c.db.AuditLog(ctx, postgres.AuditFilter(f))
	out := make([]web.AuditEntry, len(list))
	for i, e := range list {
		out[i] = web.AuditEntry{At: e.At, Actor: e.Actor, Role: e.Role, Channel: e.Channel, Action: e.Action, Entity: e.Entity, EntityID: e.EntityID, Before: e.Before, After: e.After}
	}
	return out, err
}

// consoleLinkFor is what the 后台 chat command calls: a one-time sign-in
// link for a bound officer or manager, ops.ErrNotStaff for anyone else; nil
// when no console is served (no HTTP address and no console URL).
func (a *app) consoleLinkFor(db *postgres.DB) func(ctx context.Context, personID int64) (string, int, error) {
	if a.cfg.HTTPAddr == "" && a.cfg.ConsoleURL == "" {
		return nil
	}
	c := a.consoleOn(db, a.cfg.HTTPAddr)
	return func(ctx context.Context, personID int64) (string, int, error) {
		link, err := c.LoginLink(ctx, personID)
		if errors.Is(err, web.ErrNotStaff) {
			err = ops.ErrNotStaff
		}
		return link, c.LinkMinutes(), err
	}
}

type consolePhotos struct{ db *postgres.DB }

func (c consolePhotos) ReportPhotos(ctx context.Context, id int64) ([]web.Photo, error) {
	fs, err := c.db.ReportPhotos(ctx, id)
	out := make([]web.Photo, len(fs))
	for i, f := range fs {
		out[i] = web.Photo{ID: f.ID, MIME: f.MIME, Size: f.Size, At: f.CreatedAt}
	}
	return out, err
}

func (c consolePhotos) PhotoData(ctx context.Context, id int64) ([]byte, error) {
	f, err := c.db.ReceivedFileByID(ctx, id)
	return f.Data, err
}

// questionWhy is why a question is open for officers: the reason it was
// not answered, or that its asker said the answer did not help.
func questionWhy(q postgres.QuestionLog) string {
	if q.Answered && q.Useful != nil && !*q.Useful {
		if q.Feedback != "" {
			return "提问者评价：没用（" + q.Feedback + "）"
		}
		return "提问者评价：没用"
	}
	return knowledge.ReasonText(q.Reason)
}
