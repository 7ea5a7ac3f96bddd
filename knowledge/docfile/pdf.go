package docfile

import (
	"context"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/incubot/incubot/knowledge/corpus"
)

// pdfText reads a PDF's text layer with poppler's pdftotext -layout (in a
// separate process with a time limit: a PDF of crafted compressed streams
// cannot hold the server), its title from the PDF metadata, and its page
// count. The lines are then rejoined into paragraphs.
func pdfText(ctx context.Context, data []byte) (text, title string, pages int, err error) {
	err = withTemp("in.pdf", data, func(dir, path string) error {
		info, err := run(ctx, ToolPdfToText, ParseTimeout, dir, "-enc", "UTF-8", "-layout", "-q", path, "-")
		if err != nil {
			if _, ok := err.(*Refusal); ok {
				return err
			}
			return Refuse(RefuseDamaged, corpus.ErrInvalid, "PDF")
		}
		text = reflow(strings.Split(string(info), "\n"))
		meta, err := run(ctx, Tool{"pdfinfo", ToolPdfToText.Package, ".pdf"}, ParseTimeout, dir, "-enc", "UTF-8", path)
		if err == nil {
			title, pages = pdfInfo(string(meta))
		}
		return nil
	})
	return text, title, pages, err
}

// pdfInfo reads pdfinfo's Title and Pages lines.
func pdfInfo(s string) (title string, pages int) {
	for _, l := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "Title":
			title = v
		case "Pages":
			pages, _ = strconv.Atoi(v)
		}
	}
	return title, pages
}

var (
	rePageNumber = regexp.MustCompile(`^[-—–－\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*[/／共]\s*\d{1,4}\s*页?)?[-—–－\s]*$`)
	// A line that starts a unit of its own: never joined to the line above.
	reStarts = regexp.MustCompile(`^(?:第` + numeral + `[章节条编]|[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[\.．、]|附件|附：)`)
	reGap    = regexp.MustCompile(`[ \t\x{3000}]+`)
)

// reflow turns the lines of a page layout (pdftotext -layout, OCR) back
// into paragraphs: spaces inside Chinese text are dropped, page numbers
// too, and a line that runs to the right margin is joined with the next
// unless the next starts an article, part or item of its own.
func reflow(raw []string) string {
	var lines []string
	for _, l := range raw {
		l = strings.ReplaceAll(l, "\f", "")
		l = tidyGaps(strings.TrimSpace(l))
		if rePageNumber.MatchString(l) && l != "" {
			continue
		}
		lines = append(lines, l)
	}
	full := fullWidth(lines)
	var out []string
	cur := ""
	open := false // cur runs to the margin and may continue
	for _, l := range lines {
		if l == "" {
			if cur != "" && !open {
				out = append(out, cur)
				cur = ""
			}
			continue
		}
		if cur != "" && open && !reStarts.MatchString(l) {
			cur = joinWrapped(cur, l)
		} else {
			if cur != "" {
				out = append(out, cur)
			}
			cur = l
		}
		open = width(l) >= full && !endsSentence(l)
	}
	if cur != "" {
		out = append(out, cur)
	}
	return strings.Join(out, "\n") + "\n"
}

// tidyGaps drops the spaces layout and OCR put around Chinese text: next to
// CJK punctuation or brackets, between Chinese and digits or Latin letters
// (a change of font), and runs of them between Chinese characters; it keeps
// one space between two Chinese words (财政部 税务总局) and between Latin
// words.
func tidyGaps(l string) string {
	if !strings.ContainsAny(l, " \t\u3000") {
		return l
	}
	var b strings.Builder
	for _, m := range splitGaps(l) {
		if m.gap == "" {
			b.WriteString(m.text)
			continue
		}
		prev, _ := utf8.DecodeLastRuneInString(b.String())
		next, _ := utf8.DecodeRuneInString(m.text)
		switch {
		case isHan(prev) && isHan(next) && m.gap == " ":
			b.WriteByte(' ')
		case !wide(prev) && !wide(next) && !isBracket(prev) && !isBracket(next):
			b.WriteByte(' ')
		}
		b.WriteString(m.text)
	}
	return b.String()
}

func isBracket(r rune) bool { return strings.ContainsRune("()[]【】〔〕（）", r) }

type gapped struct{ gap, text string }

// splitGaps splits a line into words, each with the run of spaces before it.
func splitGaps(l string) []gapped {
	var out []gapped
	locs := reGap.FindAllStringIndex(l, -1)
	last := 0
	gap := ""
	for _, loc := range locs {
		if loc[0] > last {
			out = append(out, gapped{gap, l[last:loc[0]]})
		}
		gap = l[loc[0]:loc[1]]
		last = loc[1]
	}
	if last < len(l) {
		out = append(out, gapped{gap, l[last:]})
	}
	return out
}

// joinWrapped joins a line with its continuation: no space between Chinese
// characters, one between words of Latin text.
func joinWrapped(a, b string) string {
	prev, _ := utf8.DecodeLastRuneInString(a)
	next, _ := utf8.DecodeRuneInString(b)
	if wide(prev) || wide(next) || prev == '-' {
		return a + b
	}
	return a + " " + b
}

func wide(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef) ||
		strings.ContainsRune("“”‘’…—·", r)
}

func endsSentence(l string) bool {
	r, _ := utf8.DecodeLastRuneInString(l)
	return strings.ContainsRune("。；：！？;:!?", r)
}

// width is a line's width in half-width columns.
func width(l string) int {
	n := 0
	for _, r := range l {
		if wide(r) {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// fullWidth is the width of a line that reaches the right margin: within
// two characters of the widest lines (the 90th percentile, so one long
// table row does not set it).
func fullWidth(lines []string) int {
	var ws []int
	for _, l := range lines {
		if l != "" {
			ws = append(ws, width(l))
		}
	}
	if len(ws) == 0 {
		return 0
	}
	sort.Ints(ws)
	return max(ws[len(ws)*9/10]-4, 20)
}
