package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/incubot/incubot/knowledge/corpus"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/incubot/incubot/internal/model"
)

// People resolves the sender of a message to a person with a role; unknown
// senders are enterprises.
type People interface {
	Lookup(ctx context.Context, m *Message) (Person, error)
}

// Request is one message being handled.
type Request struct {
	Msg     *Message
	RowID   int64  // the recorded message's id
	Text    string // the text with any mention or command marker removed
	Args    string // for commands: the text after the command word
	Person  Person
	Session *Session
	// Code is the code argument of a 绑定 command as sent; Text and the
	// stored message carry it redacted. Empty when handled again later.
	Code string
	// Voided says codes in force were seen in this message outside a
	// private chat and have been cancelled.
	Voided bool

	anchor func(ctx context.Context, label string) (senderID, chatID string, err error)
}

// Anchor gives the sender an identity the bot controls on this channel (on
// WeChat, a remark name the bot sets) and returns the sender id and private
// chat id the contact carries from now on. Channels without such a thing
// keep the sender id they proved.
func (r *Request) Anchor(ctx context.Context, label string) (senderID, chatID string, err error) {
	if r.anchor == nil {
		return r.Msg.SenderID, r.Msg.ChatID, nil
	}
	return r.anchor(ctx, label)
}

// Command is a chat command such as 帮助 or 原文.
type Command struct {
	Names []string // the words that call it; the first is shown in help
	Roles []string // who may use it; empty means everyone
	Usage string   // e.g. "原文 <文件> <第X条>"
	Help  string   // one line for 帮助
	Run   func(ctx context.Context, r *Request) (string, error)
}

// FormHandler continues a multi-step exchange: it gets the saved state and
// returns the reply and the next state (nil when the exchange is over).
type FormHandler func(ctx context.Context, r *Request, state []byte) (reply string, next []byte, err error)

// NotAnAnswer is what a form's handler returns when the message does not
// answer it (not 1 or 0 to a confirmation). When the message is a command
// or something an interceptor takes (a new report), the form is cancelled
// and the message handled, its reply led by Note (one line saying what was
// cancelled); otherwise the handler's reply (a reminder) is sent and the
// form keeps waiting. Forms whose answers may look like commands (a
// stock-take's 缺失) simply never return it.
type NotAnAnswer struct{ Note string }

func (e *NotAnAnswer) Error() string { return "bot: not an answer to the form" }

// UserError is a problem with what the person sent: its text is the reply,
// and nothing was changed.
type UserError struct{ Text string }

func (e *UserError) Error() string { return e.Text }

// Userf makes a UserError.
func Userf(format string, a ...any) error { return &UserError{Text: fmt.Sprintf(format, a...)} }

// Options are the router's settings.
type Options struct {
	BotName       string
	Groups        []string // answer only in these groups; empty: all
	MaxMessageLen int
	MaxAge        time.Duration
	ContextTTL    time.Duration
	FormTTL       time.Duration
	Now           func() time.Time
	// Today is the day documents' validity is judged on (INCUBOT_TODAY);
	// nil: the date of Now.
	Today func() time.Time
	// Outboxes are the channels whose replies are queued and sent by an
	// outbox; every other channel gets its replies inline, from Handle.
	// One delivery path per channel: never both.
	Outboxes []string
	// Lease is how long a handler holds a message before another may take
	// it over (a crash leaves it held until then); handling is cut off at
	// three quarters of it. Default two minutes.
	Lease time.Duration
	// MaxAttempts bounds how often a failing message is handled. Default 3.
	MaxAttempts int
	// RetryWait bounds how long a retried inline message waits for another
	// handler of the same id to finish. Default 25 seconds.
	RetryWait time.Duration
}

// Router decides what to do with each message and replies.
type Router struct {
	Store    Store
	Answerer Answerer
	Library  Library
	Log      QuestionLogger
	People   People
	Codes    Codes
	Anchors  map[string]Anchorer
	Logger   *slog.Logger
	Opts     Options
	Metrics  *Metrics

	commands []Command
	forms    map[string]form
	before   []Interceptor
	// attachments handles messages carrying a file or photo; nil: none read.
	attachments Interceptor
}

