// Package wecom is the WeCom (企业微信) smart-bot channel over its WebSocket
// long connection (developer document 101463): subscribe with the bot id
// and secret, take message and event callbacks, answer them with stream
// replies bound to the callback's req_id, push notices with aibot_send_msg,
// keep the connection alive with pings. It only converts messages: the
// router, the store and the outbox decide everything else.
package wecom

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/incubot/incubot/bot"
)

// Channel is the smart bot's channel name in the database. WeCom user ids
// are stable, so bindings rest on them.
const Channel = "wecom"

// DefaultURL is WeCom's long-connection gateway.
const DefaultURL = "wss://openws.work.weixin.qq.com"

// Commands of the protocol.
const (
	cmdSubscribe = "aibot_subscribe"
	cmdPing      = "ping"
	cmdRespond   = "aibot_respond_msg"
	cmdWelcome   = "aibot_respond_welcome_msg"
	cmdSend      = "aibot_send_msg"
	cmdMessage   = "aibot_msg_callback"
	cmdEvent     = "aibot_event_callback"
)

// Events of aibot_event_callback.
const (
	eventEnterChat    = "enter_chat"
	eventFeedback     = "feedback_event"
	eventDisconnected = "disconnected_event"
)

// MaxContentBytes is the longest stream or markdown content WeCom takes.
const MaxContentBytes = 20480

// frame is every frame in both directions: {cmd, headers:{req_id}, body};
// acknowledgements carry no cmd and an errcode.
type frame struct {
	Cmd     string          `json:"cmd,omitempty"`
	Headers headers         `json:"headers"`
	Body    json.RawMessage `json:"body,omitempty"`
	ErrCode *int            `json:"errcode,omitempty"`
	ErrMsg  string          `json:"errmsg,omitempty"`
}

type headers struct {
	ReqID string `json:"req_id"`
}

// callback is the body of a message or event callback.
type callback struct {
	MsgID    string `json:"msgid"`
	AibotID  string `json:"aibotid"`
	ChatID   string `json:"chatid"`
	ChatType string `json:"chattype"` // single or group
	From     struct {
		UserID string `json:"userid"`
	} `json:"from"`
	CreateTime int64  `json:"create_time"`
	MsgType    string `json:"msgtype"`
	Text       *struct {
		Content string `json:"content"`
	} `json:"text"`
	Voice *struct {
		Content string `json:"content"` // WeCom's transcription
	} `json:"voice"`
	Image *media `json:"image"`
	File  *media `json:"file"`
	Mixed *struct {
		Items []struct {
			MsgType string `json:"msgtype"`
			Text    *struct {
				Content string `json:"content"`
			} `json:"text"`
			Image *media `json:"image"`
		} `json:"msg_item"`
	} `json:"mixed"`
	Event *struct {
		Type     string    `json:"eventtype"`
		Feedback *feedback `json:"feedback_event"`
	} `json:"event"`
}

// media is an encrypted download: the url is valid five minutes, the key
// is per message.
type media struct {
	URL    string `json:"url"`
	AESKey string `json:"aeskey"`
}

// feedback is a 👍/👎 on a reply that asked for it: id is the feedback id
// the reply carried; type 1 accurate, 2 inaccurate, 3 withdrawn.
type feedback struct {
	ID      string `json:"id"`
	Type    int    `json:"type"`
	Content string `json:"content"`
	Reasons []int  `json:"inaccurate_reason_list"`
}

// stream is the body of a stream reply. The first frame of a stream sets
// its id (and feedback); finish ends it.
type stream struct {
	MsgType string `json:"msgtype"`
	Stream  struct {
		ID       string       `json:"id"`
		Finish   bool         `json:"finish"`
		Content  string       `json:"content"`
		Feedback *feedbackRef `json:"feedback,omitempty"`
	} `json:"stream"`
}

type feedbackRef struct {
	ID string `json:"id"`
}

// push is the body of aibot_send_msg: markdown to a chat (a user id for a
// single chat, a chat id for a group).
type push struct {
	ChatID   string `json:"chatid"`
	ChatType int    `json:"chat_type"` // 1 single, 2 group
	MsgType  string `json:"msgtype"`
	Markdown struct {
		Content string `json:"content"`
	} `json:"markdown"`
}

// newReqID makes a request id, prefixed by its command as WeCom's SDKs do.
func newReqID(prefix string) string {
	var b [8]byte
	rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}

// convert turns a message callback into the bot's message. ok is false
// when the callback lacks what every message has (id, sender) or is of a
// kind the bot does not take; att is the media to fetch, if any.
func convert(c *callback, botName string, now time.Time) (m bot.Message, att *media, ok bool) {
	if c.MsgID == "" || c.From.UserID == "" || len(c.MsgID) > 256 || len(c.From.UserID) > 256 || len(c.ChatID) > 256 {
		return m, nil, false
	}
	m = bot.Message{Channel: Channel, ID: c.MsgID, SenderID: c.From.UserID, SenderName: c.From.UserID, ChatID: c.From.UserID, ChatKind: bot.Private, Time: now}
	if c.CreateTime > 0 {
		m.Time = time.Unix(c.CreateTime, 0)
	}
	switch c.ChatType {
	case "single", "":
	case "group":
		if c.ChatID == "" {
			return m, nil, false
		}
		// WeCom calls back in a group only when the bot is @-mentioned.
		m.ChatKind, m.ChatID, m.ChatTitle, m.Mentioned = bot.Group, c.ChatID, c.ChatID, true
	default:
		return m, nil, false
	}
	switch c.MsgType {
	case "text":
		if c.Text == nil {
			return m, nil, false
		}
		m.Text = c.Text.Content
	case "voice":
		if c.Voice == nil {
			return m, nil, false
		}
		m.Text = c.Voice.Content
	case "image":
		if c.Image == nil {
			return m, nil, false
		}
		m.Attachment, att = bot.Attachment{Kind: "image"}, c.Image
	case "file":
		if c.File == nil {
			return m, nil, false
		}
		m.Attachment, att = bot.Attachment{Kind: "file"}, c.File
	case "mixed":
		if c.Mixed == nil {
			return m, nil, false
		}
		var parts []string
		for _, it := range c.Mixed.Items {
			switch {
			case it.MsgType == "text" && it.Text != nil:
				parts = append(parts, it.Text.Content)
			case it.MsgType == "image" && it.Image != nil && att == nil:
				m.Attachment, att = bot.Attachment{Kind: "image"}, it.Image
			}
		}
		m.Text = strings.Join(parts, "\n")
	default:
		return m, nil, false
	}
	if m.ChatKind == bot.Group {
		m.Text = stripMention(m.Text, botName)
	}
	return m, att, true
}

// stripMention removes the @-mention WeCom puts in a group message's text:
// "@name" of the configured bot name wherever it is, else the leading
// @word.
func stripMention(text, name string) string {
	text = strings.TrimSpace(text)
	if name != "" && strings.Contains(text, "@"+name) {
		return strings.TrimSpace(strings.Replace(text, "@"+name, "", 1))
	}
	if strings.HasPrefix(text, "@") {
		if i := strings.IndexAny(text, " \u2005\u00a0\n"); i > 0 {
			return strings.TrimSpace(text[i:])
		}
		return ""
	}
	return text
}

// clip keeps text within WeCom's content limit, at a rune boundary.
func clip(text string) string {
	const note = "\n……（内容过长，已截断）"
	if len(text) <= MaxContentBytes {
		return text
	}
	cut := MaxContentBytes - len(note)
	for cut > 0 && !isRuneStart(text[cut]) {
		cut--
	}
	return text[:cut] + note
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
