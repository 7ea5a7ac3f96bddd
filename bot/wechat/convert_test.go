package wechat

import (
	"errors"
	"testing"

	"github.com/eatmoreapple/openwechat"
	"github.com/incubot/incubot/bot"
)

func TestConvertPrivateText(t *testing.T) {
	m := convert(raw{MsgID: "123", Content: " 购买科技成果补助比例 ", CreateTime: 1700000000, Text: true, RemarkName: "张三-某科技公司", NickName: "zs"})
	if m.Channel != Channel || m.ID != "123" || m.ChatKind != bot.Private || m.ChatID != "private:remark:张三-某科技公司" {
		t.Fatalf("private message: %+v", m)
	}
	if m.Text != "购买科技成果补助比例" || m.SenderID != "remark:张三-某科技公司" || m.SenderName != "zs" || m.Time.Unix() != 1700000000 {
		t.Fatalf("fields: %+v", m)
	}
}

func TestConvertGroupMention(t *testing.T) {
	m := convert(raw{MsgID: "9", Content: "@小助手\u2005高企认定条件", Text: true, InGroup: true, IsAt: true, GroupName: "区科技企业服务群", NickName: "李四", DisplayName: "李四-创客城"})
	if m.ChatKind != bot.Group || m.ChatID != "group:区科技企业服务群" || m.ChatTitle != "区科技企业服务群" || !m.Mentioned {
		t.Fatalf("group message: %+v", m)
	}
	if m.SenderName != "李四-创客城" || m.SenderID != "nick:李四" {
		t.Fatalf("sender keys: %+v", m)
	}
	pasted := convert(raw{MsgID: "10", Content: "@小助手 高企认定条件", Text: true, InGroup: true, IsAt: false, GroupName: "g"})
	if pasted.Mentioned {
		t.Fatal("a pasted @name without openwechat's mention flag is not a mention")
	}
	private := convert(raw{MsgID: "11", Content: "hi", Text: true, IsAt: true, NickName: "x"})
	if private.Mentioned {
		t.Fatal("mentions only exist in groups")
	}
}

// Finding 2: a stranger who takes an officer's remark name as nickname
// must not get the officer's sender id, in a group or in private.
func TestNicknameNeverMatchesARemarkName(t *testing.T) {
	officer := convert(raw{MsgID: "1", Text: true, Content: "待核验", RemarkName: "李科长#2", NickName: "lkz"})
	for _, r := range []raw{
		{MsgID: "2", Text: true, Content: "待核验", NickName: "李科长#2"},
		{MsgID: "3", Text: true, Content: "待核验", NickName: "remark:李科长#2"},
		{MsgID: "4", Text: true, Content: "@小助手 待核验", InGroup: true, IsAt: true, GroupName: "g", NickName: "李科长#2", DisplayName: "李科长#2"},
	} {
		if m := convert(r); m.SenderID == officer.SenderID || m.ChatID == officer.ChatID {
			t.Errorf("stranger %+v converts to the officer's identity %q", r, officer.SenderID)
		}
	}
}

func TestConvertAttachments(t *testing.T) {
	m := convert(raw{MsgID: "5", Attachment: "voice", NickName: "王五"})
	if m.Text != "" || m.Attachment.Kind != "voice" {
		t.Fatalf("voice: %+v", m)
	}
	// The XML of a non-text message is not text for the router.
	m = convert(raw{MsgID: "6", Content: "<msg><img/></msg>", Attachment: "image", NickName: "王五"})
	if m.Text != "" {
		t.Fatalf("non-text content leaked: %q", m.Text)
	}
}

// Field-only predicates of openwechat work on constructed messages; the
// adapter relies on them for what convert receives.
func TestOpenwechatFieldPredicates(t *testing.T) {
	text := &openwechat.Message{MsgType: openwechat.MsgTypeText, Content: "你好"}
	if !text.IsText() || text.IsPicture() {
		t.Fatal("text predicates")
	}
	pic := &openwechat.Message{MsgType: openwechat.MsgTypeImage}
	if !pic.IsPicture() || pic.IsText() {
		t.Fatal("picture predicates")
	}
}

func TestLogoutAndBarredErrors(t *testing.T) {
	for _, code := range []int{1100, 1101, 1102} {
		if !forcedLogout(openwechat.Ret(code)) && !forcedLogout(errors.New("ret "+itoa(code))) {
			t.Errorf("%d is a forced logout", code)
		}
	}
	if forcedLogout(errors.New("i/o timeout")) {
		t.Error("a network error is not a logout")
	}
	if !barred(errors.New("为了你的帐号安全，此微信号不能登录网页微信。你可以使用Windows微信或Mac微信在电脑端登录。")) {
		t.Error("the plain-string refusal must be recognised")
	}
	if barred(openwechat.Ret(1101)) {
		t.Error("1101 is not a ban")
	}
}

func itoa(n int) string {
	b := []byte{}
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
