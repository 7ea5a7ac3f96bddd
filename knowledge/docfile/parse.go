// Package docfile reads policy files (text, Word, WPS, PDF, scans through
// LibreOffice, pdftotext and Tesseract) within limits, finds their title
// and metadata, splits them into article chunks and flags text addressed
// to a model.
package docfile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/zh"
)

// Parsed is a document's text and the metadata found in it.
type Parsed struct {
	Meta
	Text   string
	Tables []Table
	Hash   string // sha256 of the file's bytes
	// TitleFromName is set when nothing in the file gave a title and the
	// file name stands in for one.
	TitleFromName bool
	// Via names the converter the file went through ("LibreOffice").
	Via string
	// OCR is set when the text was recognised from a scan or an image.
	OCR *OCRInfo
}

// Meta is a document's metadata; empty fields are unknown.
type Meta struct {
	Title       string
	DocNumber   string
	Issuer      string
	Source      string
	EffectiveOn *time.Time
	ExpiresOn   *time.Time
}

// Merge fills the empty fields of m from o.
func (m *Meta) Merge(o Meta) {
	if m.Title == "" {
		m.Title = o.Title
	}
	if m.DocNumber == "" {
		m.DocNumber = o.DocNumber
	}
	if m.Issuer == "" {
		m.Issuer = o.Issuer
	}
	if m.Source == "" {
		m.Source = o.Source
	}
	if m.EffectiveOn == nil {
		m.EffectiveOn = o.EffectiveOn
	}
	if m.ExpiresOn == nil {
		m.ExpiresOn = o.ExpiresOn
	}
}

// SupportedExtensions are the file types Parse reads. The Word formats
// need LibreOffice, PDFs poppler, scans and images Tesseract.
var SupportedExtensions = []string{".txt", ".md", ".markdown", ".docx", ".doc", ".wps", ".rtf", ".odt", ".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}

// Parse reads a document of a supported type within the limits of
// limits.go. The title comes from the document itself: front matter or a
// "# " line, a Word title style, heading or centred first paragraph, the
// PDF's or the Word file's own title, a first line that reads as a title;
// the file name only when none of these gives one (TitleFromName). The
// 文号, issuer and dates come from the first lines and the text.
func Parse(ctx context.Context, name string, data []byte) (*Parsed, error) {
	sum := sha256.Sum256(data)
	p := &Parsed{Hash: hex.EncodeToString(sum[:])}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, Refuse(RefuseEmpty, corpus.ErrNoText, "文件是空的。")
	}
	var (
		err   error
		found []string // title lines the file marks as such (styles, centring)
		meta  string   // the title the file's properties give
	)
	switch ext := strings.ToLower(filepath.Ext(name)); {
	case ext == ".txt" || ext == ".md" || ext == ".markdown":
		p.Text, err = decodeText(data)
	case ext == ".docx":
		p.Text, p.Tables, found, meta, err = readDocx(ctx, data)
	case contains(wordFormats, ext) && isDocx(data):
		// A .docx saved under an old name, as often happens.
		p.Text, p.Tables, found, meta, err = readDocx(ctx, data)
	case contains(wordFormats, ext):
		var docx []byte
		if docx, err = ConvertOffice(ctx, name, data, "docx"); err == nil {
			p.Text, p.Tables, found, meta, err = readDocx(ctx, docx)
			p.Via = "LibreOffice"
		}
	case ext == ".pdf":
		var pages int
		p.Text, meta, pages, err = pdfText(ctx, data)
		if err == nil && !hasText(p.Text) {
			// No text layer: a scan.
			p.Text, p.OCR, err = ocrPDF(ctx, data, pages)
		}
	case contains(imageFormats, ext):
		p.Text, p.OCR, err = ocrImage(ctx, name, data)
	default:
		if ext == "" {
			ext = "无扩展名"
		}
		return nil, Refuse(RefuseUnsupported, corpus.ErrUnsupported, ext)
	}
	if err != nil {
		return nil, err
	}
	if len(p.Text) > MaxTextBytes {
		return nil, Refuse(RefuseTooMuchText, corpus.ErrTooLarge, SizeText(MaxTextBytes))
	}
	p.Text = strings.ReplaceAll(p.Text, "\r\n", "\n")
	p.Text = p.extractHeader(p.Text)
	if strings.TrimSpace(p.Text) == "" && len(p.Tables) == 0 {
		why := ""
		if p.OCR != nil {
			why = "扫描件里没有识别出文字，请提供更清晰的扫描件或文字版。"
		}
		return nil, Refuse(RefuseEmpty, corpus.ErrNoText, why)
	}
	if p.Title == "" {
		p.Title, p.Text = documentTitle(found, meta, p.Text)
	}
	p.Meta.Merge(Recognize(p.Text))
	p.Text = dropNumberLine(p.Text, p.DocNumber)
	if p.Title == "" {
		base := filepath.Base(name)
		p.Title = strings.TrimSuffix(base, filepath.Ext(base))
		p.TitleFromName = true
	}
	return p, nil
}

