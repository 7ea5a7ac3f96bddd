package knowledge

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/incubot/incubot/knowledge/zh"
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

// reGoverns finds the interrogatives that govern the noun after them: what
// is asked for is that noun (什么条件 → 条件, 哪些内容 → 内容, 几类 → 类).
var reGoverns = regexp.MustCompile(`什么样的|什么|啥|哪些|哪个|哪种|哪几|几`)

// reWhen asks for a time (啥时候, 什么时间): a date, left to Asked.
var reWhen = regexp.MustCompile(`(?:什么|啥)(?:时候|时间)`)

// AskedObjects are the words naming the thing a question asks for, read
// from its structure: the segmented word an interrogative governs when it
// closes its sentence (审计哪些内容？, 要什么条件), not one that opens a
// predicate (哪些资产可以报废: the asker names the matter, the clause may
// call it otherwise). A yes-no question (成立时间有限制吗, 有没有期限)
// asks whether its matter is bound, not for a thing: a clause on that
// matter answers it in its own words (不超过24个月), so it names no object.
// A quantity or a time asked for (多少钱, 几天, 啥时候) is left to Asked;
// fillers and modal phrases are no things.
func AskedObjects(question string) []string {
	masked := reWhen.ReplaceAllString(question, " ")
	for _, re := range []*regexp.Regexp{qMoney, qRatio, qDuration, qDate, qArea, qCount} {
		masked = re.ReplaceAllString(masked, " ")
	}
	var out []string
	// add takes the word w that starts at byte offset at of masked.
	add := func(w string, at int, single bool) {
		n := utf8.RuneCountInString(w)
		rest := masked[at+len(w):]
		if i := strings.IndexFunc(rest, func(r rune) bool { return !unicode.Is(unicode.Han, r) }); i >= 0 {
			rest = rest[:i]
		}
		switch {
		case n == 0, n == 1 && (!single || strings.Contains(zh.Function, w)):
		case strings.Trim(rest, sentenceEnd) != "":
		case slices.Contains(fillers, w), isGrammatical(w), slices.Contains(out, w):
		default:
			out = append(out, w)
		}
	}
	for _, loc := range reGoverns.FindAllStringIndex(masked, -1) {
		end := loc[1]
		ws := zh.Segment(string(hanRun([]rune(masked[end:]), 0, 4, 1)))
		if len(ws) > 0 {
			// After 几 a single character is a measure word (几类).
			add(ws[0], end, strings.HasSuffix(masked[loc[0]:loc[1]], "几"))
		}
	}
	return out
}

// sentenceEnd are the particles that may follow what a question asks for
// at the end of its sentence.
const sentenceEnd = "吗么呢啊呀吧嘛的了"

// holdsObject reports whether a clause's text names the thing asked for,
// in the question's word or a thesaurus synonym of it.
func holdsObject(body, w string) bool {
	if strings.Contains(body, w) {
		return true
	}
	for _, a := range thesaurus[w] {
		if strings.Contains(body, a) {
			return true
		}
	}
	return false
}
