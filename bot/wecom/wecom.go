package wecom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/incubot/incubot/bot"
)

// Errors that end a connection.
var (
	// ErrDisplaced is WeCom telling this connection that another one for
	// the same bot took its place. The channel then stays down: fighting
	// back would only displace the other process in turn.
	ErrDisplaced = errors.New("wecom: another connection for this bot took over (disconnected_event); this one stays down")
	// ErrAuth is the subscription refused: wrong bot id or secret, or the
	// bot is not in API mode with the long connection.
	ErrAuth = errors.New("wecom: subscription refused")
	// ErrHeartbeat is pings left unanswered.
	ErrHeartbeat = errors.New("wecom: heartbeats unanswered; the connection is taken as dead")
	// ErrNotConnected is a send while no connection stands.
	ErrNotConnected = errors.New("wecom: not connected")
)

// Fixed replies of the channel.
const (
	ReplyWorking = "正在查询政策库，请稍候……"
	ReplyBusy    = "您已有%d个问题正在处理，请等回答后再发新的问题。"
	ReplyWelcome = "您好，我是区科技局政策助手。请直接输入要咨询的问题，例如：“购买科技成果补助的比例是多少？”发送“帮助”查看我能做什么。"
)

// Options configure the channel. Zero values take the defaults shown.
type Options struct {
	URL     string // DefaultURL
	BotID   string
	Secret  string
	BotName string // the bot's name in WeCom, to strip "@name" in groups
	// Heartbeat is the ping interval (30 s); MaxMissed unanswered pings in
	// a row (2) end the connection.
	Heartbeat time.Duration
	MaxMissed int
	// AckTimeout bounds the wait for WeCom's acknowledgement of a frame (5 s).
	AckTimeout time.Duration
	// Reconnect backoff doubles from MinBackoff (1 s) to MaxBackoff (30 s),
	// with jitter, and starts again after a successful subscription.
	MinBackoff, MaxBackoff time.Duration
	// InFlight is how many questions of one person are handled at once (3,
	// WeCom's own limit); more are told to wait and not recorded.
	InFlight int
	// Workers bounds the messages handled at once over all people (16).
	Workers int
	// StreamAfter: an answer not ready by then gets a stream frame saying
	// it is being looked up, then the answer in the same bubble (1 s).
	StreamAfter time.Duration
	// MaxFrame is the largest frame read (1 MiB); a larger one ends the
	// connection.
	MaxFrame int64
	// MaxMedia is the largest image or file downloaded (20 MiB).
	MaxMedia int64
	// HTTPClient downloads media (a client with a 60 s timeout).
	HTTPClient *http.Client
	// Media, when set, gets the decrypted bytes of an image or file
	// before the message is handled.
	Media func(ctx context.Context, m bot.Message, data []byte)
	// Feedback, when set, records a 👍/👎: the id is the message id of the
	// question the reply answered; useful is nil when withdrawn.
	Feedback func(ctx context.Context, msgID, userID string, useful *bool, comment string) error
}

