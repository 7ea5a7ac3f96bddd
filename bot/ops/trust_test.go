package ops_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/internal/model"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/models"
)

// A channel with an outbox, like WeChat, on which notices can be sent.
const queued = "queued"

type sent struct{ chats, texts []string }

func (s *sent) Send(_ context.Context, chat, _, text string) error {
	s.chats, s.texts = append(s.chats, chat), append(s.texts, text)
	return nil
}

// on sends one message on the queued channel and returns what the outbox
// sends after it.
func (w *world) on(t *testing.T, user, group, text string, mentioned bool) *sent {
	t.Helper()
	m := bot.Message{Channel: queued, ID: text + user + group + time.Now().String(), SenderID: user, SenderName: user, Text: text, Time: w.now,
		ChatKind: bot.Private, ChatID: "private:" + user}
	if group != "" {
		m.ChatKind, m.ChatID, m.ChatTitle, m.Mentioned = bot.Group, "group:"+group, group, mentioned
	}
	if _, err := w.router.Handle(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	s := &sent{}
	if _, err := (&bot.Outbox{Store: w.db, Channel: queued, Owner: "t", Sender: s}).Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func (w *world) invite(t *testing.T, name, role, code string, inc *int, by *int64) {
	t.Helper()
	if _, err := w.db.Invite(context.Background(), name, role, inc, model.HashCode(code), w.now.Add(time.Hour), by, admin); err != nil {
		t.Fatal(err)
	}
}

// Finding 3: a binding code posted in a group is void at once, whoever
// posted it, and the officer who issued it is told; the code then binds
// nobody.
func TestBindingCodeSeenInAGroupIsVoidedAndTheIssuerTold(t *testing.T) {
	w := newWorld(t)
	w.router.Opts.Outboxes = []string{queued}
	w.invite(t, "周科长", bot.RoleOfficer, "OFFICER01", nil, nil)
	if s := w.on(t, "周科长", "", "绑定 OFFICER01", false); len(s.texts) != 1 || !strings.Contains(s.texts[0], "绑定成功") {
		t.Fatalf("officer binds: %q", s.texts)
	}
	officer, err := w.db.PersonByName(context.Background(), "周科长", bot.RoleOfficer)
	if err != nil {
		t.Fatal(err)
	}
	w.invite(t, "孙经理", bot.RoleManager, "BW96XAVP", &w.inc.ID, &officer.ID)
	s := w.on(t, "孙经理", "区科技企业服务群", "@小助手 绑定 BW96XAVP", true)
	var reply, notice string
	for i, c := range s.chats {
		if c == "private:周科长" {
			notice = s.texts[i]
		} else {
			reply = s.texts[i]
		}
	}
	if !strings.Contains(reply, "已经作废") || !strings.Contains(notice, "孙经理") || !strings.Contains(notice, "已自动作废") {
		t.Fatalf("the group is told the code is void and the issuer is warned: %q", s.texts)
	}
	if got := w.on(t, "路人乙", "", "绑定 BW96XAVP", false); !strings.Contains(got.texts[0], "绑定码无效") {
		t.Fatalf("a voided code binds nobody: %q", got.texts)
	}
	// A code that only passes by in group chatter, not addressed to the
	// bot, is void as well.
	w.invite(t, "吴经理", bot.RoleManager, "QX7MN4PZ", &w.inc.ID, &officer.ID)
	s = w.on(t, "某人", "区科技企业服务群", "吴经理的码是 qx7mn4pz 快用", false)
	if len(s.texts) != 1 || s.chats[0] != "private:周科长" {
		t.Fatalf("only the issuer hears of it: %q %q", s.chats, s.texts)
	}
	if got := w.on(t, "吴经理", "", "绑定 QX7MN4PZ", false); !strings.Contains(got.texts[0], "绑定码无效") {
		t.Fatalf("a code seen in a group is void: %q", got.texts)
	}
	texts, _ := w.db.MessageTexts(context.Background(), queued)
	for _, tx := range texts {
		if strings.Contains(strings.ToUpper(tx), "BW96XAVP") || strings.Contains(strings.ToUpper(tx), "QX7MN4PZ") {
			t.Fatalf("a code reached the message log: %q", tx)
		}
	}
}

// Finding 2 (the router's part): group messages carry no role, so an
// officer's command is refused in a group even from the bound officer.
func TestRoleCommandsRunInPrivateChatsOnly(t *testing.T) {
	w := newWorld(t)
	w.router.Opts.Outboxes = []string{queued}
	w.invite(t, "郑科长", bot.RoleOfficer, "OFFICER02", nil, nil)
	w.on(t, "郑科长", "", "绑定 OFFICER02", false)
	for _, text := range []string{"@小助手 待核验", "@小助手 核验 1 通过", "@小助手 #资产汇总"} {
		s := w.on(t, "郑科长", "群", text, true)
		if len(s.texts) != 1 || !strings.Contains(s.texts[0], "只能在与我的私聊中使用") {
			t.Errorf("%s in a group: %q", text, s.texts)
		}
	}
	if s := w.on(t, "郑科长", "", "待核验", false); !strings.Contains(s.texts[0], "没有等待核验") {
		t.Fatalf("in private the officer's command runs: %q", s.texts)
	}
}

// Finding 4: a person revoked while a confirmation waits cannot complete
// it: the role is checked again at the step that acts.
func TestRevokedPeopleCannotFinishWhatTheyStarted(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	kb := &knowledge.KB{Store: w.db, Local: models.NewLocalEmbedder(), Embedder: models.NewLocalEmbedder()}
	if res := kb.Add(ctx, "a.txt", []byte("# X科规〔2024〕2号 补助办法\n第一条 补助比例为10%。\n"), knowledge.AddOptions{}); res.Err != nil {
		t.Fatal(res.Err)
	}
	w.bind(t, "钱科员", bot.RoleOfficer, nil)
	if got := w.say(t, "钱科员", "废止 补助办法"); !strings.Contains(got[0], "回复 1 确认") {
		t.Fatalf("confirmation asked: %q", got)
	}
	if got := w.say(t, "王经理", "缺失 CKC-010 找不到"); !strings.Contains(got[0], "请确认报送") {
		t.Fatalf("confirmation asked: %q", got)
	}
	for _, name := range []string{"钱科员", "王经理"} {
		p, err := w.db.PersonByContact(ctx, "console", name)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.db.Revoke(ctx, p.ID, admin); err != nil {
			t.Fatal(err)
		}
		if got := w.say(t, name, "1"); got[0] != bot.ReplyRoleGone {
			t.Errorf("%s's confirmation after revocation: %q", name, got)
		}
	}
	docs, _ := w.db.Documents(ctx, true)
	if len(docs) != 1 || docs[0].Status != corpus.StatusActive {
		t.Fatalf("the document stays in force: %+v", docs)
	}
	if s := summary(t, w); s.Missing != 0 {
		t.Fatalf("no report was made: %+v", s)
	}
}

// Finding 5: binding codes never reach the message log nor the logs, also
// when a code in force is typed in a private question.
func TestCodesAreRedactedBeforeStorage(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	var logs bytes.Buffer
	w.router.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w.invite(t, "冯主任", bot.RoleOfficer, "K7PQ2MXA", nil, nil)
	w.invite(t, "陈主任", bot.RoleOfficer, "M3NB8RTW", nil, nil)
	got := w.say(t, "冯主任", "我的码是 k7pq2mxa 怎么用", "绑定：K7PQ2MXA", "绑定 WRONG123")
	if !strings.Contains(got[1], "绑定成功") {
		t.Fatalf("bind: %q", got)
	}
	w.say(t, "陈主任", "@小助手 绑定 M3NB8RTW")
	texts, _ := w.db.MessageTexts(ctx, "console")
	all := strings.ToUpper(strings.Join(texts, "\n") + logs.String())
	for _, code := range []string{"K7PQ2MXA", "WRONG123", "M3NB8RTW", "CODE"} {
		if strings.Contains(all, code) {
			t.Errorf("%s reached the message log or the logs:\n%s", code, all)
		}
	}
	if !strings.Contains(strings.Join(texts, "\n"), "绑定 "+bot.Redacted) && !strings.Contains(strings.Join(texts, "\n"), "绑定："+bot.Redacted) {
		t.Fatalf("the stored message keeps its shape: %q", texts)
	}
}
