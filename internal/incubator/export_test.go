package incubator

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/incubot/incubot/internal/sheet"
	"github.com/xuri/excelize/v2"
)

// The exported register is a real spreadsheet and reads back as the same
// register: 101 assets, their prices and purchase dates, the totals row
// not taken for an asset.
func TestExportedRegisterReadsBack(t *testing.T) {
	reg := DemoRegister()
	for i := range reg {
		reg[i].Incubator = DemoIncubator
	}
	now := time.Date(2026, 5, 12, 9, 30, 0, 0, time.Local)
	status := []StatusReport{{Incubator: DemoIncubator, Period: "2026-04", Tenants: 12, NewTenants: 2, Events: 3, FinancingWan: 8050, SubmittedAt: now}}
	path := filepath.Join(t.TempDir(), "export.xlsx")
	if err := sheet.Write(path, ExportSheets(reg, nil, status)); err != nil {
		t.Fatal(err)
	}
	tb, err := sheet.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	back, problems := ParseRegister(tb)
	if len(problems) > 0 || len(back) != len(reg) {
		t.Fatalf("%d assets back, problems %v", len(back), problems)
	}
	for i := range reg {
		a, b := reg[i], back[i]
		if a.Code != b.Code || a.UnitPrice != b.UnitPrice || a.Quantity != b.Quantity || !sameDate(a.PurchasedOn, b.PurchasedOn) {
			t.Fatalf("%s came back as %+v", a.Code, b)
		}
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var total int64
	for _, a := range reg {
		total += a.Value()
	}
	last := len(reg) + 2
	if v, _ := f.GetCellValue("资产台账", "H"+strconv.Itoa(last), excelize.Options{RawCellValue: true}); v != Wan(total) && v+".00" != Wan(total) {
		t.Errorf("the totals row sums the values: %s, want %s", v, Wan(total))
	}
	if v, _ := f.GetCellValue("运行情况", "I2", excelize.Options{RawCellValue: true}); v != "80.5" {
		t.Errorf("financing is a number of 万元: %q", v)
	}
	if v, _ := f.GetCellValue("运行情况", "M2"); v != "2026-05-12 09:30" {
		t.Errorf("the submission time is a date-time cell: %q", v)
	}
}

func sameDate(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Format(time.DateOnly) == b.Format(time.DateOnly)
}

// BenchmarkExport10000 writes a register of 10,000 assets with its totals.
func BenchmarkExport10000(b *testing.B) {
	demo := DemoRegister()
	reg := make([]Asset, 0, 10000)
	for i := 0; len(reg) < 10000; i++ {
		a := demo[i%len(demo)]
		a.Code = "BIG-" + strconv.Itoa(i)
		a.Incubator = DemoIncubator
		reg = append(reg, a)
	}
	dir := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := sheet.Write(filepath.Join(dir, "big.xlsx"), []sheet.Sheet{AssetSheet(reg)}); err != nil {
			b.Fatal(err)
		}
	}
}
