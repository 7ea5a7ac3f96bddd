package knowledge

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Parsed is a document's text and the metadata found in it.
type Parsed struct {
	Meta
	Text   string
	Tables []Table
	Hash   string // sha256 of the file's bytes
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

// SupportedExtensions are the file types Parse reads.
var SupportedExtensions = []string{".txt", ".md", ".markdown", ".docx", ".pdf"}

// Parse reads a document of a supported type. The metadata comes from a
// front-matter block, a first line "# 标题", a "source:" line, and patterns
// in the first lines (文号, 施行日期, 有效期).
func Parse(name string, data []byte) (*Parsed, error) {
	sum := sha256.Sum256(data)
	p := &Parsed{Hash: hex.EncodeToString(sum[:])}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: the file is empty", ErrNoText)
	}
	var err error
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".txt", ".md", ".markdown":
		p.Text, err = decodeText(data)
	case ".docx":
		p.Text, p.Tables, err = parseDocx(data)
	case ".pdf":
		p.Text, err = parsePDF(data)
	case ".doc", ".wps":
		return nil, fmt.Errorf("%w: %s (old Word format): save it as .docx and add that", ErrUnsupported, ext)
	default:
		return nil, fmt.Errorf("%w: %q; supported: %s", ErrUnsupported, ext, strings.Join(SupportedExtensions, ", "))
	}
	if err != nil {
		return nil, err
	}
	p.Text = strings.ReplaceAll(p.Text, "\r\n", "\n")
	p.Text = p.extractHeader(p.Text)
	if strings.TrimSpace(p.Text) == "" && len(p.Tables) == 0 {
		return nil, fmt.Errorf("%w: the file holds no text", ErrNoText)
	}
	p.Meta.Merge(Recognize(p.Text))
	if p.Title == "" {
		base := filepath.Base(name)
		p.Title = strings.TrimSuffix(base, filepath.Ext(base))
	}
	return p, nil
}

func decodeText(data []byte) (string, error) {
	if bytes.IndexByte(data, 0) >= 0 {
		return "", fmt.Errorf("%w: the file is binary, not text", ErrInvalid)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return string(data), nil
	}
	// Many Chinese office files are saved as GB18030/GBK.
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || !utf8.Valid(out) {
		return "", fmt.Errorf("%w: the text is neither UTF-8 nor GB18030", ErrInvalid)
	}
	return string(out), nil
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
			p.EffectiveOn = parseDate(v)
		case "expires", "expires_on", "expiry", "失效日期", "有效期至":
			p.ExpiresOn = parseDate(v)
		}
	}
}