type form struct {
	roles []string
	h     FormHandler
}

// Codes knows the one-time codes in force, by hash (model.HashCode).
type Codes interface {
	// LiveCodes returns which of the hashes are codes in force.
	LiveCodes(ctx context.Context, hashes []string, now time.Time) ([]string, error)
	// VoidCodes cancels codes and says whom to tell.
	VoidCodes(ctx context.Context, hashes []string, where string) ([]model.Exposed, error)
}

// Anchorer is a channel that can give a contact an identity the bot itself
// controls (WeChat: a remark name). It returns the sender id and private
// chat id the contact carries from then on.
type Anchorer interface {
	Anchor(ctx context.Context, m *Message, label string) (senderID, chatID string, err error)
}

// ErrRetryLater says an inline message could not be handled now; it is
// kept, and sending it again with the same id gets its answer.
var ErrRetryLater = errors.New("bot: the message is kept but not answered yet; send it again with the same id")

// Interceptor sees a message before it is answered as a question and may
// handle it instead (e.g. a manager's free-text asset report).
type Interceptor func(ctx context.Context, r *Request) (reply string, handled bool, err error)

// OnAttachment sets the handler of messages that carry a file or photo
// (before the reply that only text is read); it reports whether it
// handled the message.
func (r *Router) OnAttachment(h Interceptor) { r.attachments = h }

// AddInterceptor registers an interceptor.
func (r *Router) AddInterceptor(i Interceptor) { r.before = append(r.before, i) }

// Fixed replies.
const (
	ReplyFailed     = "抱歉，系统暂时出了点问题，您的消息已记录，我们会尽快处理，请稍后再试。"
	ReplyEmpty      = "您好，请直接输入要咨询的问题，例如：“购买科技成果补助的比例是多少？”发送“帮助”查看我能做什么。"
	ReplyNotText    = "抱歉，我暂时只能阅读文字消息。请用文字描述您的问题，例如：“高新技术企业认定需要什么条件？”"
	ReplyNoContent  = "没有看到文字内容。请用文字描述您的问题，发送“帮助”查看我能做什么。"
	ReplyFormExpire = "上一次未完成的填报已超时取消，没有保存任何内容。如需继续，请重新开始。"
	ReplyGaveUp     = "抱歉，这条消息多次处理都没有成功，已记录并转交工作人员。请稍后重新发送，或直接联系区科技局。"
	ReplyRoleGone   = "您的身份已变更，未完成的操作已取消，没有保存任何内容。如有疑问请联系区科技局。"
)

// NewRouter builds a router with the built-in commands.
func NewRouter(store Store, answerer Answerer, lib Library, log QuestionLogger, people People, logger *slog.Logger, opts Options) *Router {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if opts.Lease <= 0 {
		opts.Lease = 2 * time.Minute
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 3
	}
	if opts.RetryWait <= 0 {
		opts.RetryWait = 25 * time.Second
	}
	r := &Router{Store: store, Answerer: answerer, Library: lib, Log: log, People: people, Logger: logger, Opts: opts, forms: map[string]form{}}
	r.commands = builtinCommands(r)
	return r
}

// AddCommand registers a command.
func (r *Router) AddCommand(c Command) { r.commands = append(r.commands, c) }

// AddForm registers a multi-step exchange by kind, for people of the given
// roles (empty: everyone). The role is checked again at every step, so a
// person whose role ends cannot finish what they started.
func (r *Router) AddForm(kind string, roles []string, h FormHandler) {
	r.forms[kind] = form{roles: roles, h: h}
}

