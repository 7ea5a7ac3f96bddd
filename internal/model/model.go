// Package model holds the plain records that the bot, its operations and
// storage share, and the one set of sentinel errors. It imports nothing of
// the project, so storage can use it without importing the bot.
package model

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// Sentinel errors, one per meaning; wrap them with %w and test with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	ErrInvalid  = errors.New("invalid")
)

// Chat kinds.
const (
	Private = "private"
	Group   = "group"
)

// Roles of people.
const (
	RoleOfficer    = "officer"
	RoleManager    = "manager"
	RoleEnterprise = "enterprise"
)

// Message is an inbound message as every channel delivers it. Channel and
// SenderID are set by the channel the message arrived on, never taken from
// what the sender claims.
type Message struct {
	Channel    string
	ID         string // the channel's message id, for deduplication
	ChatID     string
	ChatKind   string
	ChatTitle  string
	SenderID   string
	SenderName string
	Text       string
	Mentioned  bool // a real @-mention of the bot
	Attachment Attachment
	Time       time.Time
	FromSelf   bool
}

// Attachment describes a non-text part of a message. A channel that can
// fetch the bytes (WeChat's files and photos in private chats) checks Size
// against INCUBOT_MAX_FILE_SIZE before downloading, stores them with
// SaveReceivedFile keyed by its channel and message id, and sets Ref and
// MIME; handlers read them back by the message's channel and id, which the
// message log keeps across a restart. Ref is set only by the channel, never
// taken from a client.
type Attachment struct {
	Kind string `json:"kind,omitempty"` // image, voice, video, file, emoticon
	Name string `json:"name,omitempty"` // file name as sent, e.g. 关于印发….docx
	Size int64  `json:"size,omitempty"` // bytes, as the channel declared or downloaded
	MIME string `json:"mime,omitempty"` // e.g. image/jpeg, application/pdf; "" when not fetched
	Ref  string `json:"-"`              // "file:<id>" of the stored bytes; "" when not fetched (too large, not read)
}

// ReceivedFile is a file or photo a channel downloaded, kept until it is
// handled (and, for a photo attached to an asset report, with the report).
type ReceivedFile struct {
	ID        int64
	Channel   string
	MessageID string
	Name      string
	MIME      string
	Size      int64
	SHA256    string
	Data      []byte // nil when listed
	ReportID  *int64 // the asset report a photo is attached to
	CreatedAt time.Time
}

// AttachedPhoto is a photo attached to an asset report.
type AttachedPhoto struct {
	FileID    int64
	ReportID  int64
	AssetCode string
	AssetName string
	Count     int // photos the report now has
}

// Reply is one message to send.
type Reply struct {
	Channel  string `json:"-"`
	ChatID   string `json:"chat"`
	ChatKind string `json:"-"`
	To       string `json:"to"`
	Text     string `json:"text"`
}

// Person is who sent a message, as far as the bot knows.
type Person struct {
	ID          int64
	Name        string
	Role        string
	IncubatorID int
	Incubator   string
}

// SessionKey names one person in one chat.
type SessionKey struct {
	Channel, ChatID, SenderID string
}

// Session is a person's conversation state, kept in the database so that it
// survives a restart and any process can continue it.
type Session struct {
	Topic        string
	TopicExpires time.Time
	Form         []byte // JSON of a multi-step exchange, nil when none
	FormExpires  time.Time
}

// Message statuses in the database.
const (
	StatusReceived = "received" // recorded, not yet claimed
	StatusHandling = "handling" // claimed by a handler until its lease ends
	StatusHandled  = "handled"  // answered (its replies are stored with it)
	StatusIgnored  = "ignored"  // not addressed to the bot
	StatusStale    = "stale"    // too old to answer (replayed after a login)
	StatusFailed   = "failed"   // handling failed; retried up to a limit
)

// Claim is a message a handler holds: its attempt number is the claim's
// token, so a handler whose lease ran out cannot finish it.
type Claim struct {
	RowID   int64
	Attempt int
	Message
}

// MessageState is what is known of a recorded message.
type MessageState struct {
	RowID    int64
	Status   string
	Attempts int
	// LeaseLive says another handler holds the message now.
	LeaseLive bool
	// Replies are the replies stored with a handled message.
	Replies []Reply
}

// Outgoing is a queued reply.
type Outgoing struct {
	ID       int64
	Channel  string
	ChatID   string
	ChatKind string
	Text     string
	Attempts int
}

// Finish is the end of one handling, written in one transaction: the
// person's session, the replies and the message's status. It applies only
// while the claim holds.
type Finish struct {
	Claim  Claim
	Status string // handled, ignored, stale or failed
	Error  string
	// Replies are stored with the message; Delivered says they were
	// returned inline (stored as sent), else they are queued in the outbox.
	Replies   []Reply
	Delivered bool
	// Session, when not nil, is saved under Key.
	Key     SessionKey
	Session *Session
}

// HashCode is how one-time codes are stored and compared: never in clear.
// Codes are read case-insensitively.
func HashCode(code string) string {
	sum := sha256.Sum256([]byte(strings.ToUpper(strings.TrimSpace(code))))
	return hex.EncodeToString(sum[:])
}

// Exposed is a one-time code voided because it was seen outside a private
// chat with the bot, with whom to tell.
type Exposed struct {
	Person string // whose code it was
	// Notify are the officers to tell: the one who issued it, else every
	// bound officer.
	Notify []Contact
}

// Contact is where a bound person is reached privately.
type Contact struct {
	Name    string
	Channel string
	ChatID  string
}

// Actor is who made a change, for the audit log.
type Actor struct {
	Name, Role, Channel string
}

// PersonRecord is a person as stored: role, incubator, binding.
type PersonRecord struct {
	ID            int64
	Name          string
	Role          string
	IncubatorID   *int
	Incubator     string
	Channel       string
	ContactKey    string
	ContactName   string
	ChatID        string
	InvitedBy     *int64
	InviteExpires *time.Time
	BoundAt       *time.Time
	RevokedAt     *time.Time
}

// AssetSummary is one incubator's register in figures (money in fen).
type AssetSummary struct {
	Incubator                    string
	Items                        int
	Value                        int64
	Missing, Damaged             int
	MissingValue, DamagedValue   int64
	Restored, Verified           int
	RestoredValue, VerifiedValue int64
	PendingReviews               int
}

// QuestionLog is one asked question and what the bot did with it.
type QuestionLog struct {
	ID        int64     `json:"id"`
	MessageID *int64    `json:"message_id,omitempty"`
	Channel   string    `json:"channel"`
	Chat      string    `json:"chat"`
	Asker     string    `json:"asker"`
	Question  string    `json:"question"`
	Searched  string    `json:"searched"`
	Answer    string    `json:"answer"`
	Answered  bool      `json:"answered"`
	Source    string    `json:"source"`
	Reason    string    `json:"reason"`
	Cited     []byte    `json:"-"`
	TopScore  float64   `json:"top_score"`
	Model     string    `json:"model"`
	LatencyMS int       `json:"latency_ms"`
	CreatedAt time.Time `json:"created_at"`
	// Useful is what the asker said of the answer (有用/没用, 👍/👎), nil
	// when nothing; Feedback their reason, if they gave one.
	Useful   *bool  `json:"useful,omitempty"`
	Feedback string `json:"feedback,omitempty"`
}
