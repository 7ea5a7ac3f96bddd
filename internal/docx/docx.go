// Package docx writes simple Word (.docx, Office Open XML) documents:
// headings, paragraphs and bordered tables, with Chinese fonts, enough for a
// report or a letter that an officer prints or attaches. It uses only the
// standard library.
package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Align is a paragraph's alignment.
type Align string

// Alignments.
const (
	Left   Align = "left"
	Center Align = "center"
	Right  Align = "right"
	Both   Align = "both"
)

// Doc is a document being written, block by block.
type Doc struct {
	body bytes.Buffer
}

// Run is a piece of text with its own look.
type Run struct {
	Text string
	Bold bool
	Size int // half-points; 0 is the default (小四, 24)
}

// Title adds a centred title in 二号 bold.
func (d *Doc) Title(text string) { d.Para(Center, Run{Text: text, Bold: true, Size: 44}) }

// Heading adds a bold line in 四号.
func (d *Doc) Heading(text string) { d.Para(Left, Run{Text: text, Bold: true, Size: 28}) }

// Text adds a plain paragraph; indent starts it with two characters'
// indent, as official letters do.
func (d *Doc) Text(text string, indent bool) {
	d.body.WriteString("<w:p><w:pPr>")
	if indent {
		d.body.WriteString(`<w:ind w:firstLineChars="200" w:firstLine="480"/>`)
	}
	d.body.WriteString(`<w:spacing w:line="360" w:lineRule="auto"/></w:pPr>`)
	writeRun(&d.body, Run{Text: text})
	d.body.WriteString("</w:p>")
}

// Para adds a paragraph of runs.
func (d *Doc) Para(align Align, runs ...Run) {
	fmt.Fprintf(&d.body, `<w:p><w:pPr><w:jc w:val="%s"/><w:spacing w:line="360" w:lineRule="auto"/></w:pPr>`, align)
	for _, r := range runs {
		writeRun(&d.body, r)
	}
	d.body.WriteString("</w:p>")
}

// Table adds a table with borders: the first row is the header (bold,
// repeated on each page); widths are in twentieths of a point per column
// (nil: equal); right lists the columns aligned right (figures).
func (d *Doc) Table(rows [][]string, widths []int, right map[int]bool) {
	if len(rows) == 0 {
		return
	}
	cols := len(rows[0])
	if widths == nil {
		for range cols {
			widths = append(widths, 9000/cols)
		}
	}
	b := &d.body
	b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders>`)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		fmt.Fprintf(b, `<w:%s w:val="single" w:sz="4" w:space="0" w:color="000000"/>`, side)
	}
	b.WriteString(`</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>`)
	for _, w := range widths {
		fmt.Fprintf(b, `<w:gridCol w:w="%d"/>`, w)
	}
	b.WriteString(`</w:tblGrid>`)
	for i, row := range rows {
		b.WriteString("<w:tr>")
		if i == 0 {
			b.WriteString(`<w:trPr><w:tblHeader/></w:trPr>`)
		}
		for c := range cols {
			text := ""
			if c < len(row) {
				text = row[c]
			}
			w := 0
			if c < len(widths) {
				w = widths[c]
			}
			align := Left
			if i == 0 {
				align = Center
			} else if right[c] {
				align = Right
			}
			fmt.Fprintf(b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr><w:p><w:pPr><w:jc w:val="%s"/></w:pPr>`, w, align)
			writeRun(b, Run{Text: text, Bold: i == 0, Size: 21})
			b.WriteString("</w:p></w:tc>")
		}
		b.WriteString("</w:tr>")
	}
	b.WriteString("</w:tbl>")
	d.Text("", false) // Word needs a paragraph after a table
}

func writeRun(b *bytes.Buffer, r Run) {
	b.WriteString(`<w:r><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="宋体" w:hint="eastAsia"/>`)
	if r.Bold {
		b.WriteString("<w:b/>")
	}
	size := r.Size
	if size == 0 {
		size = 24
	}
	fmt.Fprintf(b, `<w:sz w:val="%d"/><w:szCs w:val="%d"/></w:rPr>`, size, size)
	for i, line := range strings.Split(r.Text, "\n") {
		if i > 0 {
			b.WriteString("<w:br/>")
		}
		b.WriteString(`<w:t xml:space="preserve">`)
		xml.EscapeText(b, []byte(clean(line)))
		b.WriteString("</w:t>")
	}
	b.WriteString("</w:r>")
}

// clean drops characters XML 1.0 cannot carry.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r >= 0x20 && r != 0xFFFE && r != 0xFFFF && (r < 0xD800 || r > 0xDFFF) {
			return r
		}
		return -1
	}, s)
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`

const rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`

const docHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`

// A4 portrait, margins 2.54 cm / 3.17 cm (Word's default).
const docTail = `<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1800" w:bottom="1440" w:left="1800" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>`

// WriteTo writes the document as a .docx package; title goes into the
// file's properties.
func (d *Doc) WriteTo(w io.Writer, title string) error {
	z := zip.NewWriter(w)
	var core bytes.Buffer
	core.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>`)
	xml.EscapeText(&core, []byte(clean(title)))
	core.WriteString(`</dc:title></cp:coreProperties>`)
	parts := []struct {
		name string
		data []byte
	}{
		{"[Content_Types].xml", []byte(contentTypes)},
		{"_rels/.rels", []byte(rootRels)},
		{"docProps/core.xml", core.Bytes()},
		{"word/document.xml", append(append([]byte(docHead), d.body.Bytes()...), docTail...)},
	}
	for _, p := range parts {
		f, err := z.Create(p.name)
		if err != nil {
			return err
		}
		if _, err := f.Write(p.data); err != nil {
			return err
		}
	}
	return z.Close()
}

// Save writes the document to path (mode 0644) through a temporary file,
// so that a reader never sees half a file.
func (d *Doc) Save(path, title string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".~*.docx")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := d.WriteTo(tmp, title); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