// Handle records a message and handles it. On a channel with an outbox the
// replies are queued and nil is returned; on any other channel they are
// returned (inline) and stored with the message, so that the same id sent
// again gets the same replies without being handled twice. Errors: the
// message could not be recorded, or (inline) ErrRetryLater.
func (r *Router) Handle(ctx context.Context, m Message) ([]Reply, error) {
	if m.FromSelf {
		return nil, nil
	}
	if m.Time.IsZero() {
		m.Time = r.Opts.Now()
	}
	inline := !slices.Contains(r.Opts.Outboxes, m.Channel)
	code, voided, err := r.screen(ctx, &m)
	if err != nil {
		return nil, err
	}
	claim, fresh, err := r.Store.RecordMessage(ctx, &m, r.Opts.Lease)
	if err != nil {
		return nil, err
	}
	log := r.Logger.With("msg_id", m.ID, "channel", m.Channel, "chat", m.ChatID)
	if !fresh {
		if !inline {
			log.Debug("duplicate message ignored")
			return nil, nil
		}
		return r.again(ctx, m, code)
	}
	r.Metrics.in(m.Channel)
	if r.Opts.MaxAge > 0 && r.Opts.Now().Sub(m.Time) > r.Opts.MaxAge {
		return nil, r.Store.FinishMessage(ctx, Finish{Claim: claim, Status: model.StatusStale})
	}
	return r.run(ctx, claim, code, voided, inline, log)
}

// again answers an inline message whose id was recorded before: with the
// stored replies when it was handled, by handling it now when nobody holds
// it (a crash, a failure), else after waiting for whoever holds it.
func (r *Router) again(ctx context.Context, m Message, code string) ([]Reply, error) {
	log := r.Logger.With("msg_id", m.ID, "channel", m.Channel, "chat", m.ChatID)
	deadline := time.Now().Add(r.Opts.RetryWait)
	for {
		c, claimed, st, err := r.Store.Reclaim(ctx, m.Channel, m.ID, r.Opts.Lease, r.Opts.MaxAttempts)
		if err != nil {
			return nil, err
		}
		if claimed {
			log.Info("handling a recorded message again", "attempt", c.Attempt)
			return r.run(ctx, c, code, false, true, log)
		}
		if st.Status != model.StatusHandling {
			if st.Replies == nil {
				st.Replies = []Reply{}
			}
			return st.Replies, nil
		}
		if time.Now().After(deadline) {
			return nil, ErrRetryLater
		}
		t := time.NewTimer(100 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ErrRetryLater
		case <-t.C:
		}
	}
}

// Recover handles again, as a channel with an outbox, the messages of that
// channel that nobody holds: left received or handling past their lease by
// a crash, or failed fewer than MaxAttempts times. It returns how many.
func (r *Router) Recover(ctx context.Context, channel string) (int, error) {
	if !slices.Contains(r.Opts.Outboxes, channel) {
		return 0, fmt.Errorf("bot: %s answers inline: its messages are handled again when their sender retries them", channel)
	}
	n := 0
	for {
		claims, err := r.Store.ClaimStale(ctx, channel, r.Opts.Lease, r.Opts.MaxAttempts, 20)
		if err != nil || len(claims) == 0 {
			return n, err
		}
		for _, c := range claims {
			log := r.Logger.With("msg_id", c.ID, "channel", c.Channel, "chat", c.ChatID, "attempt", c.Attempt)
			log.Info("handling a recorded message again")
			if _, err := r.run(ctx, c, "", false, false, log); err != nil {
				return n, err
			}
			n++
		}
	}
}