func (o *Options) defaults() {
	if o.URL == "" {
		o.URL = DefaultURL
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Heartbeat, 30*time.Second)
	def(&o.AckTimeout, 5*time.Second)
	def(&o.MinBackoff, time.Second)
	def(&o.MaxBackoff, 30*time.Second)
	def(&o.StreamAfter, time.Second)
	if o.MaxMissed <= 0 {
		o.MaxMissed = 2
	}
	if o.InFlight <= 0 {
		o.InFlight = 3
	}
	if o.Workers <= 0 {
		o.Workers = 16
	}
	if o.MaxFrame <= 0 {
		o.MaxFrame = 1 << 20
	}
	if o.MaxMedia <= 0 {
		o.MaxMedia = 20 << 20
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
}

// Bot runs the smart bot's long connection.
type Bot struct {
	Router  *bot.Router
	Store   bot.Store // the outbox of proactive pushes
	Log     *slog.Logger
	Metrics *bot.Metrics
	Opts    Options

	mu       sync.Mutex
	conn     *websocket.Conn
	acks     map[string]chan frame // req_id → its acknowledgement
	inflight map[string]int        // user id → questions being handled
	workers  chan struct{}
	up       atomic.Bool
	missed   atomic.Int32
	handling sync.WaitGroup
}

// Up reports 1 while connected and subscribed, for /metrics.
func (b *Bot) Up() float64 {
	if b.up.Load() {
		return 1
	}
	return 0
}

// Run keeps the connection until ctx ends: it reconnects with backoff after
// any loss, and stays down (logging why) once displaced by another
// connection. Queued pushes are sent while connected.
func (b *Bot) Run(ctx context.Context) error {
	b.Opts.defaults()
	if b.Log == nil {
		b.Log = slog.New(slog.DiscardHandler)
	}
	b.acks = map[string]chan frame{}
	b.inflight = map[string]int{}
	b.workers = make(chan struct{}, b.Opts.Workers)
	outDone := make(chan struct{})
	go func() { b.pushLoop(ctx); close(outDone) }()
	defer func() { <-outDone; b.handling.Wait() }()

	wait := b.Opts.MinBackoff
	for {
		subscribed, err := b.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, ErrDisplaced) {
			b.Metrics.ChannelEvent(Channel, "displaced")
			b.Log.Error("企业微信智能机器人：另一个连接顶替了本连接（同一机器人只能有一个长连接）。本进程不再重连，以免互相顶替；请确认只有一处在运行，然后重启本服务。", "err", err)
			<-ctx.Done()
			return nil
		}
		if subscribed {
			wait = b.Opts.MinBackoff
		}
		if errors.Is(err, ErrAuth) {
			b.Log.Error("企业微信智能机器人订阅被拒绝：请核对 Bot ID 和 Secret，并确认机器人已开启“API 模式 - 长连接”", "err", err)
		} else {
			b.Log.Warn("wecom connection lost", "err", err, "retry_in", wait)
		}
		b.Metrics.ChannelEvent(Channel, "reconnect")
		d := wait + time.Duration(rand.Int64N(int64(wait)/4+1))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(d):
		}
		wait = min(wait*2, b.Opts.MaxBackoff)
	}
}

// session runs one connection: dial, subscribe, then read until it fails.
// subscribed says the subscription was accepted.
func (b *Bot) session(ctx context.Context) (subscribed bool, err error) {
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	conn, _, err := websocket.Dial(dctx, b.Opts.URL, nil)
	cancel()
	if err != nil {
		return false, fmt.Errorf("wecom: connect: %w", err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(b.Opts.MaxFrame)
	sctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)

	// Subscribe: the acknowledgement is the first frame with its req_id.
	sub := frame{Cmd: cmdSubscribe, Headers: headers{newReqID(cmdSubscribe)}}
	sub.Body, _ = json.Marshal(map[string]string{"bot_id": b.Opts.BotID, "secret": b.Opts.Secret})
	if err := b.write(sctx, conn, sub); err != nil {
		return false, err
	}
	actx, acancel := context.WithTimeout(sctx, b.Opts.AckTimeout*2)
	for {
		f, err := b.read(actx, conn)
		if err != nil {
			acancel()
			return false, fmt.Errorf("wecom: waiting for the subscription's answer: %w", err)
		}
		if f == nil || f.Headers.ReqID != sub.Headers.ReqID {
			continue // nothing else is due before the subscription is answered
		}
		acancel()
		if f.ErrCode == nil || *f.ErrCode != 0 {
			code := -1
			if f.ErrCode != nil {
				code = *f.ErrCode
			}
			return false, fmt.Errorf("%w: errcode %d %s", ErrAuth, code, f.ErrMsg)
		}
		break
	}
	b.mu.Lock()
	b.conn = conn
	b.mu.Unlock()
	b.up.Store(true)
	b.missed.Store(0)
	b.Log.Info("wecom connected", "bot_id", b.Opts.BotID)
	defer func() {
		b.up.Store(false)
		b.mu.Lock()
		b.conn = nil
		for id, ch := range b.acks {
			close(ch)
			delete(b.acks, id)
		}
		b.mu.Unlock()
	}()
	go b.heartbeat(sctx, conn, stop)

	for {
		f, err := b.read(sctx, conn)
		if err != nil {
			if c := context.Cause(sctx); c != nil && !errors.Is(c, context.Canceled) {
				return true, c
			}
			return true, fmt.Errorf("wecom: read: %w", err)
		}
		if f == nil {
			continue
		}
		if err := b.dispatch(sctx, f); err != nil {
			return true, err
		}
	}
}

// read returns the next frame, or nil for a frame that is not one (logged
// and counted; the connection goes on).
func (b *Bot) read(ctx context.Context, conn *websocket.Conn) (*frame, error) {
	typ, data, err := conn.Read(ctx)
	if err != nil {
		return nil, err
	}
	var f frame
	if typ != websocket.MessageText || json.Unmarshal(data, &f) != nil {
		b.Metrics.ChannelEvent(Channel, "bad_frame")
		b.Log.Warn("wecom: a frame that is not JSON was ignored", "bytes", len(data))
		return nil, nil
	}
	return &f, nil
}

func (b *Bot) write(ctx context.Context, conn *websocket.Conn, f frame) error {
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, b.Opts.AckTimeout)
	defer cancel()
	if err := conn.Write(wctx, websocket.MessageText, data); err != nil {
		return fmt.Errorf("wecom: write %s: %w", f.Cmd, err)
	}
	return nil
}

