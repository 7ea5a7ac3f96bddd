package knowledge_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"html"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// A policy document as an officer receives it, built from a corpus text.
type source struct {
	title, number string
	body          []string // paragraphs after the title and 文号 lines
}

// corpusDoc reads a corpus text and gives it the title and 文号 it was
// issued with, its header lines (# …, source:) dropped.
func corpusDoc(t testing.TB, file, title, number string) source {
	t.Helper()
	// Copies of texts from the evaluation corpus (../shared/eval/corpus).
	data, err := os.ReadFile(filepath.Join("testdata", "corpus", file))
	if err != nil {
		t.Fatalf("corpus: %v", err)
	}
	s := source{title: title, number: number}
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "# ") || strings.HasPrefix(l, "source:") || l == title || l == number {
			continue
		}
		s.body = append(s.body, l)
	}
	return s
}

func patentDoc(t testing.TB) source {
	return corpusDoc(t, "zhuanli_shoufei_jianjiao_banfa.txt", "专利收费减缴办法", "财税〔2016〕78号")
}

func rdDoc(t testing.TB) source {
	return corpusDoc(t, "yanfa_jiaji_kouchu_2023_7.txt", "财政部 税务总局关于进一步完善研发费用税前加计扣除政策的公告", "财政部 税务总局公告2023年第7号")
}

// text is the document as plain text, as the corpus would have it.
func (s source) text() string {
	return s.title + "\n" + s.number + "\n" + strings.Join(s.body, "\n") + "\n"
}

// docxStyle says how a generated Word file marks its title.
type docxStyle int

const (
	plainDocx   docxStyle = iota // no styles, nothing centred: the title is only a first line
	styledDocx                   // Title style and centred, as Word users set it
	headingDocx                  // Heading 1, as pandoc writes "# 标题"
)

// makeDocx writes a Word document: an optional line above the title (附件1),
// the title, the 文号 and the body, in a CJK font LibreOffice has.
func makeDocx(s source, style docxStyle, above string) []byte {
	para := func(text, styleID string, centred bool) string {
		ppr := ""
		if styleID != "" || centred {
			ppr = "<w:pPr>"
			if styleID != "" {
				ppr += `<w:pStyle w:val="` + styleID + `"/>`
			}
			if centred {
				ppr += `<w:jc w:val="center"/>`
			}
			ppr += "</w:pPr>"
		}
		return "<w:p>" + ppr + "<w:r><w:t xml:space=\"preserve\">" + html.EscapeString(text) + "</w:t></w:r></w:p>"
	}
	var b strings.Builder
	if above != "" {
		b.WriteString(para(above, "", false))
	}
	switch style {
	case plainDocx:
		b.WriteString(para(s.title, "", false))
		b.WriteString(para(s.number, "", false))
	case styledDocx:
		b.WriteString(para(s.title, "a3", true)) // Chinese Word's id for the Title style
		b.WriteString(para(s.number, "", true))
	case headingDocx:
		b.WriteString(para(s.title, "1", false)) // and for Heading 1
		b.WriteString(para(s.number, "", false))
	}
	for _, l := range s.body {
		b.WriteString(para(l, "", false))
	}
	const ns = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`
	parts := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
			`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
		"word/_rels/document.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
		"word/styles.xml": `<?xml version="1.0" encoding="UTF-8"?><w:styles ` + ns + `>` +
			`<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Noto Serif CJK SC" w:hAnsi="Noto Serif CJK SC" w:eastAsia="Noto Serif CJK SC"/><w:sz w:val="28"/></w:rPr></w:rPrDefault></w:docDefaults>` +
			`<w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/></w:style>` +
			`<w:style w:type="paragraph" w:styleId="a3"><w:name w:val="Title"/><w:basedOn w:val="a"/><w:rPr><w:b/><w:sz w:val="40"/></w:rPr></w:style>` +
			`<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:basedOn w:val="a"/><w:rPr><w:b/><w:sz w:val="36"/></w:rPr></w:style></w:styles>`,
		"word/document.xml": `<?xml version="1.0" encoding="UTF-8"?><w:document ` + ns + `><w:body>` + b.String() +
			`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440"/></w:sectPr></w:body></w:document>`,
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(parts))
	for n := range parts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, _ := zw.Create(n)
		w.Write([]byte(parts[n]))
	}
	zw.Close()
	return buf.Bytes()
}

// fixtures are the files of every format, made once per test binary.
var fixtures struct {
	once  sync.Once
	dir   string
	files map[string]string // name → path
	err   error
}

// fixture returns the path of a generated file. Building them needs
// LibreOffice and poppler: a machine without them fails here, it does not
// skip.
func fixture(t *testing.T, name string) string {
	t.Helper()
	fixtures.once.Do(func() { fixtures.files, fixtures.err = buildFixtures(t) })
	if fixtures.err != nil {
		t.Fatalf("building the document fixtures: %v", fixtures.err)
	}
	p, ok := fixtures.files[name]
	if !ok {
		t.Fatalf("no fixture %s", name)
	}
	return p
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtures.dir != "" {
		os.RemoveAll(fixtures.dir)
	}
	os.Exit(code)
}

