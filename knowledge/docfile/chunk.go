package docfile

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/incubot/incubot/knowledge/corpus"
)

// MaxChunkRunes is the size above which an article is split at sentence
// boundaries, with one sentence of overlap and its label repeated.
const MaxChunkRunes = 400

const numeral = `[一二三四五六七八九十百千零〇两\d]+`

var (
	reChapter  = regexp.MustCompile(`^第` + numeral + `[章编]`)
	reSection  = regexp.MustCompile(`^第` + numeral + `节`)
	reArticle  = regexp.MustCompile(`^第(` + numeral + `)条`)
	reTopPart  = regexp.MustCompile(`^([一二三四五六七八九十]+)[、．.]`)
	reNumbered = regexp.MustCompile(`^(\d{1,2})[\.．、]`)
	reSpaces   = regexp.MustCompile(`[\s\x{3000}]+`)
)

// Table is a table of a document, chunked row by row with its header.
type Table struct {
	Caption string
	Rows    [][]string
}

type unit struct {
	heading string
	label   string
	kind    int // what started it
	lines   []string
}

const (
	kindPreamble = iota
	kindArticle
	kindPart
	kindNumbered
)

// Split splits a document's text by its structure: 章 and 节 become the
// heading path; each 条, each top-level 一、 part and each top-level numbered
// item becomes one chunk with its label; （一） items stay inside their
// article. Text without structure falls back to paragraphs. Units longer
// than MaxChunkRunes are split at sentence boundaries. Tables become one
// chunk per row with the header repeated.
func Split(text string, tables []Table) []corpus.Chunk {
	lines := splitLines(text)
	hasArticles := false
	for _, l := range lines {
		if reArticle.MatchString(l) {
			hasArticles = true
			break
		}
	}
	var units []unit
	var cur *unit
	var chapter, section string
	flush := func() {
		if cur != nil && len(cur.lines) > 0 {
			units = append(units, *cur)
		}
		cur = nil
	}
	heading := func() string { return strings.TrimSpace(chapter + " " + section) }
	for _, line := range lines {
		if isNote(line) {
			continue
		}
		switch {
		case reChapter.MatchString(line) && utf8.RuneCountInString(line) <= 40:
			flush()
			chapter, section = tidyHeading(line), ""
			continue
		case reSection.MatchString(line) && utf8.RuneCountInString(line) <= 40:
			flush()
			section = tidyHeading(line)
			continue
		}
		if m := reArticle.FindStringSubmatch(line); m != nil {
			flush()
			cur = &unit{heading: heading(), label: "第" + m[1] + "条", kind: kindArticle}
		} else if m := reTopPart.FindStringSubmatch(line); m != nil && (!hasArticles || cur == nil || cur.kind != kindArticle) {
			flush()
			cur = &unit{heading: heading(), label: m[1], kind: kindPart}
		} else if m := reNumbered.FindStringSubmatch(line); m != nil && !followedByDigit(line, len(m[0])) &&
			(cur == nil || cur.kind == kindPreamble || cur.kind == kindNumbered) {
			flush()
			cur = &unit{heading: heading(), label: m[1], kind: kindNumbered}
		} else if cur == nil {
			cur = &unit{heading: heading(), kind: kindPreamble}
		}
		cur.lines = append(cur.lines, line)
	}
	flush()

	var chunks []corpus.Chunk
	for _, u := range units {
		if u.kind == kindPreamble {
			for _, body := range paragraphs(u.lines) {
				chunks = append(chunks, corpus.Chunk{Heading: u.heading, Body: body})
			}
			continue
		}
		lead := leadIn(u.lines)
		parts := splitUnit(u.lines, MaxChunkRunes-utf8.RuneCountInString(lead))
		for i, body := range parts {
			c := corpus.Chunk{Heading: u.heading, Article: u.label, Body: body}
			if len(parts) > 1 {
				c.Part = i + 1
				if i > 0 {
					c.Body = corpus.ContinuedMark(u.label) + lead + body
				}
			}
			chunks = append(chunks, c)
		}
	}
	for _, t := range tables {
		chunks = append(chunks, tableChunks(t)...)
	}
	for i := range chunks {
		chunks[i].Ordinal = i
	}
	return chunks
}

// isNote reports a line that is wholly an editor's bracketed note
// (〔编者注：…〕, 〔以下原文未取得〕): it is about the text, not policy, and a
// reply must never quote it as such.
func isNote(line string) bool {
	inner, ok := strings.CutPrefix(line, "〔")
	return ok && strings.HasSuffix(inner, "〕") && !strings.Contains(strings.TrimSuffix(inner, "〕"), "〕")
}

func followedByDigit(s string, at int) bool {
	r, _ := utf8.DecodeRuneInString(s[at:])
	return unicode.IsDigit(r)
}

