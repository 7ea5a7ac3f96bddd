package docfile

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/incubot/incubot/knowledge/corpus"
)

// docxPara is one of a Word document's first paragraphs, with what marks a
// title: its style's name and its alignment.
type docxPara struct {
	text    string
	style   string // lower-case style name: "title", "heading 1" …
	centred bool
}

// readDocx reads the paragraphs and tables of a Word document, every part
// read through a bounded reader (a decompression bomb stops at
// MaxUnpacked), and the title the document marks: title lines by style or
// centring, and the title of its core properties.
func readDocx(ctx context.Context, data []byte) (text string, tables []Table, found []string, core string, err error) {
	ctx, cancel := context.WithTimeout(ctx, ParseTimeout)
	defer cancel()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", nil, nil, "", Refuse(RefuseDamaged, corpus.ErrInvalid, "不是有效的 .docx")
	}
	parts := map[string]*zip.File{}
	for _, f := range zr.File {
		parts[f.Name] = f
	}
	doc := parts["word/document.xml"]
	if doc == nil {
		return "", nil, nil, "", Refuse(RefuseDamaged, corpus.ErrInvalid, "缺少 word/document.xml")
	}
	styles := map[string]string{}
	if f := parts["word/styles.xml"]; f != nil {
		if styles, err = docxStyles(ctx, f); err != nil {
			return "", nil, nil, "", err
		}
	}
	if f := parts["docProps/core.xml"]; f != nil {
		if core, err = docxCoreTitle(ctx, f); err != nil {
			return "", nil, nil, "", err
		}
	}
	var first []docxPara
	text, tables, first, err = docxBody(ctx, doc, styles)
	if err != nil {
		return "", nil, nil, "", err
	}
	return text, tables, styledTitle(first), core, nil
}

// isDocx reports whether data is a zip holding word/document.xml.
func isDocx(data []byte) bool {
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return false
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return false
	}
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			return true
		}
	}
	return false
}

// openPart opens a part of an office file for reading, bounded.
func openPart(ctx context.Context, f *zip.File) (io.ReadCloser, io.Reader, error) {
	if f.UncompressedSize64 > MaxUnpacked {
		return nil, nil, Refuse(RefuseUnpacked, corpus.ErrTooLarge, SizeText(MaxUnpacked))
	}
	rc, err := f.Open()
	if err != nil {
		return nil, nil, Refuse(RefuseDamaged, corpus.ErrInvalid, f.Name)
	}
	return rc, &boundedReader{ctx: ctx, r: rc, max: MaxUnpacked}, nil
}

// xmlError keeps a refusal raised by the bounded reader, and calls any
// other decoding error damage.
func xmlError(err error, part string) error {
	var r *Refusal
	if errors.As(err, &r) {
		return r
	}
	return Refuse(RefuseDamaged, corpus.ErrInvalid, part+" 的 XML 有误")
}

// docxStyles maps style ids to lower-case style names. Word writes the
// built-in names in English ("heading 1", "Title") whatever the language,
// while the ids are localised ("1", "a3" in Chinese Word).
func docxStyles(ctx context.Context, f *zip.File) (map[string]string, error) {
	rc, r, err := openPart(ctx, f)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	out := map[string]string{}
	dec := xml.NewDecoder(r)
	id := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, xmlError(err, "styles.xml")
		}
		if t, ok := tok.(xml.StartElement); ok {
			switch t.Name.Local {
			case "style":
				id = attr(t, "styleId")
			case "name":
				if id != "" {
					out[id] = strings.ToLower(attr(t, "val"))
				}
			}
		}
	}
}

// docxCoreTitle reads dc:title from the core properties.
func docxCoreTitle(ctx context.Context, f *zip.File) (string, error) {
	rc, r, err := openPart(ctx, f)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	dec := xml.NewDecoder(r)
	in := false
	var b strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return strings.TrimSpace(b.String()), nil
		}
		if err != nil {
			return "", xmlError(err, "core.xml")
		}
		switch t := tok.(type) {
		case xml.StartElement:
			in = t.Name.Local == "title"
		case xml.EndElement:
			in = false
		case xml.CharData:
			if in {
				b.Write(t)
			}
		}
	}
}

func attr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// docxBody reads the body: paragraphs as lines, tables row by row, and the
// first paragraphs with their style and alignment.
func docxBody(ctx context.Context, f *zip.File, styles map[string]string) (string, []Table, []docxPara, error) {
	rc, r, err := openPart(ctx, f)
	if err != nil {
		return "", nil, nil, err
	}
	defer rc.Close()
	dec := xml.NewDecoder(r)
	var text strings.Builder
	var tables []Table
	var first []docxPara
	var para strings.Builder
	var style string
	var centred, field bool
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
			return "", nil, nil, xmlError(err, "document.xml")
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "p":
				style, centred = "", false
			case "pStyle":
				style = styles[attr(t, "val")]
				if style == "" {
					style = strings.ToLower(attr(t, "val"))
				}
			case "jc":
				centred = attr(t, "val") == "center"
			case "instrText", "delText":
				field = true // field codes and deleted text are not the document's text
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
			if !field {
				para.Write(t)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "instrText", "delText":
				field = false
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
					if len(first) < 8 {
						first = append(first, docxPara{text: s, style: style, centred: centred})
					}
				}
				if text.Len() > MaxTextBytes {
					return "", nil, nil, Refuse(RefuseTooMuchText, corpus.ErrTooLarge, SizeText(MaxTextBytes))
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
	return text.String(), tables, first, nil
}

// styledTitle picks the title lines a Word document marks: paragraphs in
// the Title style; else a first paragraph in Heading 1 (what pandoc makes
// of "# 标题"); else the centred paragraphs at the top, as government
// documents set their titles.
func styledTitle(ps []docxPara) []string {
	var out []string
	for _, p := range ps {
		if p.style == "title" || p.style == "标题" {
			out = append(out, p.text)
		} else if len(out) > 0 {
			return out
		}
	}
	if len(out) > 0 {
		return out
	}
	i := 0
	for i < len(ps) && isTitleNoise(ps[i].text) {
		i++
	}
	if i < len(ps) && (ps[i].style == "heading 1" || ps[i].style == "标题 1") && !reStarts.MatchString(ps[i].text) {
		return []string{ps[i].text}
	}
	for ; i < len(ps) && ps[i].centred && len(out) < 3; i++ {
		t := ps[i].text
		if isDocNumberLine(t) || reStarts.MatchString(t) || strings.ContainsAny(t, "。；，") || utf8.RuneCountInString(t) > 60 {
			break
		}
		out = append(out, t)
	}
	return out
}
