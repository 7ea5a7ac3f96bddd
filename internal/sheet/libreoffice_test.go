package sheet

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// Numbers stay numbers, money is yuan in a ¥ format, dates are dates, an
// empty cell stays empty, the header is frozen and filtered, and
// LibreOffice reads it all back.
func TestWriteReadByLibreOffice(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "盘点.xlsx")
	day := time.Date(2021, 1, 22, 0, 0, 0, 0, time.UTC)
	err := Write(path, []Sheet{
		{Name: "明细", Columns: []Column{{Title: "资产编号"}, {Title: "名称"}, {Title: "数量", Kind: Int}, {Title: "原值", Kind: Money}, {Title: "盘点日期", Kind: Date}},
			Data: [][]any{
				{"CKC-001", "工业级3D打印机", 1, int64(26800000), day},
				{"CKC-002", "工业级3D打印机", 2, int64(12345), (*time.Time)(nil)},
				{"CKC-003", "桌椅", 1, nil, nil},
			}},
		{Name: "空表", Columns: []Column{{Title: "序号", Kind: Int}, {Title: "描述"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("file: %v %v", fi, err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for cell, want := range map[string]string{"C2": "1", "D2": "268000", "D3": "123.45"} {
		raw, _ := f.GetCellValue("明细", cell, excelize.Options{RawCellValue: true})
		if typ, _ := f.GetCellType("明细", cell); raw != want || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
			t.Errorf("%s: %q (type %v), want the number %s", cell, raw, typ, want)
		}
	}
	if v, _ := f.GetCellValue("明细", "D2"); v != "¥268,000.00" {
		t.Errorf("D2 shows %q", v)
	}
	if v, _ := f.GetCellValue("明细", "D4"); v != "" {
		t.Errorf("an unknown value shows as %q, not empty", v)
	}
	if v, _ := f.GetCellValue("明细", "E2"); v != "2021-01-22" {
		t.Errorf("E2 shows %q", v)
	}
	if panes, _ := f.GetPanes("明细"); !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes: %+v", panes)
	}
	if w, _ := f.GetColWidth("明细", "B"); w < 14 {
		t.Errorf("column B is %.1f wide for 工业级3D打印机", w)
	}
	out, err := exec.Command("soffice", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true", "--outdir", dir, path).CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "盘点.csv"))
	if !strings.Contains(string(csv), "CKC-001,工业级3D打印机,1,") || !strings.Contains(string(csv), `"¥268,000.00",2021-01-22`) {
		t.Errorf("LibreOffice reads:\n%s", csv)
	}
}
