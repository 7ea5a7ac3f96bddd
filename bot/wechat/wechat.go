package wechat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eatmoreapple/openwechat"
	"github.com/incubot/incubot/bot"
	"github.com/mdp/qrterminal/v3"
	"rsc.io/qr"
)

// SessionStore keeps the hot-login session (cookies, SyncKey) private in
// the database, so any process can take over the account.
type SessionStore interface {
	ChannelSession(ctx context.Context, channel string) ([]byte, time.Time, error)
	SaveChannelSession(ctx context.Context, channel string, data []byte) error
}

// ErrBarred is WeChat refusing the account on the web protocol.
var ErrBarred = errors.New(`WeChat refuses this account on the web protocol ("为了你的帐号安全，此微信号不能登录网页微信"): use a long-standing, real-name-verified account, or run the HTTP API instead (incubot serve --http)`)

// Options configure the channel.
type Options struct {
	QRFile  string   // the login QR code as PNG, for headless servers
	Notify  []string // contact names told when the login was lost
	Workers int
	QROut   io.Writer // where the terminal QR code is drawn
	PerChat time.Duration
	Global  time.Duration
	// Transport replaces the HTTP transport of the web protocol (tests
	// point it at a local server that speaks the protocol).
	Transport http.RoundTripper
	// MaxFileSize bounds a file or photo downloaded from a private chat;
	// larger ones (by the size WeChat declares, or as read) are not fetched.
	MaxFileSize int64
}

// WeChat runs the account: login, intake, sending, re-login.
type WeChat struct {
	Router   *bot.Router
	Store    bot.Store
	Sessions SessionStore
	Files    FileStore // where received files go; nil: none are downloaded
	Log      *slog.Logger
	Opts     Options

	loggedIn atomic.Bool
	calls    chan func() // every openwechat call runs on one goroutine
	mu       sync.Mutex
	targets  map[string]target // chat id → where to send, rebuilt each login
	self     *openwechat.Self
	fetches  map[string]func() (*http.Response, error) // message id → its attachment's download
}

type target struct {
	friend *openwechat.Friend
	group  *openwechat.Group
}

// LoggedIn reports the login state for /metrics.
func (w *WeChat) LoggedIn() float64 {
	if w.loggedIn.Load() {
		return 1
	}
	return 0
}