// splitLines trims lines and drops empty ones.
func splitLines(text string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		l = strings.TrimFunc(l, func(r rune) bool { return unicode.IsSpace(r) || r == '\ufeff' })
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// tidyHeading writes 第一章  总  则 as 第一章 总则.
func tidyHeading(line string) string {
	s := reSpaces.ReplaceAllString(line, "")
	for _, re := range []*regexp.Regexp{reChapter, reSection} {
		if loc := re.FindStringIndex(s); loc != nil && loc[1] < len(s) {
			return s[:loc[1]] + " " + s[loc[1]:]
		}
	}
	return s
}

// paragraphs groups unstructured lines into chunks of at most MaxChunkRunes.
func paragraphs(lines []string) []string {
	var out []string
	var b strings.Builder
	for _, l := range lines {
		for _, piece := range splitLong(l) {
			if b.Len() > 0 && utf8.RuneCountInString(b.String())+utf8.RuneCountInString(piece) > MaxChunkRunes {
				out = append(out, b.String())
				b.Reset()
			}
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			b.WriteString(piece)
		}
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

// leadIn is the sentence that introduces an article's list ("认定为高新技术
// 企业须同时满足以下条件："), without the article's label. Every later part of
// a split article repeats it, since an item such as "（八）未发生重大安全…"
// says nothing about what it is a condition of. It is empty when the
// article does not open with a short line ending in a colon.
func leadIn(lines []string) string {
	if len(lines) < 2 {
		return ""
	}
	first := lines[0]
	if !strings.HasSuffix(first, "：") && !strings.HasSuffix(first, ":") {
		return ""
	}
	if loc := reArticle.FindStringIndex(first); loc != nil {
		first = strings.TrimSpace(first[loc[1]:])
	}
	if utf8.RuneCountInString(first) > 80 {
		return ""
	}
	return first + "\n"
}

// ArticleText is the text of an article as written, from its chunks in
// order: a later part of a split article loses its mark (（第十一条续）), the
// lead-in it repeats for context and the sentence it repeats from the part
// before.
func ArticleText(chunks []corpus.Chunk) string {
	var out, lead string
	for _, c := range chunks {
		if !c.Continues() || out == "" {
			if out != "" {
				out += "\n"
			}
			out += c.Body
			lead = leadIn(strings.Split(c.Body, "\n"))
			continue
		}
		body := strings.TrimPrefix(c.Body, corpus.ContinuedMark(c.Article))
		body = strings.TrimPrefix(body, lead)
		for i := len(body); i > 0; i-- {
			if strings.HasSuffix(out, body[:i]) {
				body = body[i:]
				break
			}
		}
		out += body
	}
	return out
}

// splitUnit returns the unit as one body, or as parts of at most max runes
// split between lines or sentences, each part starting with the last
// sentence of the one before.
func splitUnit(lines []string, max int) []string {
	whole := strings.Join(lines, "\n")
	if utf8.RuneCountInString(whole) <= MaxChunkRunes {
		return []string{whole}
	}
	var sentences []string
	for i, l := range lines {
		ss := SentencesOf(l)
		if i > 0 && len(ss) > 0 {
			ss[0] = "\n" + ss[0]
		}
		sentences = append(sentences, ss...)
	}
	var parts []string
	var cur []string
	size := 0
	for _, s := range sentences {
		n := utf8.RuneCountInString(s)
		if size+n > max && len(cur) > 0 {
			parts = append(parts, strings.TrimSpace(strings.Join(cur, "")))
			last := cur[len(cur)-1]
			cur, size = []string{strings.TrimLeft(last, "\n")}, utf8.RuneCountInString(last)
			if size+n > max {
				cur, size = nil, 0
			}
		}
		cur = append(cur, s)
		size += n
	}
	if len(cur) > 0 {
		parts = append(parts, strings.TrimSpace(strings.Join(cur, "")))
	}
	return parts
}

// SentencesOf splits after 。！？； keeping the marks.
func SentencesOf(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		if strings.ContainsRune("。！？；!?;", r) {
			end := i + utf8.RuneLen(r)
			out = append(out, s[start:end])
			start = end
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	var fixed []string
	for _, p := range out {
		fixed = append(fixed, splitLong(p)...)
	}
	return fixed
}

// splitLong cuts a run of text without sentence marks into MaxChunkRunes
// pieces.
func splitLong(s string) []string {
	rs := []rune(s)
	if len(rs) <= MaxChunkRunes {
		return []string{s}
	}
	var out []string
	for len(rs) > MaxChunkRunes {
		out = append(out, string(rs[:MaxChunkRunes]))
		rs = rs[MaxChunkRunes:]
	}
	return append(out, string(rs))
}

// tableChunks makes one chunk per data row: "列名：值；列名：值".
func tableChunks(t Table) []corpus.Chunk {
	if len(t.Rows) == 0 {
		return nil
	}
	header := t.Rows[0]
	var out []corpus.Chunk
	for i, row := range t.Rows[1:] {
		var cells []string
		for j, v := range row {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			name := ""
			if j < len(header) {
				name = strings.TrimSpace(header[j])
			}
			if name != "" {
				cells = append(cells, name+"："+v)
			} else {
				cells = append(cells, v)
			}
		}
		if len(cells) == 0 {
			continue
		}
		out = append(out, corpus.Chunk{Heading: t.Caption, Article: fmt.Sprintf("表格第%d行", i+1), Body: strings.Join(cells, "；")})
	}
	return out
}
