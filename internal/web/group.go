package web

import (
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode"

	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/knowledge/corpus"
)

// QuestionGroup is alike questions: the newest one stands for the group.
type QuestionGroup struct {
	Questions []Question
}

// Newest is the group's most recent question.
func (g QuestionGroup) Newest() Question { return g.Questions[0] }

// IDs are the group's question ids, comma-separated, for a form.
func (g QuestionGroup) IDs() string {
	ids := make([]string, len(g.Questions))
	for i, q := range g.Questions {
		ids[i] = fmt.Sprint(q.ID)
	}
	return strings.Join(ids, ",")
}

// Askers are the distinct people who asked, at most five.
func (g QuestionGroup) Askers() string {
	seen := map[string]bool{}
	var out []string
	for _, q := range g.Questions {
		if q.Asker != "" && !seen[q.Asker] && len(out) < 5 {
			seen[q.Asker] = true
			out = append(out, q.Asker)
		}
	}
	return strings.Join(out, "、")
}

// alike is how much two questions' character bigrams must overlap (Dice)
// to be grouped.
const alike = 0.6

// Group puts alike questions together, keeping the order of qs (newest
// first) for the groups and within each group.
func Group(qs []Question) []QuestionGroup {
	var groups []QuestionGroup
	var keys [][]string
	for _, q := range qs {
		k := bigrams(q.Question)
		placed := false
		for i := range groups {
			if dice(k, keys[i]) >= alike {
				groups[i].Questions = append(groups[i].Questions, q)
				placed = true
				break
			}
		}
		if !placed {
			groups = append(groups, QuestionGroup{Questions: []Question{q}})
			keys = append(keys, k)
		}
	}
	return groups
}

// bigrams are a question's character bigrams, punctuation and spaces left
// out, so "高企认定条件？" and "高企认定的条件" share most of theirs.
func bigrams(s string) []string {
	var rs []rune
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			rs = append(rs, r)
		}
	}
	if len(rs) == 1 {
		return []string{string(rs)}
	}
	var out []string
	for i := 0; i+1 < len(rs); i++ {
		out = append(out, string(rs[i:i+2]))
	}
	return out
}

func dice(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	count := map[string]int{}
	for _, x := range a {
		count[x]++
	}
	common := 0
	for _, x := range b {
		if count[x] > 0 {
			count[x]--
			common++
		}
	}
	return 2 * float64(common) / float64(len(a)+len(b))
}

var statusNames = map[string]string{corpus.StatusActive: "在用", corpus.StatusSuperseded: "已替换", corpus.StatusRetired: "已废止"}

var roleNames = map[string]string{RoleOfficer: "科技局工作人员", RoleManager: "孵化器管理员", "enterprise": "企业用户"}

var funcs = template.FuncMap{
	"day": func(t *time.Time) string {
		if t == nil {
			return "—"
		}
		return t.Format(time.DateOnly)
	},
	"dayInput": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format(time.DateOnly)
	},
	"when":       func(t time.Time) string { return t.Local().Format("2006-01-02 15:04") },
	"statusName": func(s string) string { return statusNames[s] },
	"roleName":   func(s string) string { return roleNames[s] },
	"yuan":       incubator.Yuan,
	"wan":        incubator.Wan,
	"pct":        func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	"f2":         func(f float64) string { return fmt.Sprintf("%.2f", f) },
	"f3":         func(f float64) string { return fmt.Sprintf("%.3f", f) },
	"f4":         func(f float64) string { return fmt.Sprintf("%.4f", f) },
	"join":       strings.Join,
	"add1":       func(i int) int { return i + 1 },
	"clip": func(s string, n int) string {
		r := []rune(s)
		if len(r) <= n {
			return s
		}
		return string(r[:n]) + "…"
	},
	"sourceName": func(s string) string {
		return map[string]string{corpus.SourceFAQ: "问答对", corpus.SourceExtractive: "摘录原文", corpus.SourceModel: "大模型（带引用）", corpus.SourceDeclined: "未回答"}[s]
	},
	"derefBool": func(b *bool) string {
		switch {
		case b == nil:
			return ""
		case *b:
			return "已回答"
		}
		return "未回答"
	},
}
