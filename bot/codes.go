package bot

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/incubot/incubot/internal/model"
)

// Redacted stands for a one-time code in the stored message.
const Redacted = "[已隐去]"

// BindWord is the command that carries a binding code.
const BindWord = "绑定"

// reCodeToken finds what may be a one-time code in free text: codes are
// letters and digits (newCode makes 8 of them).
var reCodeToken = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9-]{5,31}`)

// reBindArg is a 绑定 command's argument: codes are letters, digits and
// dashes. Anything else after 绑定 (绑定码丢了怎么办) is not a code.
var reBindArg = regexp.MustCompile(`绑定[\s:：\x{3000}\x{2005}]*([A-Za-z0-9][A-Za-z0-9-]{3,63})(?:[\s\x{3000}\x{2005}]|$)`)

// bindArg finds the argument of a 绑定 command anywhere in text: its
// position and the code as typed.
func bindArg(text string) (start, end int, ok bool) {
	m := reBindArg.FindStringSubmatchIndex(text)
	if m == nil {
		return 0, 0, false
	}
	return m[2], m[3], true
}

// screen runs before a message is stored: the code of a 绑定 command and
// any code in force found in the text are replaced by Redacted (the message
// log never holds a code), and a code in force seen anywhere but a private
// chat is voided at once and its issuer told. It returns the code argument
// as typed, for the 绑定 command.
func (r *Router) screen(ctx context.Context, m *Message) (code string, voided bool, err error) {
	text := m.Text
	var cands []string
	for _, t := range reCodeToken.FindAllString(text, 50) {
		if !slices.Contains(cands, t) {
			cands = append(cands, t)
		}
	}
	if s, e, ok := bindArg(text); ok {
		code = text[s:e]
		if !slices.Contains(cands, code) {
			cands = append(cands, code)
		}
		text = text[:s] + Redacted + text[e:]
	}
	if len(cands) == 0 || r.Codes == nil {
		m.Text = text
		return code, false, nil
	}
	hashes := make([]string, len(cands))
	for i, c := range cands {
		hashes[i] = model.HashCode(c)
	}
	live, err := r.Codes.LiveCodes(ctx, hashes, r.Opts.Now())
	if err != nil {
		return "", false, err
	}
	for i, c := range cands {
		if slices.Contains(live, hashes[i]) {
			text = replaceFold(text, c, Redacted)
		}
	}
	m.Text = text
	if len(live) == 0 || m.ChatKind == Private {
		return code, false, nil
	}
	where := m.Channel + " " + m.ChatKind
	if m.ChatTitle != "" {
		where += "「" + m.ChatTitle + "」"
	}
	exposed, err := r.Codes.VoidCodes(ctx, live, where)
	if err != nil {
		return "", false, err
	}
	var notices []Reply
	for _, e := range exposed {
		for _, c := range e.Notify {
			if !slices.Contains(r.Opts.Outboxes, c.Channel) {
				continue // an inline channel has nobody to deliver to now; the audit log has it
			}
			notices = append(notices, Reply{Channel: c.Channel, ChatID: c.ChatID, ChatKind: Private, To: c.Name,
				Text: fmt.Sprintf("【安全提醒】发给%s的绑定码出现在%s（发送人：%s），已自动作废。如仍需绑定，请重新生成绑定码并私下交给本人，提醒其只在与我的私聊中发送。", e.Person, where, m.SenderName)})
		}
	}
	r.Logger.Warn("binding code seen outside a private chat: voided", "channel", m.Channel, "chat", m.ChatID, "codes", len(exposed))
	if len(notices) > 0 {
		if err := r.Store.QueueReplies(ctx, notices); err != nil {
			return "", false, err
		}
	}
	return code, true, nil
}

// replaceFold replaces every case-insensitive occurrence of old (ASCII).
func replaceFold(s, old, repl string) string {
	lower, o := strings.ToLower(s), strings.ToLower(old)
	var b strings.Builder
	for {
		i := strings.Index(lower, o)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i] + repl)
		s, lower = s[i+len(old):], lower[i+len(old):]
	}
}
