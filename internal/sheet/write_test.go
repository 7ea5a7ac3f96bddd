package sheet_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/internal/sheet"
	"github.com/xuri/excelize/v2"
)

func testSheet() sheet.Sheet {
	day := time.Date(2019, 6, 18, 0, 0, 0, 0, time.Local)
	return sheet.Sheet{Name: "资产台账", Columns: []sheet.Column{
		{Title: "资产编号"}, {Title: "资产名称"}, {Title: "数量", Kind: sheet.Int, Total: true},
		{Title: "单价", Kind: sheet.Money}, {Title: "原值", Kind: sheet.Money, Total: true}, {Title: "购置日期", Kind: sheet.Date},
	}, Data: [][]any{
		{"CKC-001", "工业级3D打印机", 1, int64(26800000), int64(26800000), &day},
		{"CKC-052", "笔记本电脑", 2, int64(1280000), int64(2560000), (*time.Time)(nil)},
	}}
}

// An export is a real spreadsheet: numbers are numeric cells with a ¥
// format, quantities integers, dates date cells, the header frozen and
// filtered, columns wide enough for Chinese, a totals row, mode 0644.
func TestWriteTypedXLSX(t *testing.T) {
	path := filepath.Join(t.TempDir(), "台账.xlsx")
	if err := sheet.Write(path, []sheet.Sheet{testSheet()}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v, %v", st.Mode().Perm(), err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const s = "资产台账"
	typ := func(cell string) excelize.CellType {
		ct, err := f.GetCellType(s, cell)
		if err != nil {
			t.Fatal(err)
		}
		return ct
	}
	raw := func(cell string) string {
		v, err := f.GetCellValue(s, cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	shown := func(cell string) string {
		v, err := f.GetCellValue(s, cell)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	style := func(cell string) *excelize.Style {
		id, err := f.GetCellStyle(s, cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	numFmt := func(cell string) string {
		if st := style(cell); st.CustomNumFmt != nil {
			return *st.CustomNumFmt
		}
		return ""
	}
	for cell, want := range map[string]string{"C2": "1", "D2": "268000", "E3": "25600", "C4": "3", "E4": "293600"} {
		if typ(cell) != excelize.CellTypeUnset && typ(cell) != excelize.CellTypeNumber {
			t.Errorf("%s is not a number cell: %v", cell, typ(cell))
		}
		if raw(cell) != want {
			t.Errorf("%s holds %q, want %q", cell, raw(cell), want)
		}
	}
	if shown("D2") != "¥268,000.00" || !strings.Contains(numFmt("D2"), "¥") {
		t.Errorf("money shows as %q with format %q", shown("D2"), numFmt("D2"))
	}
	if shown("F2") != "2019-06-18" || raw("F2") != "43634" || numFmt("F2") != "yyyy-mm-dd" {
		t.Errorf("the date is a date cell: shown %q raw %q format %q", shown("F2"), raw("F2"), numFmt("F2"))
	}
	if shown("F3") != "" {
		t.Errorf("no date is an empty cell: %q", shown("F3"))
	}
	if shown("A4") != sheet.TotalLabel {
		t.Errorf("totals row label: %q", shown("A4"))
	}
	bold := func(cell string) bool {
		st := style(cell)
		return st.Font != nil && st.Font.Bold
	}
	if !bold("A1") || !bold("F1") || !bold("A4") || !bold("E4") || bold("E3") {
		t.Errorf("the header and the totals row are bold, the data not: A1 %v F1 %v A4 %v E4 %v E3 %v", bold("A1"), bold("F1"), bold("A4"), bold("E4"), bold("E3"))
	}
	if numFmt("E4") != numFmt("E3") {
		t.Errorf("a total keeps its column's format: %q, not %q", numFmt("E4"), numFmt("E3"))
	}
	panes, err := f.GetPanes(s)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("the header row is frozen: %+v %v", panes, err)
	}
	var filter string
	names := f.GetDefinedName()
	for _, n := range names {
		if n.Name == "_xlnm._FilterDatabase" {
			filter = n.RefersTo
		}
	}
	if !strings.Contains(filter, "$A$1:$F$3") {
		t.Errorf("the auto-filter covers the header and data, not the totals: %q", filter)
	}
	w, err := f.GetColWidth(s, "B")
	if err != nil || w < 16 {
		t.Errorf("a column of Chinese names is wide enough (工业级3D打印机 is 14 wide): %v %v", w, err)
	}
	if w, _ := f.GetColWidth(s, "A"); w > 12 {
		t.Errorf("a column of short codes stays narrow: %v", w)
	}
}

// CSV is UTF-8 with a BOM, numbers plain; several sheets become several
// files.
func TestWriteCSV(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "导出.csv")
	other := sheet.Sheet{Name: "其他", Rows: [][]string{{"甲", "乙"}, {"1", "二"}}}
	sheets := []sheet.Sheet{testSheet(), other}
	if err := sheet.Write(path, sheets); err != nil {
		t.Fatal(err)
	}
	paths := sheet.Paths(path, sheets)
	if len(paths) != 2 || filepath.Base(paths[0]) != "导出-资产台账.csv" {
		t.Fatalf("paths: %v", paths)
	}
	data, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("\ufeff资产编号,资产名称,数量,单价,原值,购置日期\r\n")) {
		t.Fatalf("header with BOM: %q", data[:60])
	}
	if !strings.Contains(string(data), "CKC-001,工业级3D打印机,1,268000.00,268000.00,2019-06-18\r\n") {
		t.Fatalf("plain numbers and dates: %q", data)
	}
	if st, _ := os.Stat(paths[1]); st.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v", st.Mode().Perm())
	}
	if err := sheet.Write(filepath.Join(dir, "x.xls"), sheets); err == nil {
		t.Fatal("only .xlsx and .csv are written")
	}
}
