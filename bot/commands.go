package bot

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/docfile"
)

func builtinCommands(r *Router) []Command {
	return []Command{
		{Names: []string{"帮助", "help", "菜单", "?", "？"}, Usage: "帮助", Help: "查看我能做什么",
			Run: func(ctx context.Context, req *Request) (string, error) { return r.help(req.Person), nil }},
		{Names: []string{"政策列表", "文件列表"}, Usage: "政策列表", Help: "列出可查询的政策文件",
			Run: r.listPolicies},
		{Names: []string{"原文"}, Usage: "原文 <文件名或文号> <第X条>", Help: "查看某个文件某一条的原文",
			Run: r.article},
		{Names: []string{"有用", "没用"}, Usage: "有用 / 没用 [原因]", Help: "评价我刚才的回答，没用的会转给工作人员核对",
			Run: r.feedback},
	}
}

// feedbackWindow is how long after a question its asker can rate the
// answer with 有用/没用.
const feedbackWindow = 30 * time.Minute

// feedback records 有用/没用 on the sender's latest question in this chat.
func (r *Router) feedback(ctx context.Context, req *Request) (string, error) {
	fl, ok := r.Log.(FeedbackLogger)
	if !ok {
		return "谢谢您的评价。", nil
	}
	useful := strings.HasPrefix(strings.TrimLeft(strings.TrimSpace(req.Text), "#＃ "), "有用")
	m := req.Msg
	found, err := fl.FeedbackOnLast(ctx, m.Channel, m.ChatID, m.SenderID, r.Opts.Now().Add(-feedbackWindow), useful, req.Args)
	if err != nil {
		return "", err
	}
	switch {
	case !found:
		return "没有找到您最近30分钟内的提问。请在我回答后回复“有用”或“没用”（可在后面写原因）。", nil
	case useful:
		return "谢谢您的评价！", nil
	}
	return "谢谢反馈，这条回答已转给科技局工作人员核对。如有具体问题，可以换个说法再问，或直接联系科技局。", nil
}

// help lists what the person's role may do.
func (r *Router) help(p Person) string {
	var b strings.Builder
	b.WriteString("您好，我是区科技局政策助手。\n直接提问即可，例如：“购买科技成果补助比例是多少？”我会引用政策原文并注明文件和条款；原文没有规定的，我会如实告知并转交工作人员。\n\n可用指令（可加 # 开头）：")
	for _, c := range r.commands {
		if len(c.Roles) > 0 && !slices.Contains(c.Roles, p.Role) {
			continue
		}
		fmt.Fprintf(&b, "\n· %s —— %s", c.Usage, c.Help)
	}
	if p.Role == RoleEnterprise {
		b.WriteString("\n\n孵化器、众创空间管理员请先向区科技局索取绑定码，再私聊我发送“绑定 绑定码”。")
	}
	return b.String()
}

// today is the day documents' validity is judged on.
func (r *Router) today() time.Time {
	if r.Opts.Today != nil {
		return r.Opts.Today()
	}
	now := time.Now
	if r.Opts.Now != nil {
		now = r.Opts.Now
	}
	t := now()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func (r *Router) listPolicies(ctx context.Context, req *Request) (string, error) {
	docs, err := r.Library.Documents(ctx, false)
	if err != nil {
		return "", err
	}
	if len(docs) == 0 {
		return "政策库里还没有文件，请联系区科技局。", nil
	}
	// Documents are grouped by what they are today: in force (with a
	// warning when they expire soon), expired, not yet in force.
	today := r.today()
	var inForce, expired, notYet []string
	for _, d := range docs {
		v := d.ValidityOn(today)
		line := d.Citation()
		switch v.Kind {
		case corpus.ValidityExpired:
			expired = append(expired, line+"（已于"+v.Date.Format(time.DateOnly)+"到期）")
			continue
		case corpus.ValidityNotYet:
			notYet = append(notYet, line+"（"+v.Date.Format(time.DateOnly)+"起施行）")
			continue
		}
		var when []string
		if d.EffectiveOn != nil {
			when = append(when, d.EffectiveOn.Format(time.DateOnly)+"起施行")
		}
		switch {
		case v.Kind == corpus.ValidityExpiring && v.Days == 0:
			when = append(when, "有效期至"+d.ExpiresOn.Format(time.DateOnly)+"，今天到期")
		case v.Kind == corpus.ValidityExpiring:
			when = append(when, fmt.Sprintf("有效期至%s，还有%d天到期", d.ExpiresOn.Format(time.DateOnly), v.Days))
		case d.ExpiresOn != nil:
			when = append(when, "有效期至"+d.ExpiresOn.Format(time.DateOnly))
		}
		if len(when) > 0 {
			line += "（" + strings.Join(when, "，") + "）"
		}
		inForce = append(inForce, line)
	}
	var b strings.Builder
	list := func(head string, lines []string) {
		if len(lines) == 0 {
			return
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		fmt.Fprintf(&b, head, len(lines))
		for i, l := range lines {
			fmt.Fprintf(&b, "\n%d. %s", i+1, l)
		}
	}
	if len(inForce) == 0 {
		b.WriteString("政策库里现在没有有效的政策文件，请联系区科技局。")
	}
	list("可查询的政策文件（%d个）：", inForce)
	list("已到期的文件（%d个，不再用于回答）：", expired)
	list("尚未施行的文件（%d个）：", notYet)
	b.WriteString("\n\n查看某一条原文：原文 <文件名或文号> <第X条>")
	return b.String(), nil
}

var reArticleRef = regexp.MustCompile(`第?([一二三四五六七八九十百零〇\d]+)(条|项|部分)?$`)

// article shows the exact text of one article of a document.
func (r *Router) article(ctx context.Context, req *Request) (string, error) {
	fields := strings.Fields(req.Args)
	if len(fields) < 2 {
		return "", Userf("请写明文件和条款，例如：原文 购买科技成果补助 第六条")
	}
	ref, art := strings.Join(fields[:len(fields)-1], " "), fields[len(fields)-1]
	m := reArticleRef.FindStringSubmatch(art)
	if m == nil {
		return "", Userf("“%s”不是条款编号，请写成“第六条”这样的形式。", art)
	}
	doc, err := r.Library.FindDocument(ctx, ref)
	if err != nil {
		if isNotFound(err) {
			return "", Userf("没有找到文件“%s”。发送“政策列表”查看可查询的文件。", ref)
		}
		if isInvalid(err) {
			return "", Userf("“%s”对应多个文件，请写得更完整一些（可用文号）。", ref)
		}
		return "", err
	}
	if doc.Status != corpus.StatusActive {
		return "", Userf("%s已经废止或被新版本替代，不再引用。发送“政策列表”查看现行文件。", doc.Citation())
	}
	chunks, err := r.Library.DocumentChunks(ctx, doc.ID)
	if err != nil {
		return "", err
	}
	want := m[1]
	var parts []corpus.Chunk
	for _, c := range chunks {
		if strings.TrimPrefix(strings.TrimSuffix(c.Article, "条"), "第") == want {
			parts = append(parts, c)
		}
	}
	if len(parts) == 0 {
		return "", Userf("%s中没有找到%s。", doc.Citation(), art)
	}
	return doc.Citation() + "\n" + docfile.ArticleText(parts) + "\n" + knowledge.Prevails, nil
}
