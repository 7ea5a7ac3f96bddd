package docfile

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	// reDocType is how the title of a Chinese official document ends: its
	// kind, perhaps with （试行） or （2024年修订）.
	reDocType = regexp.MustCompile(`(?:办法|通知|规定|细则|公告|通告|条例|措施|意见|方案|决定|指引|指南|规划|批复|复函|函|法|纲要|要点|规则|制度|目录|清单|须知|说明|计划|报告|决议|命令|标准)(?:[（(][^（）()]{1,20}[）)])?$`)
	// reNoise is a line above a title that is not part of it: 附件1, a red
	// header (XX局文件), 特急, 公开方式.
	reNoise = regexp.MustCompile(`^(?:附件\s*\d*[:：]?|附\s*件|.{2,30}文件|特急|加急|急件|平件|.{0,6}公开.{0,6}|签发人[:：].*|\d{4}年\d{1,2}月\d{1,2}日)$`)
)

// isTitleNoise reports whether a line at the top of a document is not its
// title.
func isTitleNoise(l string) bool {
	l = strings.TrimSpace(l)
	return l == "" || reNoise.MatchString(l) || isDocNumberLine(l)
}

// isDocNumberLine reports whether a line is a 文号 on its own.
func isDocNumberLine(l string) bool {
	l = strings.Trim(l, " 　()（）[]【】")
	s := reDocNumber.FindString(l)
	return s != "" && strings.HasSuffix(l, s) && utf8.RuneCountInString(l) <= 40 && !strings.ContainsAny(l, "，。；：《》")
}

// readsAsTitle reports whether a line reads as a document's title: short,
// no sentence punctuation, not an article, and named as a kind of document
// or "关于…".
func readsAsTitle(l string) bool {
	n := utf8.RuneCountInString(l)
	if n < 4 || n > 80 || strings.ContainsAny(l, "。；，：？！;?!") || reStarts.MatchString(l) || isDocNumberLine(l) {
		return false
	}
	return reDocType.MatchString(l) || strings.Contains(l, "关于")
}

// usableTitle reports whether a title from a file's properties is the
// document's, not a template's or an editor's placeholder.
func usableTitle(t string) bool {
	t = strings.TrimSpace(t)
	if utf8.RuneCountInString(t) < 4 || utf8.RuneCountInString(t) > 80 || !strings.ContainsFunc(t, isHan) {
		return false
	}
	low := strings.ToLower(t)
	for _, junk := range []string{"microsoft", "word", "wps", ".doc", ".pdf", "无标题", "untitled", "模板", "template"} {
		if strings.Contains(low, junk) {
			return false
		}
	}
	return !reNoise.MatchString(t) && !strings.ContainsAny(t, "。；")
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// documentTitle decides a document's title from what the file marks (found:
// title-styled or centred lines), the title in its properties (meta) and its
// first lines, and takes the title lines off the top of the text. It
// returns "" when none reads as a title.
func documentTitle(found []string, meta, text string) (string, string) {
	lines := strings.Split(text, "\n")
	// Skip blank lines and what sits above a title (附件1, 文件头).
	top := 0
	for top < len(lines) && top < 6 && isTitleNoise(lines[top]) {
		top++
	}
	take := func(title []string) (string, string) {
		// Take the title's lines off the text when they head it.
		i := top
		for _, t := range title {
			for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
				i++
			}
			if i >= len(lines) || strings.TrimSpace(lines[i]) != strings.TrimSpace(t) {
				return joinTitle(title), text
			}
			i++
		}
		// What sat above the title (附件1, 文件头) goes too; a 文号 there
		// stays for Recognize.
		var rest []string
		for _, l := range lines[:top] {
			if isDocNumberLine(l) {
				rest = append(rest, l)
			}
		}
		rest = append(rest, lines[i:]...)
		return joinTitle(title), strings.Join(rest, "\n")
	}
	if len(found) > 0 {
		return take(found)
	}
	// The first lines: one that reads as a title, or a 关于 line continued
	// by one (a title wrapped over two lines).
	for i := top; i < min(len(lines), top+4); i++ {
		l := strings.TrimSpace(lines[i])
		if l == "" {
			continue
		}
		if readsAsTitle(l) && reDocType.MatchString(l) {
			top = i
			return take([]string{l})
		}
		if i+1 < len(lines) && !strings.ContainsAny(l, "。；，：") {
			if next := strings.TrimSpace(lines[i+1]); !reStarts.MatchString(next) && !isTitleNoise(next) &&
				readsAsTitle(l+next) && reDocType.MatchString(next) {
				top = i
				return take([]string{l, next})
			}
		}
		if readsAsTitle(l) {
			top = i
			return take([]string{l})
		}
		if !isTitleNoise(l) {
			break
		}
	}
	if usableTitle(meta) {
		return strings.TrimSpace(meta), text
	}
	return "", text
}

// joinTitle joins title lines: without a space between Chinese text.
func joinTitle(lines []string) string {
	out := ""
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if out == "" {
			out = l
			continue
		}
		out = joinWrapped(out, l)
	}
	return out
}

// reBracketYear finds the year of a 文号 in any kind of bracket.
var reBracketYear = regexp.MustCompile(`[〔\[［【(（] ?(\d{4}) ?[〕\]］】)）]`)

// NormalizeDocNumber writes a 文号 the one way the standard (GB/T 9704) does,
// with the year in 〔〕 and a space only between two issuers (财政部 税务总局),
// so that 财税[2016]78号, 财税 〔2016〕 78 号 and 财税〔2016〕78号 are one.
func NormalizeDocNumber(s string) string {
	s = reBracketYear.ReplaceAllString(strings.TrimSpace(s), "〔$1〕")
	parts := strings.Fields(s)
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			prev, _ := utf8.DecodeLastRuneInString(parts[i-1])
			next, _ := utf8.DecodeRuneInString(p)
			if isHan(prev) && isHan(next) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(p)
	}
	return b.String()
}
