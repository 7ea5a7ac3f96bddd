package knowledge

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/incubot/incubot/knowledge/zh"
)

// tokenizeByRunes is the tokenizer as first written: runes collected, each
// token a new string.
func tokenizeByRunes(text string) []string {
	var out []string
	var han []rune
	var word []rune
	flushHan := func() {
		switch len(han) {
		case 0:
		case 1:
			out = append(out, string(han))
		default:
			for i := 0; i+1 < len(han); i++ {
				out = append(out, string(han[i:i+2]))
			}
		}
		han = han[:0]
	}
	flushWord := func() {
		if len(word) > 0 {
			out = append(out, strings.ToLower(string(word)))
			word = word[:0]
		}
	}
	isDigits := func(rs []rune) bool {
		for _, r := range rs {
			if r < '0' || r > '9' {
				return false
			}
		}
		return true
	}
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			flushWord()
			han = append(han, r)
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			flushHan()
			word = append(word, r)
		case r == '.' && len(word) > 0 && isDigits(word):
			word = append(word, r)
		default:
			flushHan()
			flushWord()
		}
	}
	flushHan()
	flushWord()
	return out
}

// The stored tokens do not change: the tokenizer that yields pieces of the
// text gives the tokens the rune-collecting one gave, over the evaluation
// corpus and odd texts, so existing indexes stay valid.
func TestTokensUnchanged(t *testing.T) {
	texts := []string{"", "高", "高。", "。高", "高新技术企业 R&D 占比10% 与1.5倍", "1.5.3 v2.0 第1.条 3..4 .5 A.B",
		"ABC高企DEF", "x\xffy高\xfe新", "𠀀𠀁中文 (扩展B)", "全角ＡＢＣ１２３", "ǅ İstanbul ſ", "12高34新56"}
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("evaluation corpus: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(data))
	}
	for _, text := range texts {
		if got, want := zh.Tokenize(text), tokenizeByRunes(text); !slices.Equal(got, want) {
			t.Errorf("Tokenize(%.40q) = %.200q, was %.200q", text, got, want)
		}
	}
}
