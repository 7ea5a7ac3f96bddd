package zh

import (
	"reflect"
	"slices"
	"testing"
)

func TestTokenize(t *testing.T) {
	got := Tokenize("高新技术企业 R&D 占比10% 与1.5倍")
	want := []string{"高新", "新技", "技术", "术企", "企业", "r", "d", "占比", "10", "与", "1.5", "倍"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

// Everyday words are common in general Chinese, policy terms rare, and a
// word the table lacks is rarest.
func TestIDFTellsEverydayFromRare(t *testing.T) {
	for _, c := range []struct {
		common, rare string
	}{{"去年", "退税率"}, {"我们", "印花税"}, {"今年", "安家费"}} {
		if IDF(c.common) >= IDF(c.rare) {
			t.Errorf("IDF(%s) = %.1f, IDF(%s) = %.1f", c.common, IDF(c.common), c.rare, IDF(c.rare))
		}
	}
	if Known("稳岗") || IDF("稳岗") != RareIDF {
		t.Errorf("a word the table lacks is rare: %v %.1f", Known("稳岗"), IDF("稳岗"))
	}
}

func TestSegment(t *testing.T) {
	cases := map[string][]string{
		"稳岗补贴一个人能补多少":             {"稳岗", "补贴"},
		"去年厂里出过一次环保处罚":            {"去年", "厂里", "环保", "处罚"},
		"广西企业能不能享受西部大开发15%的所得税优惠": {"广西", "15%", "所得税", "优惠"},
	}
	for q, want := range cases {
		got := Segment(q)
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("Segment(%q) = %q, want %q among them", q, got, w)
			}
		}
	}
}

func TestNumbersSkipArticleReferences(t *testing.T) {
	got := Numbers("依据第十一条[1]，补助10%，最高50万元，公示十五个工作日")
	if !reflect.DeepEqual(got, []string{"10", "50", "十五"}) {
		t.Fatalf("got %q", got)
	}
	if ContainsNumber("补助100万元", "10") || !ContainsNumber("补助10万元", "10") {
		t.Fatal("10 is not found inside 100")
	}
}
