// Package kf is the 微信客服 (WeCom customer service) channel: people in
// ordinary WeChat chat one-to-one with the bureau's customer-service
// account. WeCom calls a signed, encrypted URL when there is news; the
// messages are then read with sync_msg from a cursor kept in the database,
// and replies go through the outbox with send_msg, within WeCom's window of
// five messages in the 48 hours after the person's last message.
package kf

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/internal/model"
)

// Channel is the 微信客服 channel's name in the database. Its people are
// outside the bureau: they stay enterprise users.
const Channel = "kf"

// DefaultBaseURL is WeCom's API.
const DefaultBaseURL = "https://qyapi.weixin.qq.com"

// Window rules of 微信客服 and the offer of the rest of a long answer.
const (
	MaxReplies = 5
	Window     = 48 * time.Hour
	// MaxTextBytes is the longest text send_msg takes.
	MaxTextBytes = 2048
	// More is what a person sends for the rest of a long answer.
	More      = "继续"
	ReplyMore = "（内容较长，回复“继续”查看余下部分）"
	ReplyNone = "没有未发完的内容了。请直接输入要咨询的问题。"
)

// Store is what the channel keeps: the bot's store for the outbox, and
// small per-channel records for the cursor and the reply windows.
type Store interface {
	bot.Store
	ChannelSession(ctx context.Context, channel string) ([]byte, time.Time, error)
	SaveChannelSession(ctx context.Context, channel string, data []byte) error
	SwapChannelSession(ctx context.Context, channel string, old, data []byte) (bool, error)
}

// Options configure the channel.
type Options struct {
	BaseURL        string // DefaultBaseURL
	CorpID         string
	Secret         string // the secret of the app allowed to call 微信客服
	Token          string // callback Token
	EncodingAESKey string // callback EncodingAESKey
	// Poll reads new messages this often even without a callback (5 min;
	// without the callback's token sync_msg is strictly rate-limited).
	Poll   time.Duration
	Client *http.Client
	Now    func() time.Time
}

// KF runs the channel.
type KF struct {
	Router  *bot.Router
	Store   Store
	Log     *slog.Logger
	Metrics *bot.Metrics
	Opts    Options

	crypto  *Crypto
	once    sync.Once
	wake    chan wake
	tokenMu sync.Mutex
	token   string
	expires time.Time
	syncMu  sync.Mutex
}

type wake struct{ openKfID, token string }

func (k *KF) init() {
	k.once.Do(func() {
		if k.Opts.BaseURL == "" {
			k.Opts.BaseURL = DefaultBaseURL
		}
		if k.Opts.Poll <= 0 {
			k.Opts.Poll = 5 * time.Minute
		}
		if k.Opts.Client == nil {
			k.Opts.Client = &http.Client{Timeout: 20 * time.Second}
		}
		if k.Opts.Now == nil {
			k.Opts.Now = time.Now
		}
		if k.Log == nil {
			k.Log = slog.New(slog.DiscardHandler)
		}
		k.wake = make(chan wake, 16)
		c, err := NewCrypto(k.Opts.Token, k.Opts.EncodingAESKey, k.Opts.CorpID)
		if err != nil {
			k.Log.Error("kf", "err", err)
		}
		k.crypto = c
	})
}

// Handler serves the callback URL: GET verifies it (echostr), POST takes
// the encrypted news of new messages.
func (k *KF) Handler() http.Handler {
	k.init()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if k.crypto == nil {
			http.Error(w, "kf not configured", http.StatusServiceUnavailable)
			return
		}
		q := r.URL.Query()
		sig, ts, nonce := q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce")
		switch r.Method {
		case http.MethodGet:
			msg, err := k.crypto.Open(sig, ts, nonce, q.Get("echostr"))
			if err != nil {
				k.Metrics.ChannelEvent(Channel, "bad_callback")
				k.Log.Warn("kf: URL check refused", "err", err)
				http.Error(w, "bad signature", http.StatusForbidden)
				return
			}
			w.Write(msg)
		case http.MethodPost:
			body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
			var env struct {
				Encrypt string `xml:"Encrypt"`
			}
			if err != nil || xml.Unmarshal(body, &env) != nil || env.Encrypt == "" {
				k.Metrics.ChannelEvent(Channel, "bad_callback")
				http.Error(w, "bad body", http.StatusBadRequest)
				return
			}
			msg, err := k.crypto.Open(sig, ts, nonce, env.Encrypt)
			if err != nil {
				k.Metrics.ChannelEvent(Channel, "bad_callback")
				k.Log.Warn("kf: callback refused", "err", err)
				http.Error(w, "bad signature", http.StatusForbidden)
				return
			}
			var ev struct {
				Event    string `xml:"Event"`
				Token    string `xml:"Token"`
				OpenKfID string `xml:"OpenKfId"`
			}
			if xml.Unmarshal(msg, &ev) == nil && ev.Event == "kf_msg_or_event" && len(ev.Token) <= 128 && len(ev.OpenKfID) <= 64 {
				select {
				case k.wake <- wake{ev.OpenKfID, ev.Token}:
				default: // a read is due anyway
				}
			}
			w.Write([]byte("success"))
		default:
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
	})
}

