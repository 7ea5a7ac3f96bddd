package knowledge

import (
	"reflect"
	"strings"
	"testing"
)

// What a question asks for is the word its interrogative governs at the
// end of its sentence; a quantity or a time asked for, a filler, a noun
// that opens a predicate, or the matter of a yes-no question is not.
func TestAskedObjects(t *testing.T) {
	for q, want := range map[string][]string{
		"运营情况报告有模板吗":          nil,
		"成立时间有限制吗":            nil,
		"有没有期限":               nil,
		"具体要审计哪些内容":           {"内容"},
		"北京的众创空间要去哪里备案，要什么条件": {"条件"},
		"找哪个部门":               {"部门"},
		"哪些国有资产可以报废报损":        nil,
		"补助能补多少钱":             nil,
		"企业所得税年度汇算清缴最晚啥时候要弄完": nil,
		"高企认定结果要公示多少天":        nil,
	} {
		if got := AskedObjects(q); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %q, want %q", q, got, want)
		}
	}
}

// A count asked for is in its classifier, and only a count in it (or 人
// for 名) states it.
func TestCountedIn(t *testing.T) {
	for q, want := range map[string]string{"多少分算合格": "分", "有几家企业": "家", "招了几个人": "", "补助多少钱": ""} {
		if got := CountedIn(q); got != want {
			t.Errorf("%s: got %q, want %q", q, got, want)
		}
	}
	for _, c := range []struct {
		text, c string
		want    bool
	}{{"得分在60分以上", "分", true}, {"连续2次考核不合格", "分", false}, {"不少于20名", "人", true}, {"三分之一", "分", false}} {
		if got := holdsCount(c.text, c.c); got != c.want {
			t.Errorf("holdsCount(%s, %s) = %v", c.text, c.c, got)
		}
	}
}

// An A-not-A form (还收不收, 在不在) asks whether: it is no word a clause
// must hold, so it does not weigh on whether a clause answers.
func TestANotAIsNoContentWord(t *testing.T) {
	for q, no := range map[string]string{"后补助的材料晚交两天还收不收": "不收", "食品加工在不在高新技术领域里面": "不在"} {
		for _, w := range ParseQuestion(q).Words {
			if w.Text == no || w.Text == "收不收" || w.Text == "在不在" {
				t.Errorf("%s: %q is a content word", q, w.Text)
			}
		}
	}
}

// What a question asks to have named is every word an interrogative
// governs, wherever it stands; a quantity asked for is not.
func TestListed(t *testing.T) {
	for q, want := range map[string][]string{
		"手里有科技成果，可以通过哪些方式转化": {"方式"},
		"高企认定要啥条件？":          {"条件"},
		"哪些国有资产可以报废报损":       {"国有资产"},
		"补助能补多少钱":            nil,
		"成立时间有限制吗":           nil,
	} {
		if got := Listed(q); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %q, want %q", q, got, want)
		}
	}
}

// A clause introduces a list of a thing in the drafting forms of Chinese
// rules; a clause that only mentions the thing does not.
func TestIntroducesList(t *testing.T) {
	for _, c := range []struct {
		body, thing string
		want        bool
	}{
		{"第十一条 认定为高新技术企业须同时满足以下条件：（一）企业申请认定时须注册成立一年以上；", "条件", true},
		{"第六十九条 大修理支出，是指同时符合下列条件的支出：（一）修理支出达到取得固定资产时的计税基础50%以上；", "条件", true},
		{"第十二条 高新技术企业认定程序如下：（一）企业申请", "程序", true},
		{"第十七条 高新技术企业发生更名或与认定条件有关的重大变化应在三个月内向认定机构报告。", "条件", false},
		{"第四条 下列人员不得参加评审，申请条件另行规定：", "条件", false},
		{"第十六条 科技成果持有者可以采用下列方式进行科技成果转化：（一）自行投资实施转化；", "方式", true},
	} {
		if got := introducesList(c.body, c.thing); got != c.want {
			t.Errorf("%s / %s: got %v, want %v", c.body, c.thing, got, c.want)
		}
	}
}

// A figure the asker gives with its magnitude and a hedge (3000万左右, 50来)
// is context: no part of it is a matter a clause must hold, so none is
// named in a decline.
func TestARoughFigureIsNoContentWord(t *testing.T) {
	for _, q := range []string{"去年营收3000万左右，研发费用要占多少", "我们公司50来个人，研发人员占多少", "投入2亿多能扣多少"} {
		for _, w := range ContentWords(q) {
			if strings.ContainsAny(w.Text, "0123456789万亿来多左右") {
				t.Errorf("%s: %q is a content word", q, w.Text)
			}
		}
	}
}

// A ratio asked of a reduction is measured by its verb; other ratios and
// other quantities name none.
func TestReducedBy(t *testing.T) {
	for q, want := range map[string]string{
		"申请专利官费能减多少":    "减",
		"专利申请费能减免多少":    "减免",
		"研发费用加计扣除比例是多少": "",
		"加计扣除能扣多少":      "扣",
		"补助能补多少钱":       "",
	} {
		if got := ReducedBy(q, AskedQuantity(q)); got != want {
			t.Errorf("%s: got %q, want %q", q, got, want)
		}
	}
}
