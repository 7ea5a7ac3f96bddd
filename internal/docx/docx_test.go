package docx_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incubot/incubot/internal/docx"
	"github.com/incubot/incubot/knowledge/docfile"
)

func sample() *docx.Doc {
	d := &docx.Doc{}
	d.Para(docx.Right, docx.Run{Text: "柳鱼科字〔2021〕3号"})
	d.Title("关于柳州创客城遗失固定资产赔偿的通知")
	d.Text("柳州爱创孵化器有限公司：<请> & “补齐”\x01", true)
	d.Table([][]string{{"序号", "名称", "原值（元）"}, {"1", "工业级3D打印机", "¥268,000.00"}, {"合计", "", "¥268,000.00"}}, nil, map[int]bool{2: true})
	d.Text("合计金额（大写）：人民币贰拾陆万捌仟元整", false)
	return d
}

// The knowledge package's own .docx reader reads back what was written:
// the title, the paragraphs (escaped characters intact) and the table.
func TestReadBack(t *testing.T) {
	var buf bytes.Buffer
	if err := sample().WriteTo(&buf, "关于柳州创客城遗失固定资产赔偿的通知"); err != nil {
		t.Fatal(err)
	}
	p, err := docfile.Parse(context.Background(), "notice.docx", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Tables) != 1 || len(p.Tables[0].Rows) != 3 || p.Tables[0].Rows[1][1] != "工业级3D打印机" || p.Tables[0].Rows[2][2] != "¥268,000.00" {
		t.Errorf("tables: %q", p.Tables)
	}
	for _, want := range []string{"柳州爱创孵化器有限公司：<请> & “补齐”", "贰拾陆万捌仟元整"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, p.Text)
		}
	}
	if p.Title != "关于柳州创客城遗失固定资产赔偿的通知" || p.DocNumber != "柳鱼科字〔2021〕3号" {
		t.Errorf("title %q, 文号 %q", p.Title, p.DocNumber)
	}
}

// LibreOffice opens the file as a Word document and prints it to PDF with
// the text in it.
func TestLibreOfficeOpensIt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "notice.docx")
	if err := sample().Save(path, "通知"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("saved: %v %v", fi, err)
	}
	out, err := exec.Command("soffice", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", "pdf", "--outdir", dir, path).CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	text, err := exec.Command("pdftotext", filepath.Join(dir, "notice.pdf"), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for _, want := range []string{"柳鱼科字", "打印机", "268,000.00", "贰拾陆万捌仟元整"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("PDF lacks %q:\n%s", want, text)
		}
	}
}