// heartbeat pings every interval; MaxMissed unanswered pings in a row end
// the session.
func (b *Bot) heartbeat(ctx context.Context, conn *websocket.Conn, stop context.CancelCauseFunc) {
	t := time.NewTicker(b.Opts.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if int(b.missed.Load()) >= b.Opts.MaxMissed {
			b.Metrics.ChannelEvent(Channel, "heartbeat_lost")
			stop(ErrHeartbeat)
			return
		}
		b.missed.Add(1)
		if err := b.write(ctx, conn, frame{Cmd: cmdPing, Headers: headers{newReqID(cmdPing)}}); err != nil {
			stop(err)
			return
		}
	}
}

// dispatch acts on one frame. An error ends the session.
func (b *Bot) dispatch(ctx context.Context, f *frame) error {
	switch f.Cmd {
	case "":
		id := f.Headers.ReqID
		if strings.HasPrefix(id, cmdPing+"_") {
			if f.ErrCode != nil && *f.ErrCode == 0 {
				b.missed.Store(0)
			}
			return nil
		}
		b.mu.Lock()
		ch := b.acks[id]
		delete(b.acks, id)
		b.mu.Unlock()
		if ch != nil {
			ch <- *f
		}
		return nil
	case cmdMessage, cmdEvent:
	default:
		b.Metrics.ChannelEvent(Channel, "bad_frame")
		b.Log.Warn("wecom: unknown command ignored", "cmd", f.Cmd)
		return nil
	}
	var c callback
	if f.Headers.ReqID == "" || json.Unmarshal(f.Body, &c) != nil {
		b.Metrics.ChannelEvent(Channel, "bad_frame")
		b.Log.Warn("wecom: a callback without req_id or with a malformed body was ignored", "cmd", f.Cmd)
		return nil
	}
	reqID := f.Headers.ReqID
	if f.Cmd == cmdEvent {
		if c.Event == nil {
			b.Metrics.ChannelEvent(Channel, "bad_frame")
			return nil
		}
		switch c.Event.Type {
		case eventDisconnected:
			return ErrDisplaced
		case eventEnterChat:
			b.spawn(func() {
				body, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": ReplyWelcome}})
				if _, err := b.request(context.WithoutCancel(ctx), frame{Cmd: cmdWelcome, Headers: headers{reqID}, Body: body}); err != nil {
					b.Log.Warn("wecom welcome", "err", err)
				}
			})
		case eventFeedback:
			if c.Event.Feedback != nil {
				fb, user := *c.Event.Feedback, c.From.UserID
				b.spawn(func() { b.feedback(context.WithoutCancel(ctx), fb, user) })
			}
		}
		return nil
	}
	m, att, ok := convert(&c, b.Opts.BotName, time.Now())
	if !ok {
		b.Metrics.ChannelEvent(Channel, "bad_frame")
		b.Log.Warn("wecom: a message callback the bot cannot read was ignored", "msgtype", c.MsgType, "chattype", c.ChatType)
		return nil
	}
	b.mu.Lock()
	busy := b.inflight[m.SenderID] >= b.Opts.InFlight
	if !busy {
		b.inflight[m.SenderID]++
	}
	b.mu.Unlock()
	if busy {
		b.Metrics.ChannelEvent(Channel, "busy")
		b.spawn(func() {
			b.respond(context.WithoutCancel(ctx), reqID, newReqID("s"), fmt.Sprintf(ReplyBusy, b.Opts.InFlight), true, "")
		})
		return nil
	}
	b.spawn(func() {
		defer func() {
			b.mu.Lock()
			b.inflight[m.SenderID]--
			if b.inflight[m.SenderID] <= 0 {
				delete(b.inflight, m.SenderID)
			}
			b.mu.Unlock()
		}()
		b.handle(context.WithoutCancel(ctx), reqID, m, att)
	})
	return nil
}