// run handles a claimed message and finishes it: replies and session in
// one transaction with its status. A failure is kept for another attempt;
// a channel with an outbox is told at once the first time.
func (r *Router) run(ctx context.Context, c Claim, code string, voided, inline bool, log *slog.Logger) ([]Reply, error) {
	m := c.Message
	text, addressed := r.addressed(&m)
	if !addressed {
		return nil, r.Store.FinishMessage(ctx, Finish{Claim: c, Status: model.StatusIgnored})
	}
	req := &Request{Msg: &m, RowID: c.RowID, Text: text, Code: code, Voided: voided}
	if a := r.Anchors[m.Channel]; a != nil {
		req.anchor = func(ctx context.Context, label string) (string, string, error) { return a.Anchor(ctx, &m, label) }
	}
	hctx, cancel := context.WithTimeout(ctx, r.Opts.Lease*3/4)
	reply, key, sess, err := r.reply(hctx, req)
	cancel()
	if err != nil {
		var ue *UserError
		if !errors.As(err, &ue) {
			return r.failed(ctx, c, inline, err, log)
		}
		reply = ue.Text
	}
	f := Finish{Claim: c, Status: model.StatusHandled, Delivered: inline, Key: key, Session: sess}
	if reply != "" {
		f.Replies = []Reply{r.to(&m, reply)}
	}
	if err := r.Store.FinishMessage(ctx, f); err != nil {
		if errors.Is(err, model.ErrConflict) {
			log.Warn("handling took longer than the lease; another handler answers", "err", err)
			if inline {
				return nil, ErrRetryLater
			}
			return nil, nil
		}
		return nil, err
	}
	r.Metrics.out(m.Channel, len(f.Replies))
	if !inline {
		return nil, nil
	}
	if f.Replies == nil {
		return []Reply{}, nil
	}
	return f.Replies, nil
}

// failed records a failed handling. Inline, the sender is asked to retry
// (ErrRetryLater) until the last attempt, which is answered ReplyGaveUp; with
// an outbox, the person is told ReplyFailed at once the first time and
// ReplyGaveUp after the last.
func (r *Router) failed(ctx context.Context, c Claim, inline bool, cause error, log *slog.Logger) ([]Reply, error) {
	log.Error("handling failed", "attempt", c.Attempt, "err", cause)
	r.Metrics.failed()
	last := c.Attempt >= r.Opts.MaxAttempts
	f := Finish{Claim: c, Status: model.StatusFailed, Error: cause.Error(), Delivered: inline}
	switch {
	case last:
		f.Replies = []Reply{r.to(&c.Message, ReplyGaveUp)}
	case !inline && c.Attempt == 1:
		f.Replies = []Reply{r.to(&c.Message, ReplyFailed)}
	}
	if err := r.Store.FinishMessage(ctx, f); err != nil && !errors.Is(err, model.ErrConflict) {
		return nil, err
	}
	if !inline {
		return nil, nil
	}
	if !last {
		return nil, ErrRetryLater
	}
	return f.Replies, nil
}

// to addresses a reply: in groups it names the asker.
func (r *Router) to(m *Message, text string) Reply {
	rep := Reply{Channel: m.Channel, ChatID: m.ChatID, ChatKind: m.ChatKind, To: m.SenderName, Text: text}
	if m.ChatKind == Group && m.SenderName != "" {
		rep.Text = "@" + m.SenderName + " " + text
	}
	return rep
}

// addressed strips the mention or name prefix and says whether the bot
// should answer: always in private chats; in groups only when really
// @-mentioned or addressed by name, and only in listed groups.
func (r *Router) addressed(m *Message) (string, bool) {
	text := strings.TrimSpace(m.Text)
	if m.ChatKind != Group {
		return text, true
	}
	if len(r.Opts.Groups) > 0 && !slices.Contains(r.Opts.Groups, m.ChatTitle) {
		return "", false
	}
	name := r.Opts.BotName
	if m.Mentioned {
		return stripMention(text, name), true
	}
	if name != "" && strings.HasPrefix(text, name) {
		rest := strings.TrimLeftFunc(strings.TrimPrefix(text, name), func(c rune) bool {
			return unicode.IsSpace(c) || strings.ContainsRune(",，:：、", c)
		})
		return rest, true
	}
	return "", false
}

// stripMention removes "@name" (followed by U+2005 or a space) wherever the
// client put it.
func stripMention(text, name string) string {
	if name == "" {
		return text
	}
	for _, sep := range []string{"\u2005", " ", "\u00a0", ""} {
		text = strings.ReplaceAll(text, "@"+name+sep, "")
	}
	return strings.TrimSpace(text)
}

var reCommandMark = regexp.MustCompile(`^[#＃/]`)