// Run reads messages when woken by a callback and every Poll, and sends
// queued replies, until ctx ends.
func (k *KF) Run(ctx context.Context) error {
	k.init()
	out := &bot.Outbox{Store: k.Store, Channel: Channel, Owner: fmt.Sprintf("kf-%d", os.Getpid()), Sender: k, Log: k.Log}
	done := make(chan struct{})
	go func() { out.Run(ctx, time.Second); close(done) }()
	defer func() { <-done }()
	known := map[string]bool{}
	tick := time.NewTicker(k.Opts.Poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case w := <-k.wake:
			if w.openKfID != "" {
				known[w.openKfID] = true
			}
			if _, err := k.Sync(ctx, w.openKfID, w.token); err != nil && ctx.Err() == nil {
				k.Log.Warn("kf sync", "err", err)
			}
		case <-tick.C:
			for id := range known {
				if _, err := k.Sync(ctx, id, ""); err != nil && ctx.Err() == nil {
					k.Log.Warn("kf sync", "err", err)
				}
			}
		}
	}
}

type apiError struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// accessToken returns the cached token, fetching one when it is missing or
// within five minutes of expiring.
func (k *KF) accessToken(ctx context.Context, fresh bool) (string, error) {
	k.tokenMu.Lock()
	defer k.tokenMu.Unlock()
	if !fresh && k.token != "" && k.Opts.Now().Before(k.expires) {
		return k.token, nil
	}
	u := k.Opts.BaseURL + "/cgi-bin/gettoken?corpid=" + url.QueryEscape(k.Opts.CorpID) + "&corpsecret=" + url.QueryEscape(k.Opts.Secret)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	resp, err := k.Opts.Client.Do(req)
	if err != nil {
		return "", fmt.Errorf("kf: gettoken: %w", errors.Unwrap(err))
	}
	defer resp.Body.Close()
	var out struct {
		apiError
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&out); err != nil {
		return "", fmt.Errorf("kf: gettoken: HTTP %d, %w", resp.StatusCode, err)
	}
	if out.ErrCode != 0 || out.AccessToken == "" {
		return "", fmt.Errorf("kf: gettoken refused: errcode %d %s (check INCUBOT_KF_CORP_ID and INCUBOT_KF_SECRET)", out.ErrCode, out.ErrMsg)
	}
	k.token = out.AccessToken
	k.expires = k.Opts.Now().Add(time.Duration(max(out.ExpiresIn-300, 60)) * time.Second)
	return k.token, nil
}

