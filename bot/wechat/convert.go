// Package wechat is the personal-WeChat channel through openwechat (the web
// protocol). It is the only package that imports openwechat: it converts
// messages to bot.Message, and sends replies, on one goroutine.
package wechat

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/eatmoreapple/openwechat"
	"github.com/incubot/incubot/bot"
)

// Channel is the WeChat channel's name in the database.
const Channel = "wechat"

// raw is what the adapter reads off an openwechat message before anything
// else sees it; convert turns it into the project's message. Keeping the
// openwechat calls out of convert lets it be tested without a live bot.
type raw struct {
	MsgID      string
	Content    string
	CreateTime int64
	Text       bool
	FromSelf   bool
	InGroup    bool
	IsAt       bool
	Attachment string // image, voice, video, file, emoticon; "" for none
	FileName   string
	FileSize   int64

	GroupName string // the group's name (stable across logins)
	// Sender names in order of stability: the remark name the account gave
	// the contact, the contact's own nickname, the display name in the group.
	RemarkName  string
	NickName    string
	DisplayName string
}

// convert builds the bot message. Contact ids change at every login, so
// chats and senders are keyed by names, marked with where the name comes
// from: "remark:" for the remark name, which only this account sets (the bot
// sets it when a person binds), "nick:" for a name the contact chose. A
// stranger can take any nickname, never a remark name, so a binding (which
// rests on a remark) cannot be matched by a nickname.
func convert(r raw) bot.Message {
	sender := senderKey(r.RemarkName, firstNonEmpty(r.NickName, r.DisplayName))
	shown := firstNonEmpty(r.DisplayName, r.NickName, r.RemarkName)
	m := bot.Message{
		Channel:    Channel,
		ID:         r.MsgID,
		SenderID:   sender,
		SenderName: shown,
		Mentioned:  r.InGroup && r.IsAt,
		FromSelf:   r.FromSelf,
		Time:       time.Unix(r.CreateTime, 0),
	}
	if r.CreateTime == 0 {
		m.Time = time.Now()
	}
	if r.Text {
		m.Text = strings.TrimSpace(r.Content)
	}
	if r.Attachment != "" {
		m.Attachment = bot.Attachment{Kind: r.Attachment, Name: r.FileName, Size: r.FileSize}
	}
	if r.InGroup {
		m.ChatKind, m.ChatID, m.ChatTitle = bot.Group, "group:"+r.GroupName, r.GroupName
	} else {
		m.ChatKind, m.ChatID = bot.Private, "private:"+sender
	}
	return m
}

// senderKey is the sender id of a contact: its remark name when the account
// gave it one, else its own name.
func senderKey(remark, name string) string {
	if remark = strings.TrimSpace(remark); remark != "" {
		return remarkPrefix + remark
	}
	return nickPrefix + strings.TrimSpace(name)
}

const (
	remarkPrefix = "remark:"
	nickPrefix   = "nick:"
)

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// forcedLogout says whether a Ret code means WeChat ended the session
// (1100, 1101, 1102): log in again.
func forcedLogout(err error) bool {
	if err == nil {
		return false
	}
	var ret openwechat.Ret
	if errors.As(err, &ret) {
		return ret == 1100 || ret == 1101 || ret == 1102
	}
	s := err.Error()
	for _, code := range []int{1100, 1101, 1102} {
		if strings.Contains(s, strconv.Itoa(code)) || strings.Contains(s, "failed login") || strings.Contains(s, "cookie invalid") {
			return true
		}
	}
	return false
}

// barred says whether WeChat refuses this account on the web protocol
// (new or unverified accounts: ret 1203, or a plain-text refusal).
func barred(err error) bool {
	if err == nil {
		return false
	}
	var ret openwechat.Ret
	if errors.As(err, &ret) {
		return ret == 1203
	}
	s := err.Error()
	return strings.Contains(s, "不能登录网页微信") || strings.Contains(s, "1203") || strings.Contains(s, "login environmental abnormality")
}
