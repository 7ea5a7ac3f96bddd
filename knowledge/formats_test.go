package knowledge_test

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/docfile"

	"bytes"

	"github.com/xuri/excelize/v2"
)

func chunkLabels(t *testing.T, e *env, id int64) []string {
	t.Helper()
	cs, err := e.db.DocumentChunks(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range cs {
		if c.Part <= 1 && c.Article != "" && (len(out) == 0 || out[len(out)-1] != c.Article) {
			out = append(out, c.Article)
		}
	}
	return out
}

// Every format an officer receives yields the document's own title, its
// 文号 and the same article labels as the plain text.
func TestEveryFormatKeepsTitleNumberAndArticles(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	type want struct{ title, number, like string }
	patent := want{"专利收费减缴办法", "财税〔2016〕78号", "patent.txt"}
	rd := want{"财政部 税务总局关于进一步完善研发费用税前加计扣除政策的公告", "财政部 税务总局公告2023年第7号", "rd.docx"}
	labelsOf := map[string][]string{}
	for _, f := range []struct {
		name string
		want want
		via  string
		ocr  bool
	}{
		{"patent.txt", patent, "", false},
		{"rd.docx", rd, "", false},
		{"patent-plain.docx", patent, "", false},
		{"patent-styled.docx", patent, "", false},
		{"patent-pandoc.docx", patent, "", false},
		{"patent.doc", patent, "LibreOffice", false},
		{"patent.wps", patent, "LibreOffice", false},
		{"patent.rtf", patent, "LibreOffice", false},
		{"patent.odt", patent, "LibreOffice", false},
		{"patent.pdf", patent, "", false},
		{"rd.pdf", rd, "", false},
		{"patent-scan.pdf", patent, "", true},
		{"rd.png", rd, "", true},
	} {
		t.Run(f.name, func(t *testing.T) {
			res := e.kb.AddFile(ctx, fixture(t, f.name), knowledge.AddOptions{})
			if res.Err != nil {
				t.Fatalf("add: %v", res.Err)
			}
			same := func(a, b string) bool {
				if f.ocr { // OCR does not see the space between 财政部 and 税务总局
					a, b = strings.ReplaceAll(a, " ", ""), strings.ReplaceAll(b, " ", "")
				}
				return a == b
			}
			if !same(res.Doc.Title, f.want.title) || res.TitleFromName {
				t.Errorf("title %q (from the file name: %v), want %q", res.Doc.Title, res.TitleFromName, f.want.title)
			}
			if !same(res.Doc.DocNumber, f.want.number) {
				t.Errorf("文号 %q, want %q", res.Doc.DocNumber, f.want.number)
			}
			if res.Via != f.via {
				t.Errorf("converted by %q, want %q", res.Via, f.via)
			}
			if (res.OCR != nil) != f.ocr {
				t.Errorf("OCR %+v, want %v", res.OCR, f.ocr)
			}
			got := chunkLabels(t, e, res.Doc.ID)
			labelsOf[f.name] = got
			if len(got) < 3 {
				t.Fatalf("articles %v: the structure was lost", got)
			}
			if like := labelsOf[f.want.like]; strings.Join(got, ",") != strings.Join(like, ",") {
				t.Errorf("articles\n%v\nwant those of %s\n%v", got, f.want.like, like)
			}
			source := patentDoc(t).text()
			if f.want == rd {
				source = rdDoc(t).text()
			}
			chunks, _ := e.db.DocumentChunks(ctx, res.Doc.ID)
			for _, c := range chunks {
				if c.Part > 1 {
					continue
				}
				if first := []rune(c.Body)[0]; !unicode.Is(unicode.Han, first) && !strings.ContainsRune("（(“《0123456789", first) {
					t.Errorf("chunk %d starts mid-sentence: %q", c.Ordinal, clipRunes(c.Body, 30))
				}
				if g := strayGap(c.Body, source); g != "" {
					t.Errorf("chunk %d has a stray space: %q", c.Ordinal, clipRunes(c.Body, 60))
				}
			}
		})
	}
}

// strayGap returns a space between Chinese characters that the source text
// does not have ("照批准后的应缴 数额"), or "".
func strayGap(s, source string) string {
	rs := []rune(s)
	for i := 1; i+1 < len(rs); i++ {
		if rs[i] == ' ' && unicode.Is(unicode.Han, rs[i-1]) && unicode.Is(unicode.Han, rs[i+1]) {
			if g := string(rs[i-1 : i+2]); !strings.Contains(source, g) && !reLabel.MatchString(string(rs[:i])) {
				return g
			}
		}
	}
	return ""
}

var reLabel = regexp.MustCompile(`^（?\S{0,8}续?）?第[一二三四五六七八九十百零〇\d]+条$`)

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// Two attachments both called 附件1.docx are two documents: the second does
// not replace the first, whose 文号 differs.
func TestSameFileNameDifferentDocumentsKeptApart(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.kb.AddFile(ctx, fixture(t, "a/附件1.docx"), knowledge.AddOptions{})
	b := e.kb.AddFile(ctx, fixture(t, "b/附件1.docx"), knowledge.AddOptions{})
	for _, r := range []knowledge.AddResult{a, b} {
		if r.Err != nil || r.Outcome != knowledge.Added {
			t.Fatalf("%s: %s %v", r.Path, r.Outcome, r.Err)
		}
	}
	if a.Doc.Title != "专利收费减缴办法" || b.Doc.Title != "财政部 税务总局关于进一步完善研发费用税前加计扣除政策的公告" {
		t.Errorf("titles %q and %q: a line 附件1 above the title is not the title", a.Doc.Title, b.Doc.Title)
	}
	docs, err := e.db.Documents(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 {
		t.Fatalf("%d active documents, want both", len(docs))
	}
	// The same 文号 again, in another format, is the new version.
	c := e.kb.AddFile(ctx, fixture(t, "patent-plain.docx"), knowledge.AddOptions{})
	if c.Outcome != knowledge.Replaced || c.Replaced.ID != a.Doc.ID {
		t.Fatalf("same 文号: %s %+v %v", c.Outcome, c.Replaced, c.Err)
	}
}

// OCR reads the scanned pages back with at least 95% of the characters
// right, and says so.
func TestOCRAccuracyOnRenderedPages(t *testing.T) {
	for _, f := range []struct {
		name string
		src  func(testing.TB) source
	}{{"patent-scan.pdf", patentDoc}, {"rd.png", rdDoc}} {
		t.Run(f.name, func(t *testing.T) {
			data, err := os.ReadFile(fixture(t, f.name))
			if err != nil {
				t.Fatal(err)
			}
			p, err := docfile.Parse(context.Background(), f.name, data)
			if err != nil {
				t.Fatal(err)
			}
			if p.OCR == nil || p.OCR.Pages == 0 {
				t.Fatalf("no OCR report: %+v", p.OCR)
			}
			want := f.src(t)
			// The title and 文号 lines were taken off the text as metadata.
			got := p.Title + p.DocNumber + p.Text
			acc := charAccuracy(squeeze(got), squeeze(want.text()))
			t.Logf("%s: %d page(s), character accuracy %.4f, confidence %.1f, %.1f s/page, low pages %v",
				f.name, p.OCR.Pages, acc, p.OCR.Confidence, p.OCR.Took.Seconds()/float64(p.OCR.Pages), p.OCR.LowPages)
			if acc < 0.95 {
				t.Errorf("character accuracy %.4f < 0.95", acc)
			}
			if !strings.Contains(p.OCR.Chinese(), "OCR") {
				t.Errorf("the officer is not told: %q", p.OCR.Chinese())
			}
		})
	}
}

func squeeze(s string) []rune {
	var out []rune
	for _, r := range s {
		if !unicode.IsSpace(r) {
			out = append(out, r)
		}
	}
	return out
}

// charAccuracy is 1 − edit distance / length of the reference.
func charAccuracy(got, want []rune) float64 {
	prev := make([]int, len(want)+1)
	cur := make([]int, len(want)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(got); i++ {
		cur[0] = i
		for j := 1; j <= len(want); j++ {
			cost := 1
			if got[i-1] == want[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return 1 - float64(prev[len(want)])/float64(len(want))
}

// An .xls register comes back as an .xlsx that excelize reads.
func TestConvertOfficeSpreadsheet(t *testing.T) {
	data, err := os.ReadFile(fixture(t, "register.xls"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := docfile.ConvertOffice(context.Background(), "台账.xls", data, "xlsx")
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v, err := f.GetCellValue(f.GetSheetName(0), "B2")
	if err != nil || v != "投影仪" {
		t.Fatalf("B2 = %q %v", v, err)
	}
}
