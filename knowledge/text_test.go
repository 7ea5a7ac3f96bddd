package knowledge

import (
	"context"
	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/models"
	"github.com/incubot/incubot/knowledge/zh"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestQueryTermsDropFillersAndExpand(t *testing.T) {
	terms := QueryTerms("请问高企认定结果要公示多少天？")
	joined := strings.Join(terms, " ")
	for _, filler := range []string{"请问", "多少"} {
		for _, tok := range zh.Tokenize(filler) {
			if strings.Contains(" "+joined+" ", " "+tok+" ") {
				t.Errorf("filler token %q kept: %v", tok, terms)
			}
		}
	}
	for _, want := range []string{"公示", "高新", "认定"} {
		if !strings.Contains(joined, want) {
			t.Errorf("want %q in %v", want, terms)
		}
	}
	if len(QueryTerms("？？请问吗")) != 0 {
		t.Error("a question of fillers only has no terms")
	}
}

func TestAskedQuantity(t *testing.T) {
	cases := []struct {
		q     string
		asked Asked
		text  string
		holds bool
	}{
		{"高企认定结果要公示多少天", AsksDuration, "公示10个工作日", true},
		{"高企认定结果要公示多少天", AsksDuration, "应当向社会公示", false},
		{"首次认定奖励多少钱", AsksMoney, "一次性奖励20万元", true},
		{"买了专利搞转化，补助最多给多少", AsksMoney, "补助额度不超过20万元", true},
		{"单价多少以上要报审批", AsksMoney, "报同级财政部门审批", false},
		{"备案通过后有多少奖励", AsksMoney, "给予一次性奖励10万元", true},
		{"加计扣除能扣多少", AsksRatio, "按照实际发生额的100%在税前加计扣除", true},
		{"加计扣除按多少算", AsksRatio, "按照无形资产成本的200%在税前摊销", true},
		{"材料几号前要交", AsksDate, "请于2024年6月30日前提交", true},
		{"哪些情况会被取消资格", AsksNothing, "任何文字", true},
	}
	for _, tc := range cases {
		a := AskedQuantity(tc.q)
		if a != tc.asked {
			t.Errorf("%q asks %v, want %v", tc.q, a, tc.asked)
			continue
		}
		if got := a.Holds(tc.text); got != tc.holds {
			t.Errorf("%v.Holds(%q) = %v", a, tc.text, got)
		}
	}
}

func TestUnsupportedNumbers(t *testing.T) {
	src := "第三条 首次认定的，一次性奖励20万元，补助比例不超过10%，公示期为十五个工作日。"
	cases := []struct {
		answer string
		bad    []string
	}{
		{"首次认定奖励20万元[1]，比例不超过10%[1]。", nil},
		{"公示十五个工作日[1]，依据第三条。", nil},
		{"奖励200万元[1]。", []string{"200"}},
		{"比例为1%。", []string{"1"}},
		{"期限为三十日。", []string{"三十"}},
	}
	for _, tc := range cases {
		got := UnsupportedNumbers(tc.answer, src)
		if len(got) != len(tc.bad) || (len(got) > 0 && got[0] != tc.bad[0]) {
			t.Errorf("%q: got %v, want %v", tc.answer, got, tc.bad)
		}
	}
}

func TestMatchFAQ(t *testing.T) {
	faqs := []corpus.FAQ{{ID: 1, Question: "购买科技成果补助什么时候申报？", Answer: "每年3月。"}, {ID: 2, Question: "高企认定奖励多少？", Answer: "20万元。"}}
	if f, ok := MatchFAQ(faqs, "请问购买科技成果补助什么时候申报"); !ok || f.ID != 1 {
		t.Fatalf("near-identical question should match FAQ 1: %v %v", f, ok)
	}
	if _, ok := MatchFAQ(faqs, "孵化器免税要留存哪些资料"); ok {
		t.Fatal("an unrelated question must not match")
	}
	if f, ok := MatchFAQ(faqs, "购买科技成果补助的比例是多少？"); ok {
		t.Fatalf("a question on the same subject asking something else must not get FAQ %d", f.ID)
	}
}

func TestLocalEmbedderDeterministicAndNormalised(t *testing.T) {
	e := models.NewLocalEmbedder()
	a, _ := e.Embed(context.Background(), []string{"高新技术企业认定", "高新技术企业认定", "孵化器免税"})
	if !reflect.DeepEqual(a[0], a[1]) {
		t.Fatal("same text, different vectors")
	}
	var n float64
	for _, x := range a[0] {
		n += float64(x) * float64(x)
	}
	if math.Abs(n-1) > 1e-5 || len(a[0]) != models.LocalDims {
		t.Fatalf("norm %v, dims %d", n, len(a[0]))
	}
	cos := func(x, y []float32) float64 {
		var s float64
		for i := range x {
			s += float64(x[i]) * float64(y[i])
		}
		return s
	}
	if cos(a[0], a[2]) >= cos(a[0], a[1]) {
		t.Fatal("related texts should be closer than unrelated ones")
	}
}

func TestBestSentencesTrimsToTheAnswer(t *testing.T) {
	body := "第十一条 认定为高新技术企业须同时满足以下条件：（一）企业申请认定时须注册成立一年以上；（二）企业通过自主研发获得对其主要产品在技术上发挥核心支持作用的知识产权的所有权；（三）对企业主要产品发挥核心支持作用的技术属于规定的范围；（四）企业从事研发和相关技术创新活动的科技人员占企业当年职工总数的比例不低于10%；（五）近一年高新技术产品收入占企业同期总收入的比例不低于60%；（六）企业创新能力评价应达到相应要求；（七）企业申请认定前一年内未发生重大安全、重大质量事故或严重环境违法行为。"
	got, _ := bestSentences(body, QueryTerms("科技人员占职工总数的比例要求"), AsksRatio)
	if !strings.Contains(got, "不低于10%") {
		t.Fatalf("quote must keep the answering sentence: %q", got)
	}
	if strings.Contains(got, "严重环境违法行为") {
		t.Fatalf("quote should be trimmed to the answering sentences: %q", got)
	}
	if !strings.HasPrefix(got, "第十一条 认定为高新技术企业须同时满足以下条件") {
		t.Fatalf("a list item needs its lead sentence: %q", got)
	}
	// The items after the last one quoted are left out visibly: the list
	// must not read as complete.
	if !strings.HasSuffix(got, "……") {
		t.Fatalf("the items left out after the quote must be marked: %q", got)
	}
}

func TestFocusTerms(t *testing.T) {
	cases := map[string][]string{
		"企业申请专利费减缴要交什么证明":      {"证明"},
		"想报国家级孵化器认定，运营时间有没有要求": {"运营", "时间", "要求"},
		"高企认定结果要公示多少天":         {"公示", "天"},
	}
	for q, want := range cases {
		f := FocusTerms(q)
		for _, w := range want {
			if !f[w] {
				t.Errorf("%q: focus %v lacks %q", q, f, w)
			}
		}
	}
	if f := FocusTerms("高企认定结果要公示多少天"); f["高企"] {
		t.Errorf("words far from the question word are not the focus: %v", f)
	}
}

func TestProgrammesIn(t *testing.T) {
	for q, want := range map[string]string{
		"高企认定条件":           "高新技术企业",
		"国家级孵化器对在孵企业有要求吗":  "科技企业孵化器",
		"专精特新小巨人要咋申报":      "专精特新",
		"技术先进型服务企业认定条件是什么": "技术先进型服务企业",
		"孵化服务收入免增值税吗":      "",
		"企业购买科技成果有补助吗":     "",
	} {
		var got []string
		for _, p := range corpus.ProgrammesIn(q) {
			got = append(got, p[0])
		}
		if strings.Join(got, ",") != want {
			t.Errorf("ProgrammesIn(%q) = %v, want %q", q, got, want)
		}
	}
}

// A thesaurus word and the words it stands for count once: a clause in the
// question's own words covers it fully, and one in the documents' words
// (研究开发 for 研发) is not worth three terms more.
func TestCoverageCountsASynonymGroupOnce(t *testing.T) {
	q := "研发费用"
	terms := QueryTerms(q)
	weight := map[string]float64{}
	for _, t := range terms {
		weight[t] = 1
	}
	c := newCoverage(terms, weight, synonymGroups(q))
	own := c.of([]string{"研发", "发费", "费用"})
	docs := c.of([]string{"研究", "究开", "开发", "费用"})
	if math.Abs(own-1) > 1e-9 {
		t.Errorf("the question's own words cover %.2f, want 1", own)
	}
	if docs >= own || docs < 0.6 {
		t.Errorf("研究开发费用 covers %.2f: want less than the exact words (%.2f) but the group in full", docs, own)
	}
}

// A short title loses the brackets of its 文号 and editors' notes whole,
// nested ones included, and keeps the measure a 印发 notice carries.
func TestShortTitle(t *testing.T) {
	for title, want := range map[string]string{
		"南宁市企业购买科技成果转化后补助管理办法（南科规〔2025〕3号）【要点摘录，非全文】": "南宁市企业购买科技成果转化后补助管理办法",
		"科技部关于印发《科技企业孵化器管理办法》的通知（国科发区〔2018〕300号）":     "科技企业孵化器管理办法",
		"北海市科技成果转化后补助办法": "北海市科技成果转化后补助办法",
	} {
		if got := ShortTitle(title); got != want {
			t.Errorf("ShortTitle(%s) = %s, want %s", title, got, want)
		}
	}
}