// do runs fn on the openwechat goroutine and waits for it.
func (w *WeChat) do(ctx context.Context, fn func()) error {
	done := make(chan struct{})
	select {
	case w.calls <- func() { defer close(done); fn() }:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run logs in and serves until ctx ends. A forced logout is followed by a
// new login with backoff; a barred account ends Run with ErrBarred.
func (w *WeChat) Run(ctx context.Context) error {
	w.calls = make(chan func())
	w.targets = map[string]target{}
	go func() {
		for {
			select {
			case fn := <-w.calls:
				func() {
					defer func() {
						if r := recover(); r != nil {
							w.Log.Error("openwechat call panicked", "panic", r)
						}
					}()
					fn()
				}()
			case <-ctx.Done():
				return
			}
		}
	}()
	workers := w.startWorkers(ctx)
	out := &bot.Outbox{Store: w.Store, Channel: Channel, Owner: fmt.Sprintf("wechat-%d", os.Getpid()), Sender: w, PerChat: w.Opts.PerChat, Global: w.Opts.Global, Log: w.Log}
	outCtx, stopOut := context.WithCancel(context.WithoutCancel(ctx))
	outDone := make(chan struct{})
	go func() { out.Run(outCtx, time.Second); close(outDone) }()
	defer func() {
		// Drain what is queued for up to 20 seconds, then stop.
		drain, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
		stopOut()
		<-outDone
		out.Flush(drain)
		cancel()
		for _, q := range workers {
			close(q)
		}
	}()

	wait := 10 * time.Second
	var lostAt time.Time
	for ctx.Err() == nil {
		err := w.session(ctx, workers, lostAt)
		w.loggedIn.Store(false)
		switch {
		case ctx.Err() != nil:
			return nil
		case barred(err):
			return ErrBarred
		case err != nil && !forcedLogout(err):
			w.Log.Error("wechat session ended", "err", err)
		default:
			w.Log.Warn("wechat logged out by the server; logging in again", "err", err)
		}
		lostAt = time.Now()
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(wait*2, 10*time.Minute)
	}
	return nil
}

// session runs one login until logout.
func (w *WeChat) session(ctx context.Context, intake []chan bot.Message, lostAt time.Time) error {
	var b *openwechat.Bot
	var loginErr error
	w.do(ctx, func() {
		b = openwechat.DefaultBot(openwechat.Desktop, openwechat.WithContextOption(ctx))
		if w.Opts.Transport != nil {
			b.Caller.Client.HTTPClient().Transport = w.Opts.Transport
		}
		b.UUIDCallback = w.showQR
		b.ScanCallBack = func(openwechat.CheckLoginResponse) { w.Log.Info("QR code scanned; confirm on the phone") }
		b.LoginCallBack = func(openwechat.CheckLoginResponse) { w.Log.Info("WeChat login confirmed") }
		b.SyncCheckCallback = func(openwechat.SyncCheckResponse) {}
		b.MessageErrorHandler = w.syncErrors()
		b.MessageHandler = func(msg *openwechat.Message) { w.intake(ctx, msg, intake) }
	})
	storage := &dbStorage{ctx: ctx, store: w.Sessions}
	if err := storage.load(); err == nil {
		w.do(ctx, func() { loginErr = b.HotLogin(storage) })
		if loginErr != nil {
			w.Log.Info("hot login failed; showing a QR code", "err", loginErr)
		}
	} else {
		loginErr = err
		// HotLogin registers the storage before it reads it, so this failed
		// attempt (nothing stored yet) leaves it registered: the QR login
		// below then saves the session itself before its message sync
		// starts, and again after each batch on the sync goroutine. A DumpTo
		// of our own after Login would race that goroutine's SyncKey writes.
		w.do(ctx, func() { _ = b.HotLogin(storage) })
	}
	if loginErr != nil {
		if barred(loginErr) {
			return loginErr
		}
		storage.reset()
		w.do(ctx, func() { loginErr = b.Login() })
		if loginErr != nil {
			return loginErr
		}
	}
	w.do(ctx, func() {
		w.self, _ = b.GetCurrentUser()
		w.mu.Lock()
		w.targets = map[string]target{}
		w.mu.Unlock()
	})
	w.loggedIn.Store(true)
	w.Log.Info("WeChat logged in")
	if !lostAt.IsZero() {
		w.notify(ctx, fmt.Sprintf("【incubot】微信登录曾于%s中断，现已重新登录。中断期间的消息如未回复，请人工跟进。", lostAt.Format("01-02 15:04")))
	}
	// Wait for the session to end, then read why. Not b.Block(): it reads
	// the bot's fields while, on shutdown, openwechat's sync goroutine may
	// still write them (ExitWith; a data race in openwechat 1.4.10 that
	// -race caught in CI). ExitWith sets the reason before it cancels the
	// bot's context, so reading it after that is ordered; when the context
	// ended because we are stopping, the reason is not read at all.
	<-b.Context().Done()
	if ctx.Err() != nil {
		return nil
	}
	return b.CrashReason()
}

// syncErrors backs off on network errors instead of retrying at once, and
// ends the session on a forced logout.
func (w *WeChat) syncErrors() openwechat.MessageErrorHandler {
	var failures int
	return func(err error) error {
		if forcedLogout(err) || barred(err) {
			return err
		}
		failures++
		wait := min(time.Duration(1<<min(failures, 6))*time.Second, time.Minute)
		w.Log.Warn("wechat sync error; backing off", "err", err, "wait", wait)
		time.Sleep(wait)
		return nil
	}
}

// intake converts a message on the openwechat goroutine's behalf and hands
// it to the worker for its chat. It never blocks long: the callback runs on
// the heartbeat goroutine.
func (w *WeChat) intake(ctx context.Context, msg *openwechat.Message, workers []chan bot.Message) {
	var m bot.Message
	var ok bool
	w.do(ctx, func() { m, ok = w.read(msg) })
	if !ok {
		return
	}
	h := fnv.New32a()
	h.Write([]byte(m.ChatID))
	select {
	case workers[h.Sum32()%uint32(len(workers))] <- m:
	case <-time.After(5 * time.Second):
		w.Log.Error("wechat intake queue full; message not handled", "msg_id", m.ID, "chat", m.ChatID)
	}
}

// read converts a message; it runs on the openwechat goroutine.
func (w *WeChat) read(msg *openwechat.Message) (bot.Message, bool) {
	if msg.IsSendBySelf() {
		return bot.Message{}, false
	}
	r := raw{MsgID: msg.MsgId, Content: msg.Content, CreateTime: msg.CreateTime, Text: msg.IsText(), IsAt: msg.IsAt()}
	switch {
	case msg.IsPicture():
		r.Attachment = "image"
	case msg.IsVoice():
		r.Attachment = "voice"
	case msg.IsVideo():
		r.Attachment = "video"
	case msg.IsEmoticon():
		r.Attachment = "emoticon"
	case msg.HasAttachment():
		r.Attachment, r.FileName, r.FileSize = "file", msg.FileName, declaredSize(msg)
	}
	var t target
	if msg.IsSendByGroup() {
		r.InGroup = true
		group, err := msg.Sender()
		if err != nil {
			w.Log.Warn("wechat: group of message", "err", err)
			return bot.Message{}, false
		}
		r.GroupName = group.NickName
		if g, ok := group.AsGroup(); ok {
			t.group = g
		}
		if u, err := msg.SenderInGroup(); err == nil {
			r.RemarkName, r.NickName, r.DisplayName = u.RemarkName, u.NickName, u.DisplayName
		}
	} else {
		u, err := msg.Sender()
		if err != nil {
			w.Log.Warn("wechat: sender of message", "err", err)
			return bot.Message{}, false
		}
		r.RemarkName, r.NickName = u.RemarkName, u.NickName
		if f, ok := u.AsFriend(); ok {
			t.friend = f
		}
	}
	m := convert(r)
	if w.fetchable(r) {
		w.remember(m.ID, msg.GetFile)
	}
	w.mu.Lock()
	w.targets[m.ChatID] = t
	w.mu.Unlock()
	return m, true
}

// startWorkers handles messages: one queue per worker, a chat always on the
// same worker so that its messages are answered in order.
func (w *WeChat) startWorkers(ctx context.Context) []chan bot.Message {
	n := max(1, w.Opts.Workers)
	qs := make([]chan bot.Message, n)
	for i := range qs {
		qs[i] = make(chan bot.Message, 1024)
		go func(q chan bot.Message) {
			for m := range q {
				func() {
					defer func() {
						if r := recover(); r != nil {
							w.Log.Error("handling panicked", "msg_id", m.ID, "panic", r)
						}
					}()
					// Handling is idempotent by message id: when the message
					// could not even be recorded (the database is down or
					// restarting), try again rather than lose it.
					w.fetch(ctx, &m)
					for wait := time.Second; ; wait *= 2 {
						_, err := w.Router.Handle(context.WithoutCancel(ctx), m)
						if err == nil {
							return
						}
						if wait > 32*time.Second {
							w.Log.Error("wechat message not recorded; given up", "msg_id", m.ID, "err", err)
							return
						}
						w.Log.Warn("wechat message not recorded; retrying", "msg_id", m.ID, "err", err, "wait", wait)
						time.Sleep(wait)
					}
				}()
			}
		}(qs[i])
	}
	return qs
}

// Send implements bot.Sender on the openwechat goroutine.
func (w *WeChat) Send(ctx context.Context, chatID, chatKind, text string) error {
	if !w.loggedIn.Load() {
		return errors.New("wechat is not logged in")
	}
	var err error
	derr := w.do(ctx, func() {
		t, ok := w.lookup(chatID, chatKind)
		switch {
		case !ok:
			err = fmt.Errorf("wechat: chat %s not found among contacts", chatID)
		case t.group != nil:
			_, err = t.group.SendText(text)
		default:
			_, err = t.friend.SendText(text)
		}
	})
	if derr != nil {
		return derr
	}
	return err
}

// lookup finds where to send: a chat seen since login, else a contact or
// group of that name. Runs on the openwechat goroutine.
func (w *WeChat) lookup(chatID, kind string) (target, bool) {
	w.mu.Lock()
	t, ok := w.targets[chatID]
	w.mu.Unlock()
	if ok || w.self == nil {
		return t, ok
	}
	if kind == bot.Group {
		name := strings.TrimPrefix(chatID, "group:")
		gs, err := w.self.Groups()
		if err == nil {
			if found := gs.SearchByNickName(1, name); len(found) > 0 {
				return target{group: found[0]}, true
			}
		}
		return t, false
	}
	fs, err := w.self.Friends()
	if err != nil {
		return t, false
	}
	key := strings.TrimPrefix(chatID, "private:")
	if name, ok := strings.CutPrefix(key, remarkPrefix); ok {
		if found := fs.SearchByRemarkName(1, name); len(found) > 0 {
			return target{friend: found[0]}, true
		}
		return t, false
	}
	// A contact without a remark name: only a notice to an unbound person
	// is sent this way, never anything a role depends on.
	if found := fs.SearchByNickName(1, strings.TrimPrefix(key, nickPrefix)); len(found) > 0 {
		return target{friend: found[0]}, true
	}
	return t, false
}

// Anchor implements bot.Anchorer: on binding, the bot sets the contact's
// remark name to label itself, so the binding rests on a name only this
// account can give. The contact then carries the sender id "remark:label".
func (w *WeChat) Anchor(ctx context.Context, m *bot.Message, label string) (string, string, error) {
	if m.ChatKind != bot.Private {
		return "", "", errors.New("wechat: a contact is anchored in a private chat only")
	}
	want := remarkPrefix + label
	if m.SenderID == want {
		return want, m.ChatID, nil // an officer set it by hand on the phone
	}
	var err error
	derr := w.do(ctx, func() {
		w.mu.Lock()
		t, ok := w.targets[m.ChatID]
		w.mu.Unlock()
		if !ok || t.friend == nil {
			err = fmt.Errorf("wechat: contact of %s not found", m.ChatID)
			return
		}
		err = t.friend.SetRemarkName(label)
		if err == nil {
			w.mu.Lock()
			w.targets["private:"+want] = t
			w.mu.Unlock()
		}
	})
	if derr != nil {
		return "", "", derr
	}
	if err != nil {
		w.Log.Warn("wechat: setting a remark name failed", "err", err)
		return "", "", err
	}
	return want, "private:" + want, nil
}

// notify queues a notice to the configured officer contacts.
func (w *WeChat) notify(ctx context.Context, text string) {
	var replies []bot.Reply
	for _, name := range w.Opts.Notify {
		replies = append(replies, bot.Reply{Channel: Channel, ChatID: "private:" + remarkPrefix + name, ChatKind: bot.Private, To: name, Text: text})
	}
	if len(replies) > 0 {
		if err := w.Store.QueueReplies(ctx, replies); err != nil {
			w.Log.Warn("queue login notice", "err", err)
		}
	}
}

// showQR draws the login QR code in the terminal and writes it as PNG.
func (w *WeChat) showQR(uuid string) {
	url := "https://login.weixin.qq.com/l/" + uuid
	if w.Opts.QROut != nil {
		fmt.Fprintln(w.Opts.QROut, "用手机微信扫描二维码登录（机器人专用账号）：")
		qrterminal.GenerateHalfBlock(url, qrterminal.L, w.Opts.QROut)
	}
	if w.Opts.QRFile == "" {
		return
	}
	code, err := qr.Encode(url, qr.M)
	if err != nil {
		w.Log.Error("QR code", "err", err)
		return
	}
	os.MkdirAll(filepath.Dir(w.Opts.QRFile), 0o700)
	if err := writeFileAtomic(w.Opts.QRFile, code.PNG(), 0o600); err != nil {
		w.Log.Error("write QR code", "err", err)
		return
	}
	w.Log.Info("login QR code written", "file", w.Opts.QRFile)
}

func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// dbStorage is openwechat's hot-reload storage, kept in the database: Read
// gives the stored session, each Write replaces it whole.
type dbStorage struct {
	ctx   context.Context
	store SessionStore
	r     *bytes.Reader
}

func (s *dbStorage) load() error {
	data, _, err := s.store.ChannelSession(s.ctx, Channel)
	if err != nil {
		return err
	}
	s.r = bytes.NewReader(data)
	return nil
}

func (s *dbStorage) reset() { s.r = bytes.NewReader(nil) }

func (s *dbStorage) Read(p []byte) (int, error) {
	if s.r == nil {
		return 0, io.EOF
	}
	return s.r.Read(p)
}

func (s *dbStorage) Write(p []byte) (int, error) {
	if err := s.store.SaveChannelSession(s.ctx, Channel, append([]byte(nil), p...)); err != nil {
		return 0, err
	}
	return len(p), nil
}