var (
	reDocNumber = regexp.MustCompile(`[\p{Han}]{1,12}[〔\[［【(（]\d{4}[〕\]］】)）]\d{1,4}号|(?:\p{Han}{1,12} )*\p{Han}{0,20}公告\d{4}年第\d{1,4}号|\p{Han}{0,8}令第\d{1,4}号|第\d{1,4}号令`)
	reDate      = `(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日`
	thisDoc     = `本(?:办法|通知|规定|细则|公告|条例|措施|意见|政策|方案)`
	reEffective = regexp.MustCompile(`自` + reDate + `起(?:施行|执行|实施|生效)`)
	// Only the document's own term counts: "自…起废止" in a text usually
	// repeals an older document, not this one.
	// and so does a 有效期 of something else (a certificate's, say): only
	// one that 本办法/本通知… gives itself.
	reExpires  = regexp.MustCompile(thisDoc + `[^。]{0,24}?有效期(?:至|到)` + reDate)
	reValidFor = regexp.MustCompile(thisDoc + `[^。]{0,24}?有效期(?:为)?([一二三四五六七八九十两\d]+)年`)
	reIssuer   = regexp.MustCompile(`^([\p{Han}、 ]{2,60}?)关于`)
	reDateISO  = regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$`)
	reDateZH   = regexp.MustCompile(`^` + reDate + `$`)
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
			m.DocNumber = s
			break
		}
	}
	if len(lines) > 0 {
		if sm := reIssuer.FindStringSubmatch(lines[0]); sm != nil {
			m.Issuer = strings.TrimSpace(sm[1])
		}
	}
	if sm := reEffective.FindStringSubmatch(text); sm != nil {
		m.EffectiveOn = ymd(sm[1], sm[2], sm[3])
	}
	if sm := reExpires.FindStringSubmatch(text); sm != nil {
		m.ExpiresOn = ymd(sm[1], sm[2], sm[3])
	} else if sm := reValidFor.FindStringSubmatch(text); sm != nil && m.EffectiveOn != nil {
		if years := chineseNumber(sm[1]); years > 0 {
			end := m.EffectiveOn.AddDate(years, 0, -1)
			m.ExpiresOn = &end
		}
	}
	return m
}

// chineseNumber reads 3, 三 or 十 (small numbers as in 有效期三年).
func chineseNumber(s string) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	digits := map[rune]int{'一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	rs := []rune(s)
	switch {
	case len(rs) == 1 && rs[0] == '十':
		return 10
	case len(rs) == 1:
		return digits[rs[0]]
	case len(rs) == 2 && rs[0] == '十':
		return 10 + digits[rs[1]]
	}
	return 0
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

func ymd(y, mo, d string) *time.Time {
	t, err := time.Parse("2006-1-2", y+"-"+mo+"-"+d)
	if err != nil {
		return nil
	}
	return &t
}

func parseDate(s string) *time.Time {
	s = strings.TrimSpace(s)
	if m := reDateISO.FindStringSubmatch(s); m != nil {
		return ymd(m[1], m[2], m[3])
	}
	if m := reDateZH.FindStringSubmatch(s); m != nil {
		return ymd(m[1], m[2], m[3])
	}
	return nil
}

// ParseDate reads 2026-01-31, 2026/1/31 or 2026年1月31日.
func ParseDate(s string) (time.Time, error) {
	if t := parseDate(s); t != nil {
		return *t, nil
	}
	return time.Time{}, fmt.Errorf("%w: %q is not a date (YYYY-MM-DD)", ErrInvalid, s)
}

// parseDocx reads the paragraphs and tables of a Word document.
func parseDocx(data []byte) (string, []Table, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", nil, fmt.Errorf("%w: not a valid .docx (damaged zip)", ErrInvalid)
	}
	var doc *zip.File
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			doc = f
		}
	}
	if doc == nil {
		return "", nil, fmt.Errorf("%w: not a valid .docx (no word/document.xml)", ErrInvalid)
	}
	rc, err := doc.Open()
	if err != nil {
		return "", nil, fmt.Errorf("%w: not a valid .docx: %v", ErrInvalid, err)
	}
	defer rc.Close()
	dec := xml.NewDecoder(io.LimitReader(rc, 64<<20))
	var text strings.Builder
	var tables []Table
	var para strings.Builder
	var lastPara string
	depth := 0 // table nesting
	var row []string
	var cell strings.Builder
	var tbl *Table
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", nil, fmt.Errorf("%w: not a valid .docx (bad XML)", ErrInvalid)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "tbl":
				depth++
				if depth == 1 {
					tbl = &Table{Caption: lastPara}
				}
			case "tr":
				if depth == 1 {
					row = nil
				}
			case "tc":
				if depth == 1 {
					cell.Reset()
				}
			case "tab":
				para.WriteString("\t")
			case "br":
				para.WriteString("\n")
			}
		case xml.CharData:
			para.Write(t)
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
			case "p":
				s := strings.TrimSpace(para.String())
				para.Reset()
				if depth > 0 {
					if cell.Len() > 0 && s != "" {
						cell.WriteString(" ")
					}
					cell.WriteString(s)
				} else if s != "" {
					text.WriteString(s + "\n")
					lastPara = s
				}
			case "tc":
				if depth == 1 {
					row = append(row, cell.String())
				}
			case "tr":
				if depth == 1 && tbl != nil {
					tbl.Rows = append(tbl.Rows, row)
				}
			case "tbl":
				if depth == 1 && tbl != nil && len(tbl.Rows) > 0 {
					tables = append(tables, *tbl)
				}
				depth--
			}
		}
	}
	return text.String(), tables, nil
}

// parsePDF extracts a PDF's text layer. A scan has none.
func parsePDF(data []byte) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: the PDF could not be read (damaged or encrypted)", ErrInvalid)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("%w: the PDF could not be read (damaged or encrypted)", ErrInvalid)
	}
	var b strings.Builder
	for i := 1; i <= r.NumPage(); i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		rows, err := p.GetTextByRow()
		if err != nil {
			return "", fmt.Errorf("%w: page %d of the PDF could not be read", ErrInvalid, i)
		}
		for _, row := range rows {
			for _, w := range row.Content {
				b.WriteString(w.S)
			}
			b.WriteString("\n")
		}
	}
	if strings.TrimSpace(b.String()) == "" {
		return "", fmt.Errorf("%w: the PDF has no text layer (a scan?): please provide a text version (.docx, .txt or a text PDF)", ErrNoText)
	}
	return b.String(), nil
}