// reply decides the reply text for an addressed message and returns the
// person's session to save with it. In groups nobody has a role: role
// commands and forms run only in private chats.
func (r *Router) reply(ctx context.Context, req *Request) (string, SessionKey, *Session, error) {
	m := req.Msg
	person := Person{Role: RoleEnterprise, Name: m.SenderName}
	if r.People != nil && m.ChatKind == Private {
		p, err := r.People.Lookup(ctx, m)
		if err != nil {
			return "", SessionKey{}, nil, err
		}
		person = p
	}
	req.Person = person
	key := SessionKey{Channel: m.Channel, ChatID: m.ChatID, SenderID: m.SenderID}
	sess, err := r.Store.Session(ctx, key)
	if err != nil {
		return "", key, nil, err
	}
	req.Session = &sess
	now := r.Opts.Now()
	reply, err := r.route(ctx, req, now)
	if err != nil {
		return reply, key, &sess, err
	}
	if sess.Form != nil && !sess.FormExpires.After(now) {
		sess.FormExpires = now.Add(r.Opts.FormTTL) // a form just started
	}
	return reply, key, &sess, nil
}

func (r *Router) route(ctx context.Context, req *Request, now time.Time) (string, error) {
	text := req.Text
	sess := req.Session
	expiredForm := ""
	if sess.Form != nil && now.After(sess.FormExpires) {
		sess.Form = nil
		expiredForm = ReplyFormExpire + "\n\n"
	}
	if sess.Form != nil {
		var head struct{ Kind string }
		json.Unmarshal(sess.Form, &head)
		if f, ok := r.forms[head.Kind]; ok {
			if len(f.roles) > 0 && !slices.Contains(f.roles, req.Person.Role) {
				sess.Form = nil
				return ReplyRoleGone, nil
			}
			reply, next, err := f.h(ctx, req, sess.Form)
			var na *NotAnAnswer
			if errors.As(err, &na) {
				// Not an answer to the form: a command, a file or a new
				// report cancels the form and is handled; anything else
				// gets the form's reminder and the form waits.
				pending := sess.Form
				sess.Form = nil
				lead := func(out string, err error) (string, error) {
					if sess.Form != nil { // the command started a form of its own
						sess.FormExpires = now.Add(r.Opts.FormTTL)
					}
					var ue *UserError
					if errors.As(err, &ue) {
						return na.Note + "\n\n" + ue.Text, nil
					}
					return na.Note + "\n\n" + out, err
				}
				if req.Msg.Attachment.Kind != "" && r.attachments != nil {
					if out, ok, err := r.attachments(ctx, req); ok || err != nil {
						return lead(out, err)
					}
				}
				if cmd, ok, err := r.command(ctx, req); ok || err != nil {
					return lead(cmd, err)
				}
				for _, i := range r.before {
					if out, ok, err := i(ctx, req); ok || err != nil {
						return lead(out, err)
					}
				}
				sess.Form = pending
				if next != nil {
					sess.Form = next
				}
				sess.FormExpires = now.Add(r.Opts.FormTTL)
				return reply, nil
			}
			if err != nil {
				return "", err
			}
			sess.Form = next
			sess.FormExpires = now.Add(r.Opts.FormTTL)
			return reply, nil
		} else {
			sess.Form = nil
		}
	}
	if req.Msg.Attachment.Kind != "" && r.attachments != nil {
		if reply, ok, err := r.attachments(ctx, req); ok || err != nil {
			return expiredForm + reply, err
		}
	}
	if text == "" {
		if req.Msg.Attachment.Kind != "" {
			return expiredForm + ReplyNotText, nil
		}
		return expiredForm + ReplyEmpty, nil
	}
	if n := utf8.RuneCountInString(text); r.Opts.MaxMessageLen > 0 && n > r.Opts.MaxMessageLen {
		return expiredForm + fmt.Sprintf("您的消息有%d字，超过了%d字的上限。请把问题精简后再发，例如只保留要咨询的政策和具体情况。", n, r.Opts.MaxMessageLen), nil
	}
	if !hasContent(text) {
		return expiredForm + ReplyNoContent, nil
	}
	if reply, ok, err := r.command(ctx, req); ok || err != nil {
		return expiredForm + reply, err
	}
	for _, i := range r.before {
		if reply, ok, err := i(ctx, req); ok || err != nil {
			return expiredForm + reply, err
		}
	}
	reply, err := r.answer(ctx, req, now)
	return expiredForm + reply, err
}