func buildFixtures(t testing.TB) (map[string]string, error) {
	dir, err := os.MkdirTemp("", "incubot-fixtures-")
	if err != nil {
		return nil, err
	}
	fixtures.dir = dir
	files := map[string]string{}
	write := func(name string, data []byte) error {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		files[name] = p
		return os.WriteFile(p, data, 0o644)
	}
	patent, rd := patentDoc(t), rdDoc(t)
	for name, data := range map[string][]byte{
		"patent.txt":         []byte(patent.text()),
		"patent-plain.docx":  makeDocx(patent, plainDocx, ""),
		"patent-styled.docx": makeDocx(patent, styledDocx, ""),
		"patent-pandoc.docx": makeDocx(patent, headingDocx, ""),
		"a/附件1.docx":         makeDocx(patent, styledDocx, "附件1"),
		"b/附件1.docx":         makeDocx(rd, plainDocx, "附件1"),
		"rd.docx":            makeDocx(rd, styledDocx, ""),
	} {
		if err := write(name, data); err != nil {
			return nil, err
		}
	}
	// LibreOffice writes the other office formats and the text PDF, as
	// officers get them from other offices.
	for _, c := range []struct{ from, filter, to string }{
		{"patent-styled.docx", "doc:MS Word 97", "patent.doc"},
		{"patent-styled.docx", "rtf", "patent.rtf"},
		{"patent-styled.docx", "odt", "patent.odt"},
		{"patent-styled.docx", "pdf", "patent.pdf"},
		{"rd.docx", "pdf", "rd.pdf"},
	} {
		out, err := soffice(dir, files[c.from], c.filter)
		if err != nil {
			return nil, err
		}
		if err := write(c.to, out); err != nil {
			return nil, err
		}
	}
	// A register as .xls, for the spreadsheet conversion.
	if err := write("register.csv", []byte("资产编号,资产名称,单价\nCKC-001,投影仪,18600\n")); err != nil {
		return nil, err
	}
	xls, err := soffice(dir, files["register.csv"], "xls", "--infilter=CSV:44,34,76")
	if err != nil {
		return nil, err
	}
	if err := write("register.xls", xls); err != nil {
		return nil, err
	}
	// A .wps from Kingsoft's older versions is a Word 97 file.
	doc, _ := os.ReadFile(files["patent.doc"])
	if err := write("patent.wps", doc); err != nil {
		return nil, err
	}
	// The scans: pages rendered from the text PDFs at 300 dpi, as a
	// scanner makes them, then put in a PDF with no text layer; and one
	// page as a photo-like PNG.
	pages, err := render(dir, files["patent.pdf"], 300)
	if err != nil {
		return nil, err
	}
	scan, err := imagePDF(pages, 300)
	if err != nil {
		return nil, err
	}
	if err := write("patent-scan.pdf", scan); err != nil {
		return nil, err
	}
	rdPages, err := render(dir, files["rd.pdf"], 300)
	if err != nil {
		return nil, err
	}
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, rdPages[0]); err != nil {
		return nil, err
	}
	if err := write("rd.png", pngBuf.Bytes()); err != nil {
		return nil, err
	}
	return files, nil
}

// soffice converts a file with LibreOffice in a private profile.
func soffice(dir, in, filter string, extra ...string) ([]byte, error) {
	out := filepath.Join(dir, "conv")
	args := append([]string{"--headless", "--norestore", "--nolockcheck",
		"-env:UserInstallation=file://" + filepath.Join(dir, "profile")}, extra...)
	cmd := exec.CommandContext(context.Background(), "soffice", append(args, "--convert-to", filter, "--outdir", out, in)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("soffice --convert-to %s (Debian: libreoffice-writer-nogui): %v: %s", filter, err, b)
	}
	ext, _, _ := strings.Cut(filter, ":")
	p := filepath.Join(out, strings.TrimSuffix(filepath.Base(in), filepath.Ext(in))+"."+ext)
	data, err := os.ReadFile(p)
	os.Remove(p)
	return data, err
}

// render draws a PDF's pages as grey images with poppler's pdftoppm.
func render(dir, pdf string, dpi int) ([]image.Image, error) {
	prefix := filepath.Join(dir, "render", strings.TrimSuffix(filepath.Base(pdf), ".pdf"))
	os.MkdirAll(filepath.Dir(prefix), 0o755)
	if b, err := exec.Command("pdftoppm", "-r", fmt.Sprint(dpi), "-gray", "-png", pdf, prefix).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pdftoppm (Debian: poppler-utils): %v: %s", err, b)
	}
	names, _ := filepath.Glob(prefix + "-*.png")
	sort.Strings(names)
	var out []image.Image
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			return nil, err
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, img)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("pdftoppm rendered no pages of %s", pdf)
	}
	return out, nil
}

// imagePDF writes a PDF whose pages are only images (JPEG), as a scanner
// makes: no text layer.
func imagePDF(pages []image.Image, dpi int) ([]byte, error) {
	var objs []string
	add := func(s string) int { objs = append(objs, s); return len(objs) }
	add("<< /Type /Catalog /Pages 2 0 R >>")
	add("") // pages, filled below
	var kids []string
	for i, img := range pages {
		var jb bytes.Buffer
		if err := jpeg.Encode(&jb, img, &jpeg.Options{Quality: 85}); err != nil {
			return nil, err
		}
		b := img.Bounds()
		w, h := float64(b.Dx())*72/float64(dpi), float64(b.Dy())*72/float64(dpi)
		cs := "/DeviceGray"
		if _, ok := img.(*image.Gray); !ok {
			cs = "/DeviceRGB"
		}
		imgObj := add(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n%s\nendstream",
			b.Dx(), b.Dy(), cs, jb.Len(), jb.String()))
		content := fmt.Sprintf("q %.2f 0 0 %.2f 0 0 cm /Im%d Do Q", w, h, i)
		cObj := add(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
		page := add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents %d 0 R /Resources << /XObject << /Im%d %d 0 R >> >> >>",
			w, h, cObj, i, imgObj))
		kids = append(kids, fmt.Sprintf("%d 0 R", page))
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
	var buf bytes.Buffer
	buf.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = buf.Len()
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&buf, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return buf.Bytes(), nil
}
