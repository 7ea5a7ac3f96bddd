package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// incubot report summary --period 2026H1: the half-year figures per
// incubator, as JSON and as a spreadsheet with numeric cells and totals.
func TestReportSummaryHalfYear(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	figures := filepath.Join(dir, "figures.csv")
	os.WriteFile(figures, []byte("期间,在孵企业数,新增入孵,毕业企业,举办活动场次,服务企业人次,专利申请数,获得融资额,就业人数,备注\n"+
		"2026-01,20,2,0,3,100,1,50,60,\n2026-06,24,4,1,5,120,2,30.5,70,\n2026-07,30,6,0,1,10,0,0,75,\n"), 0o600)
	if out, _, err := c.run("", "report", "import", figures, "--incubator", "创客城"); err != nil {
		t.Fatalf("%q %v", out, err)
	}
	out, _, err := c.run("", "report", "summary", "--period", "2026年上半年", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 1 {
		t.Fatalf("%q %v", out, err)
	}
	r := rows[0]
	if r["孵化器"] != "创客城" || r["在孵企业（期末）"] != "24" || r["新增入孵"] != "6" || r["获得融资（万元）"] != "80.50" || r["就业人数（期末）"] != "70" {
		t.Fatalf("half-year figures: %v", r)
	}
	xlsx := filepath.Join(dir, "半年.xlsx")
	if out, _, err := c.run("", "report", "summary", "--period", "2026H1", "-o", xlsx); err != nil || !strings.Contains(out, "1 incubators") {
		t.Fatalf("%q %v", out, err)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheetName := f.GetSheetName(0)
	if sheetName != "2026年上半年汇总" {
		t.Fatalf("sheet %q", sheetName)
	}
	if v, _ := f.GetCellValue(sheetName, "D2", excelize.Options{RawCellValue: true}); v != "6" {
		t.Fatalf("新增入孵 is a number: %q", v)
	}
	if v, _ := f.GetCellValue(sheetName, "A3"); v != "合计" {
		t.Fatalf("totals row: %q", v)
	}
	if _, _, err := c.run("", "report", "summary", "--period", "2026H3"); err == nil {
		t.Fatal("a bad period is refused")
	}
}
