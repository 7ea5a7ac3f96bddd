package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/incubot/incubot/knowledge"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Roles of people.
const (
	RoleOfficer    = "officer"
	RoleManager    = "manager"
	RoleEnterprise = "enterprise"
)

// Person is who sent a message, as far as the bot knows.
type Person struct {
	ID          int64
	Name        string
	Role        string
	IncubatorID int
	Incubator   string
}

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
}

// Router decides what to do with each message and replies.
type Router struct {
	Store    Store
	Answerer Answerer
	Library  Library
	Log      QuestionLogger
	People   People
	Logger   *slog.Logger
	Opts     Options
	Metrics  *Metrics

	commands []Command
	forms    map[string]FormHandler
	before   []Interceptor
}

// Interceptor sees a message before it is answered as a question and may
// handle it instead (e.g. a manager's free-text asset report).
type Interceptor func(ctx context.Context, r *Request) (reply string, handled bool, err error)

// AddInterceptor registers an interceptor.
func (r *Router) AddInterceptor(i Interceptor) { r.before = append(r.before, i) }

// Fixed replies.
const (
	ReplyFailed     = "抱歉，系统暂时出了点问题，您的消息已记录，我们会尽快处理，请稍后再试。"
	ReplyEmpty      = "您好，请直接输入要咨询的问题，例如：“购买科技成果补助的比例是多少？”发送“帮助”查看我能做什么。"
	ReplyNotText    = "抱歉，我暂时只能阅读文字消息。请用文字描述您的问题，例如：“高新技术企业认定需要什么条件？”"
	ReplyNoContent  = "没有看到文字内容。请用文字描述您的问题，发送“帮助”查看我能做什么。"
	ReplyFormExpire = "上一次未完成的填报已超时取消，没有保存任何内容。如需继续，请重新开始。"
)

// NewRouter builds a router with the built-in commands.
func NewRouter(store Store, answerer Answerer, lib Library, log QuestionLogger, people People, logger *slog.Logger, opts Options) *Router {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	r := &Router{Store: store, Answerer: answerer, Library: lib, Log: log, People: people, Logger: logger, Opts: opts, forms: map[string]FormHandler{}}
	r.commands = builtinCommands(r)
	return r
}

// AddCommand registers a command.
func (r *Router) AddCommand(c Command) { r.commands = append(r.commands, c) }

// AddForm registers a multi-step exchange by kind.
func (r *Router) AddForm(kind string, h FormHandler) { r.forms[kind] = h }

// Handle records a message, decides whether and how to answer, queues the
// replies (or, when inline, records them as delivered) and returns them.
// Only database failures while recording return an error; everything else
// becomes a reply.
func (r *Router) Handle(ctx context.Context, m Message, inline bool) ([]Reply, error) {
	if m.FromSelf {
		return nil, nil
	}
	if m.Time.IsZero() {
		m.Time = r.Opts.Now()
	}
	log := r.Logger.With("msg_id", m.ID, "channel", m.Channel, "chat", m.ChatID)
	id, fresh, err := r.Store.RecordMessage(ctx, &m)
	if err != nil {
		return nil, err
	}
	if !fresh {
		log.Debug("duplicate message ignored")
		return nil, nil
	}
	r.Metrics.in(m.Channel)
	if r.Opts.MaxAge > 0 && r.Opts.Now().Sub(m.Time) > r.Opts.MaxAge {
		return nil, r.Store.SetMessageStatus(ctx, id, "stale", "")
	}
	return r.process(ctx, id, 0, m, inline, log)
}

// Retry handles again the messages whose handling failed, up to attempts
// times; after that the person is told and the message is closed.
func (r *Router) Retry(ctx context.Context, channel string, attempts int) error {
	failed, err := r.Store.FailedMessages(ctx, channel, attempts)
	if err != nil {
		return err
	}
	for _, sm := range failed {
		log := r.Logger.With("msg_id", sm.ID, "channel", sm.Channel, "chat", sm.ChatID, "attempt", sm.Attempts+1)
		if _, err := r.process(ctx, sm.RowID, sm.Attempts, sm.Message, false, log); err != nil {
			return err
		}
	}
	return nil
}

// process handles a recorded message. When handling fails the message is
// marked for retry and, the first time, the person is told so at once.
func (r *Router) process(ctx context.Context, id int64, attempts int, m Message, inline bool, log *slog.Logger) ([]Reply, error) {
	text, addressed := r.addressed(&m)
	if !addressed {
		return nil, r.Store.SetMessageStatus(ctx, id, "ignored", "")
	}
	req := &Request{Msg: &m, RowID: id, Text: text}
	reply, err := r.reply(ctx, req)
	if err != nil {
		var ue *UserError
		if errors.As(err, &ue) {
			reply = ue.Text
		} else {
			log.Error("handling failed", "err", err)
			r.Metrics.failed()
			if serr := r.Store.SetMessageStatus(ctx, id, "failed", err.Error()); serr != nil {
				return nil, serr
			}
			if attempts > 0 {
				return nil, nil
			}
			out := []Reply{r.to(&m, ReplyFailed)}
			if err := r.Store.QueueReplies(ctx, out, inline); err != nil {
				return nil, err
			}
			return out, nil
		}
	}
	if reply == "" {
		return nil, r.Store.SetMessageStatus(ctx, id, "handled", "")
	}
	out := []Reply{r.to(&m, reply)}
	if err := r.Store.FinishMessage(ctx, id, out, inline); err != nil {
		return nil, err
	}
	r.Metrics.out(m.Channel, len(out))
	return out, nil
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

// reply decides the reply text for an addressed message.
func (r *Router) reply(ctx context.Context, req *Request) (string, error) {
	m := req.Msg
	person := Person{Role: RoleEnterprise, Name: m.SenderName}
	if r.People != nil {
		p, err := r.People.Lookup(ctx, m)
		if err != nil {
			return "", err
		}
		person = p
	}
	req.Person = person
	key := SessionKey{m.Channel, m.ChatID, m.SenderID}
	sess, err := r.Store.Session(ctx, key)
	if err != nil {
		return "", err
	}
	req.Session = &sess
	now := r.Opts.Now()
	reply, err := r.route(ctx, req, now)
	if err != nil {
		return reply, err
	}
	if sess.Form != nil && !sess.FormExpires.After(now) {
		sess.FormExpires = now.Add(r.Opts.FormTTL) // a form just started
	}
	return reply, r.Store.SaveSession(ctx, key, sess)
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
		if h := r.forms[head.Kind]; h != nil {
			reply, next, err := h(ctx, req, sess.Form)
			if err != nil {
				return "", err
			}
			sess.Form = next
			sess.FormExpires = now.Add(r.Opts.FormTTL)
			return reply, nil
		}
		sess.Form = nil
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
	if ans.Source == knowledge.SourceSmallTalk {
		return ans.Text, nil // no question: not logged, no follow-up context
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
