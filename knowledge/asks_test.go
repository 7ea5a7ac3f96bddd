package knowledge

import (
	"reflect"
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