// dropNumberLine takes the document's own 文号 line off the top of its text:
// it is metadata, and as a chunk of its own it would only add noise.
func dropNumberLine(text, number string) string {
	if number == "" {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines[:min(len(lines), 8)] {
		if isDocNumberLine(l) && NormalizeDocNumber(reDocNumber.FindString(strings.Trim(l, " 　()（）[]【】"))) == NormalizeDocNumber(number) {
			return strings.Join(append(lines[:i:i], lines[i+1:]...), "\n")
		}
	}
	return text
}

// hasText reports whether a PDF's text layer holds more than stray marks.
func hasText(s string) bool {
	n := 0
	for _, r := range s {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n >= 10
}

// extractHeader takes a front-matter block, a "# 标题" first line and a
// "source:" line off the text, keeping what they say.
func (p *Parsed) extractHeader(text string) string {
	lines := strings.Split(text, "\n")
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if i < len(lines) && strings.TrimSpace(lines[i]) == "---" {
		for j := i + 1; j < len(lines); j++ {
			if strings.TrimSpace(lines[j]) == "---" {
				p.frontMatter(lines[i+1 : j])
				i = j + 1
				break
			}
		}
	}
	var rest []string
	for n, l := range lines[i:] {
		t := strings.TrimSpace(l)
		if n < 4 {
			if strings.HasPrefix(t, "# ") && p.Title == "" {
				p.Title = strings.TrimSpace(strings.TrimPrefix(t, "# "))
				continue
			}
			if k, v, ok := cutKey(t); ok && (k == "source" || k == "来源") {
				if p.Source == "" {
					p.Source = v
				}
				continue
			}
		}
		rest = append(rest, l)
	}
	return strings.Join(rest, "\n")
}

func cutKey(line string) (string, string, bool) {
	line = strings.Replace(line, "：", ":", 1)
	k, v, ok := strings.Cut(line, ":")
	if !ok {
		return "", "", false
	}
	return strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v), true
}

func (p *Parsed) frontMatter(lines []string) {
	for _, l := range lines {
		k, v, ok := cutKey(l)
		if !ok || v == "" {
			continue
		}
		v = strings.Trim(v, `"'`)
		switch k {
		case "title", "标题":
			p.Title = v
		case "doc_number", "number", "文号":
			p.DocNumber = v
		case "issuer", "发文机关", "发布机关":
			p.Issuer = v
		case "source", "来源":
			p.Source = v
		case "effective", "effective_on", "施行日期", "生效日期":
			p.EffectiveOn = zh.Date(v)
		case "expires", "expires_on", "expiry", "失效日期", "有效期至":
			p.ExpiresOn = zh.Date(v)
		}
	}
}

var (
	reDocNumber = regexp.MustCompile(`[\p{Han}]{1,12} ?[〔\[［【(（] ?\d{4} ?[〕\]］】)）] ?\d{1,4} ?号|(?:\p{Han}{1,12} )*\p{Han}{0,20}公告\d{4}年第\d{1,4}号|\p{Han}{0,8}令第\d{1,4}号|第\d{1,4}号令`)
	thisDoc     = `本(?:办法|通知|规定|细则|公告|条例|措施|意见|政策|方案)`
	reEffective = regexp.MustCompile(`自` + zh.DatePattern + `起(?:施行|执行|实施|生效)`)
	// Only the document's own term counts: "自…起废止" in a text usually
	// repeals an older document, not this one.
	// and so does a 有效期 of something else (a certificate's, say): only
	// one that 本办法/本通知… gives itself.
	reExpires  = regexp.MustCompile(thisDoc + `[^。]{0,24}?有效期(?:至|到)` + zh.DatePattern)
	reValidFor = regexp.MustCompile(thisDoc + `[^。]{0,24}?有效期(?:为)?([一二三四五六七八九十两\d]+)年`)
	reIssuer   = regexp.MustCompile(`^([\p{Han}、 ]{2,60}?)关于`)
)

// Recognize finds metadata in a document's text: the 文号 in the first
// lines, the issuer before 关于 in the title line, and the effective and
// expiry dates.
func Recognize(text string) Meta {
	var m Meta
	lines := splitLines(text)
	// A document prints its own 文号 on a line of its own under the title;
	// one inside a sentence ("根据《…》（南科规〔2025〕3号）") is another
	// document's, and citing it would send readers to the wrong file.
	for _, l := range lines[:min(len(lines), 8)] {
		l = strings.Trim(l, " 　()（）[]【】")
		if s := reDocNumber.FindString(l); s != "" && strings.HasSuffix(l, s) &&
			utf8.RuneCountInString(l) <= 40 && !strings.ContainsAny(l, "，。；：《》") {
			m.DocNumber = NormalizeDocNumber(s)
			break
		}
	}
	if len(lines) > 0 {
		if sm := reIssuer.FindStringSubmatch(lines[0]); sm != nil {
			m.Issuer = strings.TrimSpace(sm[1])
		}
	}
	if sm := reEffective.FindStringSubmatch(text); sm != nil {
		m.EffectiveOn = zh.YMD(sm[1], sm[2], sm[3])
	}
	if sm := reExpires.FindStringSubmatch(text); sm != nil {
		m.ExpiresOn = zh.YMD(sm[1], sm[2], sm[3])
	} else if sm := reValidFor.FindStringSubmatch(text); sm != nil && m.EffectiveOn != nil {
		if years := zh.SmallNumber(sm[1]); years > 0 {
			end := m.EffectiveOn.AddDate(years, 0, -1)
			m.ExpiresOn = &end
		}
	}
	return m
}

// RecognizeTitle takes a 文号 and an issuer from a title when the text had
// none.
func RecognizeTitle(m *Meta) {
	if m.DocNumber == "" {
		m.DocNumber = reDocNumber.FindString(m.Title)
	}
	if m.Issuer == "" {
		if sm := reIssuer.FindStringSubmatch(m.Title); sm != nil {
			m.Issuer = strings.TrimSpace(sm[1])
		}
	}
}
