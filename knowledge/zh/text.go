package zh

import (
	"iter"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tokenize turns text into the lexical tokens stored in the full-text index:
// overlapping character bigrams of each run of Chinese characters (a run of
// one character is kept whole), and lower-cased runs of Latin letters and
// digits. Bigrams need no dictionary and no memory beyond the text, and
// measured on the development set they retrieve as well as dictionary
// segmentation (see README, "Retrieval").
func Tokenize(text string) []string { return slices.Collect(Tokens(text)) }

// Tokens yields Tokenize's tokens in order. Each is a piece of text (a
// run of Latin letters lower-cased), so counting them allocates nothing.
func Tokens(text string) iter.Seq[string] {
	return func(yield func(string) bool) {
		// The Chinese run: where it starts, its previous character, its length.
		hanStart, hanPrev, hanLen := 0, 0, 0
		// The Latin run: where it starts, whether it is digits only so far.
		wordStart, wordLen, digits := 0, 0, true
		flushHan := func(end int) bool {
			n := hanLen
			hanLen = 0
			return n != 1 || yield(text[hanStart:end])
		}
		flushWord := func(end int) bool {
			n := wordLen
			wordLen = 0
			return n == 0 || yield(strings.ToLower(text[wordStart:end]))
		}
		for i, r := range text {
			switch {
			case unicode.Is(unicode.Han, r):
				if !flushWord(i) {
					return
				}
				if hanLen == 0 {
					hanStart = i
				} else if !yield(text[hanPrev : i+utf8.RuneLen(r)]) {
					return
				}
				hanPrev = i
				hanLen++
			case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
				if !flushHan(i) {
					return
				}
				if wordLen == 0 {
					wordStart, digits = i, true
				}
				wordLen++
				digits = digits && r >= '0' && r <= '9'
			case r == '.' && wordLen > 0 && digits:
				wordLen++ // 1.5 stays one token
				digits = false
			default:
				if !flushHan(i) || !flushWord(i) {
					return
				}
			}
		}
		if flushHan(len(text)) {
			flushWord(len(text))
		}
	}
}

// Normalize removes all whitespace, as the evaluation compares texts.
func Normalize(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

var (
	ReNumber   = regexp.MustCompile(`[0-9]+(?:\.[0-9]+)?`)
	reCNNumber = regexp.MustCompile(`[一二三四五六七八九十百千万两零〇]+(?:个工作日|工作日|日|天|个月|月|年|%|倍|成|万元|元|家|项|人|次|周)`)
	reCiteRef  = regexp.MustCompile(`第[一二三四五六七八九十百千零〇0-9]+[条章节款项]|\[[0-9]+\]`)
)

// Numbers lists the amounts, percentages, dates, durations and counts in a
// text: Arabic numbers, and Chinese numerals followed by a unit. Article
// references (第十一条) and citation marks ([1]) are not numbers.
func Numbers(text string) []string {
	text = reCiteRef.ReplaceAllString(HalfWidth(text), " ")
	out := ReNumber.FindAllString(text, -1)
	for _, m := range reCNNumber.FindAllString(text, -1) {
		if n := strings.TrimRight(m, "个工作日天月年%倍成万元家项人次周"); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// ContainsNumber finds n in src as a whole number, so that 10 is not found
// inside 100.
func ContainsNumber(src, n string) bool {
	isDigit := func(s string, i int) bool { return i >= 0 && i < len(s) && s[i] >= '0' && s[i] <= '9' }
	for off := 0; ; {
		i := strings.Index(src[off:], n)
		if i < 0 {
			return false
		}
		i += off
		if _, err := strconv.Atoi(n[:1]); err != nil || (!isDigit(src, i-1) && !isDigit(src, i+len(n))) {
			return true
		}
		off = i + 1
	}
}

// HalfWidth turns full-width digits, ％ and ． into their ASCII forms.
func HalfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		case r == '％':
			return '%'
		case r == '．':
			return '.'
		}
		return r
	}, s)
}
