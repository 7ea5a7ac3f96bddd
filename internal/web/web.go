// Package web is the officers' console: a Chinese, server-rendered web
// application served by incubot serve under /console/. It signs people in
// with one-time links, keeps sessions in the database, and reaches the rest
// of the system only through the narrow interfaces declared here.
package web

import (
	"context"
	"errors"
	"time"

	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/corpus"
)

// Roles that may use the console.
const (
	RoleOfficer = "officer"
	RoleManager = "manager"
)

// Errors the interfaces return that the console turns into a message.
var (
	// ErrNotFound: the thing asked for does not exist (or is not this person's).
	ErrNotFound = errors.New("not found")
	// ErrNotStaff: the person is not a bound officer or manager.
	ErrNotStaff = errors.New("not an officer or manager")
)

// Person is someone who may be signed in, as the server knows them.
type Person struct {
	ID            int64
	Name          string
	Role          string
	IncubatorID   int
	Incubator     string
	BoundTo       string
	BoundAt       *time.Time
	InviteExpires *time.Time
	RevokedAt     *time.Time
}

// Staff reports whether the person may use the console.
func (p Person) Staff() bool {
	return p.RevokedAt == nil && (p.Role == RoleOfficer || p.Role == RoleManager)
}

// Actor is who makes a change, for the audit log.
type Actor struct {
	Name, Role string
}

// Session is a signed-in browser, stored by the hash of its cookie.
type Session struct {
	TokenHash string
	PersonID  int64
	CSRF      string
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time
}

// Auth stores sign-in links, sessions and sign-in attempts.
type Auth interface {
	// SaveLoginLink stores a link's token hash for a person until expires.
	SaveLoginLink(ctx context.Context, tokenHash string, personID int64, expires time.Time) error
	// UseLoginLink spends an unused, unexpired link and returns its
	// person; any other token is an error.
	UseLoginLink(ctx context.Context, tokenHash string, now time.Time) (int64, error)
	StartSession(ctx context.Context, s Session) error
	// Session returns a stored session or ErrNotFound.
	Session(ctx context.Context, tokenHash string) (Session, error)
	TouchSession(ctx context.Context, tokenHash string, now time.Time) error
	EndSession(ctx context.Context, tokenHash string, now time.Time) error
	// FailedAttempts counts failed sign-in attempts under key since a time.
	FailedAttempts(ctx context.Context, key string, since time.Time) (int, error)
	RecordFailedAttempt(ctx context.Context, key string, now time.Time) error
}

// People finds, invites and revokes people.
type People interface {
	// Person returns anyone by id (revoked too) or ErrNotFound.
	Person(ctx context.Context, id int64) (Person, error)
	People(ctx context.Context) ([]Person, error)
	// Invite creates a person (or renews their code) and returns the
	// one-time binding code, shown once.
	Invite(ctx context.Context, name, role, incubator string, by Actor) (Person, string, error)
	Revoke(ctx context.Context, id int64, by Actor) error
}

// DocumentEdit is what an officer may correct about a document.
type DocumentEdit struct {
	Title, DocNumber       string
	EffectiveOn, ExpiresOn *time.Time
}

// Library is the policy corpus.
type Library interface {
	// Documents lists every document, ended ones included.
	Documents(ctx context.Context) ([]corpus.Document, error)
	// Document returns a document and why it was retired, or ErrNotFound.
	Document(ctx context.Context, id int64) (*corpus.Document, string, error)
	Chunks(ctx context.Context, id int64) ([]corpus.Chunk, error)
	// Add ingests one file; replaces names the document it supersedes (0:
	// by title, as the CLI does).
	Add(ctx context.Context, name string, data []byte, replaces int64, by Actor) knowledge.AddResult
	Edit(ctx context.Context, id int64, e DocumentEdit, by Actor) error
	Retire(ctx context.Context, id int64, reason string, by Actor) error
}

// Explanation is what the bot would reply to a question and why.
type Explanation struct {
	Reply       string
	Answered    bool
	Source      string // how the reply was made: faq, extractive, model …
	Terms       []string
	Model       string
	Asks        string
	Places      []string
	OtherPlaces int
	Unknown     []string
	Closest     string
	Hits        []ExplainedHit
}

// ExplainedHit is one ranked clause with its scores.
type ExplainedHit struct {
	Citation string
	Fused    float64
	LexRank  int
	BM25     float64
	Coverage float64
	VecRank  int
	Vector   float64
	Matched  []string
	Text     string
}

// HitTester runs a question through retrieval and answering without
// logging it.
type HitTester interface {
	Explain(ctx context.Context, question string) (Explanation, error)
}

// FAQs are the curated question–answer–basis entries.
type FAQs interface {
	FAQs(ctx context.Context) ([]corpus.FAQ, error)
	FAQ(ctx context.Context, id int64) (corpus.FAQ, error)
	// SaveFAQ adds (ID 0) or changes an entry and marks the questions
	// handles as handled, at once.
	SaveFAQ(ctx context.Context, f *corpus.FAQ, handles []int64, by Actor) error
	DeleteFAQ(ctx context.Context, id int64, by Actor) error
}

// Question is a declined question nobody has handled yet.
type Question struct {
	ID       int64
	Question string
	Searched string
	Answer   string
	Reason   string
	Asker    string
	Chat     string
	At       time.Time
}

// Exchange is one logged message and the bot's answer, if it was a question.
type Exchange struct {
	ID       int64
	Channel  string
	Group    string
	Sender   string
	Text     string
	At       time.Time
	Answer   string
	Answered *bool
}

// Questions are the questions log and the conversation log.
type Questions interface {
	OpenQuestions(ctx context.Context, limit int) ([]Question, error)
	HandleQuestions(ctx context.Context, ids []int64, by Actor) error
	// Conversations lists messages newest first, before a message id (0:
	// the newest), containing query when not empty.
	Conversations(ctx context.Context, query string, before int64, limit int) ([]Exchange, error)
}

// Incubators are the registers, asset reports and status reports.
type Incubators interface {
	Incubators(ctx context.Context) ([]incubator.Incubator, error)
	Assets(ctx context.Context, incubatorID int, status string) ([]incubator.Asset, error)
	Asset(ctx context.Context, id int64) (incubator.Asset, error)
	AssetHistory(ctx context.Context, assetID int64) ([]incubator.AssetReport, error)
	ImportAssets(ctx context.Context, incubatorID int, assets []incubator.Asset, by Actor) (added, updated, unchanged int, err error)
	PendingReports(ctx context.Context) ([]incubator.AssetReport, error)
	AssetReport(ctx context.Context, id int64) (incubator.AssetReport, error)
	// ReviewReport approves or rejects a pending report; a report already
	// reviewed is incubator.ErrConflict.
	ReviewReport(ctx context.Context, id int64, passed bool, note string, by Actor) error
	AssetReports(ctx context.Context, from, to time.Time) ([]incubator.AssetReport, error)
	StatusReports(ctx context.Context, from, to string) ([]incubator.StatusReport, error)
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	At                              time.Time
	Actor, Role, Channel, Action    string
	Entity, EntityID, Before, After string
}

// AuditFilter narrows the audit log; empty fields match everything.
type AuditFilter struct {
	Since, Until          time.Time
	Actor, Action, Entity string
	Limit                 int
}

// AuditLog reads the audit log.
type AuditLog interface {
	Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}
