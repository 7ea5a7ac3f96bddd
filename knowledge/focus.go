package knowledge

import (
	"github.com/incubot/incubot/knowledge/zh"
	"regexp"
	"unicode"
)

// reAsk finds the words that turn a sentence into a question; the few
// characters around them name what is asked (要交什么证明 → 证明, 运营时间有没有
// 要求 → 运营时间, 要求).
var reAsk = regexp.MustCompile(`什么样的|什么|啥|哪些|哪个|哪种|多少|几个|几|有没有|是否|能不能|算不算|要不要|吗|呢`)

// FocusTerms are the tokens of the question's focus: up to four characters
// after an interrogative word, and up to four before one.
func FocusTerms(question string) map[string]bool {
	rs := []rune(question)
	focus := map[string]bool{}
	add := func(run []rune) {
		for _, t := range zh.Tokenize(string(run)) {
			focus[t] = true
		}
	}
	for _, loc := range reAsk.FindAllStringIndex(question, -1) {
		start := len([]rune(question[:loc[0]]))
		end := len([]rune(question[:loc[1]]))
		add(hanRun(rs, end, 4, 1))
		add(hanRun(rs, start-1, 4, -1))
	}
	return focus
}

// hanRun takes up to n Chinese characters from i in direction dir.
func hanRun(rs []rune, i, n, dir int) []rune {
	var out []rune
	for ; i >= 0 && i < len(rs) && len(out) < n && unicode.Is(unicode.Han, rs[i]); i += dir {
		out = append(out, rs[i])
	}
	if dir < 0 {
		for l, r := 0, len(out)-1; l < r; l, r = l+1, r-1 {
			out[l], out[r] = out[r], out[l]
		}
	}
	return out
}
