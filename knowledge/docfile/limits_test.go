package docfile_test

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/knowledge/docfile"
)

// bombDocx is a small .docx whose document.xml inflates to n bytes.
func bombDocx(n int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("word/document.xml")
	w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`))
	para := []byte(strings.Repeat("<w:p><w:r><w:t>第一条 补助资金按规定拨付。</w:t></w:r></w:p>", 100))
	for written := 0; written < n; written += len(para) {
		w.Write(para)
	}
	w.Write([]byte(`</w:body></w:document>`))
	zw.Close()
	return buf.Bytes()
}

// garbage is random bytes without NULs, as a binary renamed .txt often is
// once its NULs are gone.
func garbage(n int) []byte {
	r := rand.New(rand.NewSource(1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(1 + r.Intn(255))
	}
	return b
}

// streamBombPDF is a PDF whose one page has a content stream that inflates
// to n bytes of text-drawing operators.
func streamBombPDF(n int) []byte {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	op := []byte(strings.Repeat("BT /F1 12 Tf 72 720 Td (aaaaaaaaaaaaaaaa) Tj ET\n", 1000))
	for written := 0; written < n; written += len(op) {
		zw.Write(op)
	}
	zw.Close()
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var buf bytes.Buffer
	buf.WriteString("%PDF-1.4\n")
	var offs []int
	for i, o := range objs {
		offs = append(offs, buf.Len())
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&buf, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	return buf.Bytes()
}

func refusalKind(err error) string {
	var r *docfile.Refusal
	if errors.As(err, &r) {
		return r.Kind
	}
	return ""
}

// Files that would exhaust memory or time are refused early, with a
// Chinese reason the officer can act on.
func TestHostileFilesAreRefused(t *testing.T) {
	dir := t.TempDir()
	zero := filepath.Join(dir, "zero.txt")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	_, err := docfile.ReadFile(zero, 20<<20)
	if refusalKind(err) != docfile.RefuseNotRegular || !strings.Contains(docfile.Explain(err), "不是普通文件") {
		t.Errorf("symlink to /dev/zero: %v", err)
	}
	big := filepath.Join(dir, "big.txt")
	os.WriteFile(big, bytes.Repeat([]byte("补助"), 1<<10), 0o644)
	if _, err := docfile.ReadFile(big, 1024); refusalKind(err) != docfile.RefuseTooLarge {
		t.Errorf("over the size limit: %v", err)
	}

	for _, c := range []struct {
		name string
		data []byte
		kind string
		says string
	}{
		{"bomb.docx", bombDocx(60 << 20), docfile.RefuseUnpacked, "解压后超过"},
		{"garbage.txt", garbage(200 << 10), docfile.RefuseNotText, "不是干净的文字"},
		// LibreOffice would import it as text.
		{"old.doc", []byte("binary"), docfile.RefuseDamaged, "扩展名可能改错了"},
		// pdftotext would take gigabytes and minutes: its memory limit
		// stops it (or, failing that, the deadline: ParseTimeout in use, a
		// shorter one here).
		{"bomb.pdf", streamBombPDF(400 << 20), docfile.RefuseDamaged, "读不出来"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			p, err := docfile.Parse(ctx, c.name, c.data)
			if k := refusalKind(err); k != c.kind && !(c.name == "bomb.pdf" && k == docfile.RefuseTimeout) {
				t.Fatalf("%d bytes: got %v (%v), want a %s refusal", len(c.data), err, p != nil, c.kind)
			}
			if msg := docfile.Explain(err); refusalKind(err) == c.kind && !strings.Contains(msg, c.says) {
				t.Errorf("the officer reads %q", msg)
			}
		})
	}
}

// Chinese text in GB18030 is still read; only text that decodes to
// rare characters and control codes is refused.
func TestCleanGB18030TextIsRead(t *testing.T) {
	gb := []byte{0xb5, 0xda, 0xd2, 0xbb, 0xcc, 0xf5, 0x20, 0xb2, 0xb9, 0xd6, 0xfa, 0xd7, 0xca, 0xbd, 0xf0, 0xa1, 0xa3, '\n'} // 第一条 补助资金。
	p, err := docfile.Parse(context.Background(), "gbk.txt", gb)
	if err != nil || !strings.Contains(p.Text, "第一条 补助资金。") {
		t.Fatalf("%v %+v", err, p)
	}
}

func TestMissingConverterNamesThePackage(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	ole := []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0}
	_, err := docfile.Parse(context.Background(), "a.doc", ole)
	if refusalKind(err) != docfile.RefuseToolMissing || !strings.Contains(docfile.Explain(err), "libreoffice-writer-nogui") {
		t.Fatalf("without soffice: %v", err)
	}
	_, err = docfile.Parse(context.Background(), "a.png", []byte("png"))
	if !strings.Contains(docfile.Explain(err), "tesseract-ocr") {
		t.Fatalf("without tesseract: %v", err)
	}
}