// hasContent says whether text holds any letter, Chinese character or digit
// (not only emoji or punctuation).
func hasContent(text string) bool {
	for _, c := range text {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			return true
		}
	}
	return false
}

// command runs a command if the text starts with one. Commands may be
// written with or without a leading #.
func (r *Router) command(ctx context.Context, req *Request) (string, bool, error) {
	text := reCommandMark.ReplaceAllString(req.Text, "")
	marked := text != req.Text
	word, args, _ := strings.Cut(strings.TrimSpace(text), " ")
	if w, a, ok := cutFullWidth(word); ok {
		word, args = w, a+" "+args
	}
	for _, c := range r.commands {
		for _, name := range c.Names {
			rest, ok := strings.CutPrefix(word, name)
			if !ok || (rest != "" && !isArgStart(rest)) {
				continue
			}
			if len(c.Roles) > 0 && req.Msg.ChatKind != Private {
				return fmt.Sprintf("“%s”只能在与我的私聊中使用，请私聊我发送。", c.Names[0]), true, nil
			}
			if len(c.Roles) > 0 && !slices.Contains(c.Roles, req.Person.Role) {
				return fmt.Sprintf("“%s”只对%s开放，您当前的身份是%s。如需开通，请联系区科技局。", c.Names[0], roleNames(c.Roles), roleName(req.Person.Role)), true, nil
			}
			req.Args = strings.TrimSpace(rest + " " + args)
			reply, err := c.Run(ctx, req)
			return reply, true, err
		}
	}
	if marked {
		return "没有“" + word + "”这个指令。\n\n" + r.help(req.Person), true, nil
	}
	return "", false, nil
}

// cutFullWidth splits 原文：xxx style input at a full-width separator.
func cutFullWidth(word string) (string, string, bool) {
	for _, sep := range []string{"：", ":", "，"} {
		if w, a, ok := strings.Cut(word, sep); ok {
			return w, a, true
		}
	}
	return word, "", false
}

// isArgStart allows a command word glued to its argument, e.g. "缺失CKC-001".
func isArgStart(rest string) bool {
	if rest == "" {
		return false
	}
	c, _ := utf8.DecodeRuneInString(rest)
	return c < 128 && (unicode.IsLetter(c) || unicode.IsDigit(c))
}

func roleName(role string) string {
	switch role {
	case RoleOfficer:
		return "科技局工作人员"
	case RoleManager:
		return "孵化器/众创空间管理员"
	}
	return "企业用户"
}

func roleNames(roles []string) string {
	var out []string
	for _, r := range roles {
		out = append(out, roleName(r))
	}
	return strings.Join(out, "、")
}

// answer answers a policy question within the person's topic.
func (r *Router) answer(ctx context.Context, req *Request, now time.Time) (string, error) {
	sess := req.Session
	topic := ""
	if sess.Topic != "" && now.Before(sess.TopicExpires) {
		topic = sess.Topic
	}
	start := time.Now()
	ans, err := r.Answerer.Answer(ctx, req.Text, topic)
	if err != nil {
		return "", err
	}
	if ans.Source == corpus.SourceSmallTalk || ans.Source == corpus.SourceClarify {
		return ans.Text, nil // no question yet: not logged, no follow-up context
	}
	r.Metrics.answered(time.Since(start), ans.Answered)
	if r.Log != nil {
		if err := r.Log.LogQuestion(ctx, req.RowID, req.Msg, ans); err != nil {
			return "", err
		}
	}
	if ans.Answered {
		sess.Topic, sess.TopicExpires = ans.Searched, now.Add(r.Opts.ContextTTL)
	}
	return ans.Text, nil
}