// call posts JSON to an API path with the access token, fetching a new
// token once when WeCom says it is invalid or expired.
func (k *KF) call(ctx context.Context, path string, in, out any) error {
	body, _ := json.Marshal(in)
	for attempt := 0; ; attempt++ {
		tok, err := k.accessToken(ctx, attempt > 0)
		if err != nil {
			return err
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, k.Opts.BaseURL+path+"?access_token="+url.QueryEscape(tok), bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := k.Opts.Client.Do(req)
		if err != nil {
			return fmt.Errorf("kf: %s: %w", path, errors.Unwrap(err))
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("kf: %s: %w", path, err)
		}
		var e apiError
		if err := json.Unmarshal(data, &e); err != nil {
			return fmt.Errorf("kf: %s: HTTP %d, not JSON", path, resp.StatusCode)
		}
		switch e.ErrCode {
		case 0:
			return json.Unmarshal(data, out)
		case 40014, 42001, 40001:
			if attempt == 0 {
				continue
			}
		}
		return fmt.Errorf("kf: %s refused: errcode %d %s", path, e.ErrCode, e.ErrMsg)
	}
}

// kfMessage is one entry of sync_msg's msg_list.
type kfMessage struct {
	MsgID          string `json:"msgid"`
	OpenKfID       string `json:"open_kfid"`
	ExternalUserID string `json:"external_userid"`
	SendTime       int64  `json:"send_time"`
	Origin         int    `json:"origin"` // 3 the customer, 4 an event, 5 a servicer
	MsgType        string `json:"msgtype"`
	Text           *struct {
		Content string `json:"content"`
	} `json:"text"`
}

// Sync reads every page of new messages of a customer-service account from
// the stored cursor, hands the customers' messages to the router and
// stores the next cursor after each page. A crash before the cursor is
// stored reads the page again: the router drops the message ids it has.
func (k *KF) Sync(ctx context.Context, openKfID, token string) (int, error) {
	k.init()
	k.syncMu.Lock()
	defer k.syncMu.Unlock()
	key := "kf-cursor:" + openKfID
	cur, _, err := k.Store.ChannelSession(ctx, key)
	if err != nil && !isNotFound(err) {
		return 0, err
	}
	n := 0
	for page := 0; page < 100; page++ {
		var out struct {
			NextCursor string      `json:"next_cursor"`
			HasMore    int         `json:"has_more"`
			MsgList    []kfMessage `json:"msg_list"`
		}
		in := map[string]any{"cursor": string(cur), "limit": 1000}
		if token != "" {
			in["token"] = token
		}
		if openKfID != "" {
			in["open_kfid"] = openKfID
		}
		if err := k.call(ctx, "/cgi-bin/kf/sync_msg", in, &out); err != nil {
			return n, err
		}
		for _, m := range out.MsgList {
			msg, ok := convert(m)
			if !ok {
				continue
			}
			if err := k.openWindow(ctx, msg.ChatID, msg.ID, msg.Time); err != nil {
				return n, err
			}
			if _, err := k.Router.Handle(ctx, msg); err != nil {
				return n, err
			}
			n++
		}
		if out.NextCursor != "" && len(out.NextCursor) <= 64 {
			cur = []byte(out.NextCursor)
			if err := k.Store.SaveChannelSession(ctx, key, cur); err != nil {
				return n, err
			}
		}
		if out.HasMore == 0 {
			return n, nil
		}
	}
	return n, nil
}

func isNotFound(err error) bool { return errors.Is(err, model.ErrNotFound) }

// convert turns a customer's message into the bot's message; the chat id
// names the account and the customer, whom replies go to.
func convert(m kfMessage) (bot.Message, bool) {
	if m.Origin != 3 || m.MsgID == "" || m.ExternalUserID == "" || m.OpenKfID == "" || len(m.MsgID) > 128 || len(m.ExternalUserID) > 128 || len(m.OpenKfID) > 64 {
		return bot.Message{}, false
	}
	msg := bot.Message{Channel: Channel, ID: m.MsgID, ChatID: m.OpenKfID + "/" + m.ExternalUserID, ChatKind: bot.Private,
		SenderID: m.ExternalUserID, Time: time.Unix(m.SendTime, 0)}
	switch m.MsgType {
	case "text":
		if m.Text == nil {
			return bot.Message{}, false
		}
		msg.Text = m.Text.Content
	case "image", "voice", "video", "file":
		msg.Attachment = bot.Attachment{Kind: m.MsgType}
	default:
		msg.Attachment = bot.Attachment{Kind: m.MsgType}
	}
	return msg, true
}

// window is a chat's reply window: when the person last wrote, how many
// messages went out since, and the rest of a long answer not yet sent.
type window struct {
	Opened  time.Time `json:"opened"`
	LastMsg string    `json:"last_msg"`
	Sent    int       `json:"sent"`
	Pending string    `json:"pending,omitempty"`
}

// update changes a chat's window with fn, atomically against other
// processes (compare-and-swap on the stored record).
func (k *KF) update(ctx context.Context, chat string, fn func(w *window)) (window, error) {
	key := "kf-window:" + chat
	for range 20 {
		old, _, err := k.Store.ChannelSession(ctx, key)
		if err != nil && !isNotFound(err) {
			return window{}, err
		}
		var w window
		if old != nil {
			json.Unmarshal(old, &w)
		}
		fn(&w)
		data, _ := json.Marshal(w)
		if bytes.Equal(data, old) {
			return w, nil
		}
		ok, err := k.Store.SwapChannelSession(ctx, key, old, data)
		if err != nil {
			return window{}, err
		}
		if ok {
			return w, nil
		}
	}
	return window{}, fmt.Errorf("kf: window of %s: too many concurrent updates", chat)
}

// openWindow starts the window at a person's message (the last message
// read again changes nothing; WeCom's times are whole seconds).
func (k *KF) openWindow(ctx context.Context, chat, msgID string, at time.Time) error {
	_, err := k.update(ctx, chat, func(w *window) {
		if at.After(w.Opened) || (at.Equal(w.Opened) && msgID != w.LastMsg) {
			w.Opened, w.LastMsg, w.Sent = at, msgID, 0
		}
	})
	return err
}

// ErrWindowClosed is a reply WeCom would refuse: five messages already went
// out, or 48 hours passed, since the person's last message.
var ErrWindowClosed = errors.New("kf: the reply window is used up (5 messages within 48 hours of the person's last message)")

// Send sends one queued reply within the window. Text longer than one
// message is split; when the parts need more messages than the window has
// left, the last one that fits says how to get the rest, which is kept
// for the person's “继续”.
func (k *KF) Send(ctx context.Context, chatID, chatKind, text string) error {
	k.init()
	openKfID, user, ok := strings.Cut(chatID, "/")
	if !ok {
		return fmt.Errorf("kf: chat id %q is not account/customer", chatID)
	}
	parts := bot.SplitText(text, 600) // 2048 bytes is about 680 Chinese characters
	now := k.Opts.Now()
	var plan []string
	w, err := k.update(ctx, chatID, func(w *window) {
		left := MaxReplies - w.Sent
		if now.Sub(w.Opened) >= Window {
			left = 0
		}
		plan = nil
		if left <= 0 {
			return
		}
		if len(parts) <= left {
			plan = parts
			w.Pending = ""
		} else {
			head, rest := fit(parts[left-1], ReplyMore)
			plan = append(append([]string{}, parts[:left-1]...), head)
			w.Pending = strings.TrimSpace(rest + "\n" + strings.Join(parts[left:], "\n"))
		}
		w.Sent += len(plan)
	})
	if err != nil {
		return err
	}
	if len(plan) == 0 {
		k.Metrics.ChannelEvent(Channel, "window_closed")
		k.Log.Warn("kf: reply not sent, window used up", "chat", chatID, "sent", w.Sent)
		return ErrWindowClosed
	}
	for _, p := range plan {
		var out apiError
		err := k.call(ctx, "/cgi-bin/kf/send_msg", map[string]any{"touser": user, "open_kfid": openKfID, "msgtype": "text", "text": map[string]string{"content": p}}, &out)
		if err != nil {
			return err
		}
	}
	return nil
}

// fit appends note to text, cutting text so that both fit one message;
// rest is what was cut.
func fit(text, note string) (head, rest string) {
	limit := MaxTextBytes - len(note) - 1
	if len(text) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text, rest = text[:cut], text[cut:]
	}
	return text + "\n" + note, rest
}

// Interceptor answers “继续” on this channel with the rest of the last
// long answer (the person's new message opened a new window).
func (k *KF) Interceptor() bot.Interceptor {
	return func(ctx context.Context, r *bot.Request) (string, bool, error) {
		if r.Msg.Channel != Channel || strings.TrimSpace(r.Text) != More {
			return "", false, nil
		}
		var rest string
		_, err := k.update(ctx, r.Msg.ChatID, func(w *window) { rest, w.Pending = w.Pending, "" })
		if err != nil {
			return "", true, err
		}
		if rest == "" {
			return ReplyNone, true, nil
		}
		return rest, true, nil
	}
}

// Check fetches an access token: the CorpID and Secret are right and the
// API is reachable. It changes nothing.
func (k *KF) Check(ctx context.Context) error {
	k.init()
	_, err := k.accessToken(ctx, true)
	return err
}