// spawn runs fn on a worker, at most Workers at once, recovering a panic.
func (b *Bot) spawn(fn func()) {
	b.handling.Add(1)
	go func() {
		defer b.handling.Done()
		b.workers <- struct{}{}
		defer func() {
			<-b.workers
			if r := recover(); r != nil {
				b.Log.Error("wecom handler panicked", "panic", r)
			}
		}()
		fn()
	}()
}

// handle answers one message: through the router, in a stream bound to the
// callback's req_id; an answer that takes longer than StreamAfter first
// shows that it is being looked up. A reply that cannot be delivered that
// way is queued as a push.
func (b *Bot) handle(ctx context.Context, reqID string, m bot.Message, att *media) {
	log := b.Log.With("msg_id", m.ID, "chat", m.ChatID)
	if att != nil {
		data, name, err := Download(ctx, b.Opts.HTTPClient, att.URL, att.AESKey, b.Opts.MaxMedia)
		switch {
		case err != nil:
			b.Metrics.ChannelEvent(Channel, "media_failed")
			log.Warn("wecom media", "err", err)
		default:
			m.Attachment.Name, m.Attachment.Size = name, int64(len(data))
			if b.Opts.Media != nil {
				b.Opts.Media(ctx, m, data)
			}
		}
	}
	streamID := newReqID("stream")
	var (
		sendMu  sync.Mutex
		started bool // the stream's first frame went out
	)
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
			return
		case <-time.After(b.Opts.StreamAfter):
		}
		sendMu.Lock()
		defer sendMu.Unlock()
		select {
		case <-done:
			return
		default:
		}
		if b.respond(ctx, reqID, streamID, ReplyWorking, false, m.ID) == nil {
			started = true
		}
	}()
	replies := b.route(ctx, m, log)
	sendMu.Lock()
	close(done)
	defer sendMu.Unlock()
	var parts []string
	for _, r := range replies {
		parts = append(parts, r.Text)
	}
	text := strings.Join(parts, "\n\n")
	if text == "" {
		if !started {
			return
		}
		text = "（没有需要回复的内容）"
	}
	fb := m.ID
	if started {
		fb = ""
	}
	if err := b.respond(ctx, reqID, streamID, clip(text), true, fb); err != nil {
		b.Metrics.ChannelEvent(Channel, "send_failed")
		log.Warn("wecom reply failed; queued as a push", "err", err)
		if err := b.Store.QueueReplies(ctx, replies); err != nil {
			log.Error("wecom: queue the undelivered reply", "err", err)
		}
	}
}

