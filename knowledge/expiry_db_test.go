package knowledge_test

import (
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/docfile"
)

func date(s string) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// A question whose clause is in a document that has expired is told so,
// with the date and whom to ask, instead of the generic decline; the
// expired clause is not quoted. Once a renewed measure is in force, it
// answers.
func TestAnExpiredDocumentIsNamedNotQuoted(t *testing.T) {
	e := newEnv(t)
	e.add(t, "subsidy.txt", policy, knowledge.AddOptions{Meta: docfile.Meta{ExpiresOn: date("2027-02-28")}})
	e.add(t, "patent.txt", unrelated, knowledge.AddOptions{})
	a := e.answererOn()
	a.Contact = "区科技局科技服务科（电话 0771-1234567）"

	e.day = *date("2027-02-28") // the last day it is in force
	if ans := ask(t, a, "购买科技成果补助比例是多少？", ""); !ans.Answered || !strings.Contains(ans.Text, "10%") {
		t.Fatalf("on its last day the measure answers: %+v", ans)
	}

	e.day = *date("2027-03-05")
	ans := ask(t, a, "购买科技成果补助比例是多少？", "")
	want := "该文件已于2027年2月28日到期，请向区科技局科技服务科（电话 0771-1234567）确认是否有新规定"
	if ans.Answered || ans.Source != knowledge.SourceExpired || !strings.Contains(ans.Text, want) || !strings.Contains(ans.Text, "第六条") {
		t.Fatalf("an expired measure must be named with its date and contact: %+v", ans)
	}
	if strings.Contains(ans.Text, "10%") || len(ans.Cited) > 0 {
		t.Fatalf("an expired clause must not be quoted or cited: %q", ans.Text)
	}
	if ans := ask(t, a, "专利申请费可以减缴吗？", ""); ans.Source == knowledge.SourceExpired {
		t.Fatalf("a question the documents in force answer is answered: %+v", ans)
	}
	if ans := ask(t, a, "出口退税率是多少？", ""); ans.Source == knowledge.SourceExpired {
		t.Fatalf("a matter no document holds is declined as such, not blamed on expiry: %+v", ans)
	}

	renewed := strings.Replace(policy, "10%", "12%", 1)
	e.add(t, "subsidy-2027.txt", renewed, knowledge.AddOptions{Meta: docfile.Meta{EffectiveOn: date("2027-03-01")}})
	if ans := ask(t, a, "购买科技成果补助比例是多少？", ""); !ans.Answered || !strings.Contains(ans.Text, "12%") {
		t.Fatalf("the renewed measure answers: %+v", ans)
	}
}

func TestValidityOn(t *testing.T) {
	d := corpus.Document{Status: corpus.StatusActive, EffectiveOn: date("2024-03-01"), ExpiresOn: date("2027-02-28")}
	for _, c := range []struct{ day, want string }{
		{"2024-02-29", "未生效（2024-03-01起）"},
		{"2026-12-01", "有效"},
		{"2027-01-29", "即将到期（30天，2027-02-28）"},
		{"2027-02-28", "即将到期（今天，2027-02-28）"},
		{"2027-03-01", "已到期（2027-02-28）"},
	} {
		if got := d.ValidityOn(*date(c.day)).String(); got != c.want {
			t.Errorf("%s: %s, want %s", c.day, got, c.want)
		}
	}
	d.Status = corpus.StatusSuperseded
	if got := d.ValidityOn(*date("2026-01-01")).String(); got != "已替换" {
		t.Errorf("superseded: %s", got)
	}
	open := corpus.Document{Title: "无期限", Status: corpus.StatusActive}
	list := []corpus.Document{{Title: "甲", Status: corpus.StatusActive, ExpiresOn: date("2027-03-20")}, open,
		{Title: "乙", Status: corpus.StatusActive, ExpiresOn: date("2027-02-28")}, {Title: "丙", Status: corpus.StatusActive, ExpiresOn: date("2027-06-01")}}
	notice := knowledge.ExpiryNotice(list, *date("2027-03-05"))
	if !strings.Contains(notice, "2个文件") || strings.Index(notice, "《乙》已到期（2027-02-28）") > strings.Index(notice, "《甲》即将到期（15天，2027-03-20）") || strings.Contains(notice, "丙") {
		t.Fatalf("notice lists the expired and the soon expiring, soonest first:\n%s", notice)
	}
	if knowledge.ExpiryNotice([]corpus.Document{open}, *date("2027-03-05")) != "" {
		t.Fatal("no notice when nothing expires")
	}
}
