// Package bot owns the conversation: the channel-neutral message, routing,
// commands, per-person state, the outbox, and turning errors into fixed
// Chinese replies. Channels (console, WeChat, HTTP) only convert messages.
package bot

import (
	"context"
	"time"

	"github.com/incubot/incubot/knowledge"
)

// Chat kinds.
const (
	Private = "private"
	Group   = "group"
)

// Message is an inbound message as every channel delivers it.
type Message struct {
	Channel    string     `json:"channel"`
	ID         string     `json:"id"` // the channel's message id, for deduplication
	ChatID     string     `json:"chat_id"`
	ChatKind   string     `json:"chat_kind"`
	ChatTitle  string     `json:"chat_title,omitempty"`
	SenderID   string     `json:"sender_id"`
	SenderName string     `json:"sender_name"`
	Text       string     `json:"text"`
	Mentioned  bool       `json:"mentioned"` // a real @-mention of the bot
	Attachment Attachment `json:"attachment,omitzero"`
	Time       time.Time  `json:"time"`
	FromSelf   bool       `json:"-"`
}

// Attachment describes a non-text part of a message.
type Attachment struct {
	Kind string `json:"kind,omitempty"` // image, voice, video, file, emoticon
	Name string `json:"name,omitempty"`
	Size int64  `json:"size,omitempty"`
}

// Reply is one message to send.
type Reply struct {
	Channel  string `json:"-"`
	ChatID   string `json:"chat"`
	ChatKind string `json:"-"`
	To       string `json:"to"`
	Text     string `json:"text"`
}

// Answerer answers policy questions (knowledge.Answerer).
type Answerer interface {
	Answer(ctx context.Context, question, topic string) (*knowledge.Answer, error)
}

// Library gives the commands that show documents their data.
type Library interface {
	Documents(ctx context.Context, all bool) ([]knowledge.Document, error)
	FindDocument(ctx context.Context, ref string) (*knowledge.Document, error)
	DocumentChunks(ctx context.Context, id int64) ([]knowledge.Chunk, error)
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

// StoredMessage is a recorded message with its row id and attempts.
type StoredMessage struct {
	RowID    int64
	Attempts int
	Message
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

// Store is what the bot keeps in the database.
type Store interface {
	// RecordMessage stores an inbound message once; fresh is false when the
	// channel delivered it before.
	RecordMessage(ctx context.Context, m *Message) (id int64, fresh bool, err error)
	SetMessageStatus(ctx context.Context, id int64, status, errText string) error
	// FinishMessage marks a message handled and queues its replies, in one
	// transaction; delivered replies are stored as already sent.
	FinishMessage(ctx context.Context, id int64, replies []Reply, delivered bool) error
	// QueueReplies queues replies outside a message's handling.
	QueueReplies(ctx context.Context, replies []Reply, delivered bool) error
	FailedMessages(ctx context.Context, channel string, maxAttempts int) ([]StoredMessage, error)

	Session(ctx context.Context, key SessionKey) (Session, error)
	SaveSession(ctx context.Context, key SessionKey, s Session) error

	ClaimOutbox(ctx context.Context, channel, owner string, limit int, lease time.Duration) ([]Outgoing, error)
	MarkSent(ctx context.Context, id int64) error
	MarkSendFailed(ctx context.Context, id int64, errText string, final bool) error
	OutboxDepth(ctx context.Context) (int, error)
}

// QuestionLogger records every question and answer.
type QuestionLogger interface {
	LogQuestion(ctx context.Context, messageID int64, m *Message, ans *knowledge.Answer) error
}