// route hands the message to the router; a handling that failed is tried
// again (the router keeps the message and its attempts) before the person
// is told it failed.
func (b *Bot) route(ctx context.Context, m bot.Message, log *slog.Logger) []bot.Reply {
	wait := 2 * time.Second
	for attempt := 1; ; attempt++ {
		replies, err := b.Router.Handle(ctx, m)
		if err == nil {
			return replies
		}
		if !errors.Is(err, bot.ErrRetryLater) || attempt >= 5 {
			log.Error("wecom: message not handled", "err", err)
			return []bot.Reply{{Channel: Channel, ChatID: m.ChatID, ChatKind: m.ChatKind, Text: bot.ReplyFailed}}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// respond sends one stream frame bound to a callback and waits for its
// acknowledgement. feedbackID, on a stream's first frame, asks WeCom to
// show 👍/👎 under the reply.
func (b *Bot) respond(ctx context.Context, reqID, streamID, text string, finish bool, feedbackID string) error {
	var s stream
	s.MsgType = "stream"
	s.Stream.ID, s.Stream.Finish, s.Stream.Content = streamID, finish, text
	if feedbackID != "" && b.Opts.Feedback != nil {
		s.Stream.Feedback = &feedbackRef{ID: feedbackID}
	}
	body, _ := json.Marshal(s)
	_, err := b.request(ctx, frame{Cmd: cmdRespond, Headers: headers{reqID}, Body: body})
	return err
}

// request writes a frame and waits for its acknowledgement (errcode 0).
func (b *Bot) request(ctx context.Context, f frame) (frame, error) {
	ch := make(chan frame, 1)
	b.mu.Lock()
	conn := b.conn
	if conn == nil {
		b.mu.Unlock()
		return frame{}, ErrNotConnected
	}
	b.acks[f.Headers.ReqID] = ch
	b.mu.Unlock()
	drop := func() {
		b.mu.Lock()
		if b.acks[f.Headers.ReqID] == ch {
			delete(b.acks, f.Headers.ReqID)
		}
		b.mu.Unlock()
	}
	if err := b.write(ctx, conn, f); err != nil {
		drop()
		return frame{}, err
	}
	t := time.NewTimer(b.Opts.AckTimeout)
	defer t.Stop()
	select {
	case ack, ok := <-ch:
		if !ok {
			return frame{}, ErrNotConnected
		}
		if ack.ErrCode != nil && *ack.ErrCode != 0 {
			return ack, fmt.Errorf("wecom: %s refused: errcode %d %s", f.Cmd, *ack.ErrCode, ack.ErrMsg)
		}
		return ack, nil
	case <-t.C:
		drop()
		return frame{}, fmt.Errorf("wecom: %s not acknowledged within %s", f.Cmd, b.Opts.AckTimeout)
	case <-ctx.Done():
		drop()
		return frame{}, ctx.Err()
	}
}

// Send pushes one queued reply (a notice, or an answer whose stream could
// not be delivered) as markdown with aibot_send_msg. WeCom accepts a push
// only to a person or group that has talked to the bot before, and says so
// in its errcode otherwise.
func (b *Bot) Send(ctx context.Context, chatID, chatKind, text string) error {
	p := push{ChatID: chatID, ChatType: 1, MsgType: "markdown"}
	if chatKind == bot.Group {
		p.ChatType = 2
	}
	p.Markdown.Content = clip(text)
	body, _ := json.Marshal(p)
	_, err := b.request(ctx, frame{Cmd: cmdSend, Headers: headers{newReqID(cmdSend)}, Body: body})
	return err
}

// pushLoop sends queued pushes while the connection stands, so that a
// dropped connection does not use up their attempts.
func (b *Bot) pushLoop(ctx context.Context) {
	if b.Store == nil {
		return
	}
	out := &bot.Outbox{Store: b.Store, Channel: Channel, Owner: fmt.Sprintf("wecom-%d", os.Getpid()), Sender: b, Log: b.Log}
	for {
		if b.up.Load() {
			if _, err := out.Flush(ctx); err != nil && ctx.Err() == nil {
				b.Log.Warn("wecom push", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// feedback records a 👍/👎.
func (b *Bot) feedback(ctx context.Context, fb feedback, user string) {
	b.Metrics.ChannelEvent(Channel, "feedback")
	if b.Opts.Feedback == nil || fb.ID == "" || len(fb.ID) > 256 {
		return
	}
	var useful *bool
	switch fb.Type {
	case 1, 2:
		v := fb.Type == 1
		useful = &v
	case 3:
	default:
		return
	}
	comment := fb.Content
	if r := []rune(comment); len(r) > 500 {
		comment = string(r[:500])
	}
	if err := b.Opts.Feedback(ctx, fb.ID, user, useful, comment); err != nil {
		b.Log.Warn("wecom feedback", "err", err, "msg_id", fb.ID)
	}
}
