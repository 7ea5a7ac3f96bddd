// Package bot owns the conversation: the channel-neutral message, routing,
// commands, per-person state, the outbox, and turning errors into fixed
// Chinese replies. Channels (console, WeChat, HTTP) only convert messages.
package bot

import (
	"context"
	"time"

	"github.com/incubot/incubot/internal/model"
	"github.com/incubot/incubot/knowledge/corpus"
)

// Chat kinds and roles (the records live in internal/model, shared with
// storage).
const (
	Private        = model.Private
	Group          = model.Group
	RoleOfficer    = model.RoleOfficer
	RoleManager    = model.RoleManager
	RoleEnterprise = model.RoleEnterprise
)

// Records shared with storage.
type (
	Message      = model.Message
	Attachment   = model.Attachment
	Reply        = model.Reply
	Person       = model.Person
	SessionKey   = model.SessionKey
	Session      = model.Session
	Claim        = model.Claim
	MessageState = model.MessageState
	Outgoing     = model.Outgoing
	Finish       = model.Finish
)

// Answerer answers policy questions (knowledge.Answerer).
type Answerer interface {
	Answer(ctx context.Context, question, topic string) (*corpus.Answer, error)
}

// Library gives the commands that show documents their data.
type Library interface {
	Documents(ctx context.Context, all bool) ([]corpus.Document, error)
	FindDocument(ctx context.Context, ref string) (*corpus.Document, error)
	DocumentChunks(ctx context.Context, id int64) ([]corpus.Chunk, error)
}

// Store is what the bot keeps in the database.
type Store interface {
	// RecordMessage stores an inbound message once and claims it for
	// handling until lease ends; fresh is false when the channel delivered
	// that id before (nothing is stored then).
	RecordMessage(ctx context.Context, m *Message, lease time.Duration) (c Claim, fresh bool, err error)
	// Reclaim claims a recorded message again when nobody holds it: still
	// received, handling past its lease, or failed fewer than maxAttempts
	// times. Claimed is false otherwise, and state says what is known.
	Reclaim(ctx context.Context, channel, msgID string, lease time.Duration, maxAttempts int) (c Claim, claimed bool, state MessageState, err error)
	// ClaimStale claims up to limit messages of a channel that nobody
	// holds (see Reclaim), oldest first.
	ClaimStale(ctx context.Context, channel string, lease time.Duration, maxAttempts, limit int) ([]Claim, error)
	// FinishMessage ends a handling; ErrConflict when the claim was lost
	// (another handler took the message over after the lease ran out).
	FinishMessage(ctx context.Context, f Finish) error
	// QueueReplies queues replies outside a message's handling (notices).
	QueueReplies(ctx context.Context, replies []Reply) error

	Session(ctx context.Context, key SessionKey) (Session, error)

	ClaimOutbox(ctx context.Context, channel, owner string, limit int, lease time.Duration) ([]Outgoing, error)
	MarkSent(ctx context.Context, id int64) error
	MarkSendFailed(ctx context.Context, id int64, errText string, final bool) error
	OutboxDepth(ctx context.Context) (int, error)
}

// FeedbackLogger records what an asker says of the answer to their latest
// question in a chat since a time (有用/没用, with an optional reason);
// it reports false when they asked none. A QuestionLogger that is also a
// FeedbackLogger takes feedback.
type FeedbackLogger interface {
	FeedbackOnLast(ctx context.Context, channel, chatID, senderID string, since time.Time, useful bool, comment string) (bool, error)
}

// QuestionLogger records every question and answer.
type QuestionLogger interface {
	LogQuestion(ctx context.Context, messageID int64, m *Message, ans *corpus.Answer) error
}
