package knowledge

import (
	"strings"
	"testing"
	"unicode"
)

func TestReasonTextIsChinese(t *testing.T) {
	cases := map[string]string{
		"no clause answers directly (key coverage 0.32)":  "没有条款直接回答（问题关键词覆盖 0.32）",
		"no clause states 10%":                            "相关条款没有写明10%",
		"nothing passed the relevance thresholds":         "没有足够相关的条款",
		"no relevant clause states the ratio asked for":   "相关条款没有规定所问的比例",
		"no document holds 退税率, 印花税":                      "政策库中没有关于“退税率、印花税”的规定",
		"no document mentions 专精特新":                       "政策库中没有提到“专精特新”的文件",
		"only documents of places other than 柳州 match":    "只有柳州以外地区的文件相符",
		"the model found the clauses do not answer":       "模型判断相关条款不能回答这个问题",
		"model answer not used: cites clause 9 not given": "模型的回答未通过核对，改用条款原文",
	}
	for in, want := range cases {
		if got := ReasonText(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
		for _, w := range strings.Fields(ReasonText(in)) {
			for _, r := range w {
				if r < 128 && unicode.IsLetter(r) {
					t.Errorf("%q still has Latin letters: %q", in, ReasonText(in))
					break
				}
			}
		}
	}
}
