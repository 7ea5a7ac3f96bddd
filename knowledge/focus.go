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
	objects, _ := asksFor(question)
	return objects
}

// Listed are the things a question asks to have named (哪些方式转化 → 方式,
// 有啥服务 → 服务): every word an interrogative governs, wherever it
// stands. A clause that introduces a list of that thing (可以采用下列方式：,
// 认定程序如下：) is the provision that names them.
func Listed(question string) []string {
	_, listed := asksFor(question)
	return listed
}

// asksFor reads a question's governed words once: its objects (AskedObjects)
// and the things it asks to have named (Listed).
func asksFor(question string) (objects, listed []string) {
	for _, g := range governed(question) {
		if g.closes {
			objects = append(objects, g.word)
		}
		listed = append(listed, g.word)
	}
	return objects, listed
}

// governedWord is a word an interrogative governs, and whether it closes
// its sentence (要什么条件) rather than opening a predicate (哪些资产可以报废).
type governedWord struct {
	word   string
	closes bool
}

// governed reads the words the interrogatives of a question govern. A
// quantity or a time asked for (多少钱, 几天, 啥时候) is left to Asked;
// fillers and modal phrases are no things.
func governed(question string) []governedWord {
	masked := reWhen.ReplaceAllString(question, " ")
	for _, re := range []*regexp.Regexp{qMoney, qRatio, qDuration, qDate, qArea, qCount} {
		masked = re.ReplaceAllString(masked, " ")
	}
	var out []governedWord
	// add takes the word w that starts at byte offset at of masked.
	add := func(w string, at int, single bool) {
		n := utf8.RuneCountInString(w)
		rest := masked[at+len(w):]
		if i := strings.IndexFunc(rest, func(r rune) bool { return !unicode.Is(unicode.Han, r) }); i >= 0 {
			rest = rest[:i]
		}
		closes := strings.Trim(rest, sentenceEnd) == ""
		switch i := slices.IndexFunc(out, func(g governedWord) bool { return g.word == w }); {
		case n == 0, n == 1 && (!single || strings.Contains(zh.Function, w)):
		case slices.Contains(fillers, w), isGrammatical(w):
		case i >= 0:
			out[i].closes = out[i].closes || closes
		default:
			out = append(out, governedWord{w, closes})
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

// introducesList reports whether a clause introduces a list of the thing w
// in the drafting form of Chinese rules: 下列/以下 followed within a few
// characters by w and then by a colon in the same sentence (须同时满足以下
// 条件：, 符合下列条件的支出：), or w followed by 如下 and a colon (认定程序如下：).
// A synonym of w (thesaurus) counts as w.
func introducesList(body, w string) bool {
	words := append([]string{w}, thesaurus[w]...)
	for _, intro := range []string{"下列", "以下"} {
		for rest := body; ; {
			i := strings.Index(rest, intro)
			if i < 0 {
				break
			}
			rest = rest[i+len(intro):]
			sentence := rest
			if j := strings.IndexAny(sentence, "。；，;,\n"); j >= 0 {
				sentence = sentence[:j]
			}
			colon := strings.IndexAny(sentence, "：:")
			if colon < 0 {
				continue
			}
			for _, x := range words {
				if k := strings.Index(sentence[:colon], x); k >= 0 && utf8.RuneCountInString(sentence[:k]) <= 4 {
					return true
				}
			}
		}
	}
	for _, x := range words {
		if strings.Contains(body, x+"如下：") || strings.Contains(body, x+"如下:") {
			return true
		}
	}
	return false
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
