package incubator

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/internal/sheet"
	"github.com/xuri/excelize/v2"
)

// csvTable reads text as a .csv file, the way an officer's file is read.
func csvTable(t *testing.T, text string) *sheet.Table {
	t.Helper()
	p := filepath.Join(t.TempDir(), "register.csv")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	tb, err := sheet.Read(p)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func problemText(ps []Problem) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.String())
	}
	return strings.Join(s, "\n")
}

// Finding 12 of issue 12: 数量 2147483647 and 单价 99999999999 were
// accepted, and then every sum of the register overflowed.
func TestRegisterRefusesFiguresBeyondTheirBounds(t *testing.T) {
	tb := csvTable(t, "资产编号,资产名称,数量,单价,原值\n"+
		"A-001,投影仪,2147483647,99999999999,\n"+
		"A-002,打印机,1,99999999999,\n"+
		"A-003,服务器,1000,5000000,\n"+
		"A-004,台式电脑,99999999999999999999,100,\n"+
		"A-005,空调,,,1e30\n"+
		"A-006,LED显示屏,,,99999999999999999999\n"+
		"A-007,笔记本电脑,10,12800,\n")
	assets, problems := ParseRegister(tb)
	if assets != nil {
		t.Fatalf("a register with bad rows must give nothing, got %d assets", len(assets))
	}
	got := problemText(problems)
	for _, want := range []string{
		"第2行「数量」：“2147483647”超过上限100000，请核对",
		"第3行「单价」：“99999999999”超过上限¥100,000,000.00，请核对",
		"第4行「原值」：数量×单价为¥5,000,000,000.00，超过上限¥1,000,000,000.00，请核对",
		"第5行「数量」：“99999999999999999999”超过上限100000",
		"第6行「原值」：“1e30”不是有效金额",
		"第7行「原值」：“99999999999999999999”超过上限¥1,000,000,000.00",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "第8行") {
		t.Errorf("a good row is not a problem:\n%s", got)
	}
	// At the bounds themselves a row is accepted.
	tb = csvTable(t, "资产编号,资产名称,数量,单价\nA-001,投影仪,10,100000000\nA-002,椅子,100000,10000\n")
	if assets, problems := ParseRegister(tb); len(problems) > 0 || len(assets) != 2 || assets[0].Value() != MaxValue {
		t.Fatalf("rows at the bounds: %v %s", assets, problemText(problems))
	}
}

func TestAssetValueNeverWraps(t *testing.T) {
	a := Asset{Code: "X-1", Name: "x", Quantity: 2147483647, UnitPrice: 9999999999900}
	if v := a.Value(); v <= 0 {
		t.Fatalf("a value beyond int64 must stop at the largest, not wrap: %d", v)
	}
	if err := a.Validate(); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "数量不能超过100000") {
		t.Fatalf("Validate: %v", err)
	}
	a.Quantity = 1
	if err := a.Validate(); err == nil || !strings.Contains(err.Error(), "单价不能超过¥100,000,000.00") {
		t.Fatalf("Validate: %v", err)
	}
}

func TestParseYuanIsExact(t *testing.T) {
	for in, want := range map[string]int64{"0.29": 29, "1.15": 115, "12,800": 1280000, "1.2万": 1200000, "0.01万": 10000, "007": 700} {
		if got, err := ParseYuan(in); err != nil || got != want {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"99999999999999999999", "100000000000000", "1000000000000万"} {
		if _, err := ParseYuan(in); !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseYuan(%q): want ErrTooLarge, got %v", in, err)
		}
	}
}

// Finding 14 of issue 12: DUP-002, dup-002, DUP-002 with a zero-width space
// and ＤＵＰ－００２ imported as four assets.
func TestAssetCodesAreOneCodeWhateverTheirSpelling(t *testing.T) {
	for in, want := range map[string]string{
		"DUP-002": "DUP-002", "dup-002": "DUP-002", "DUP-002\u200b": "DUP-002", "\ufeffDUP\u200d-002": "DUP-002",
		"ＤＵＰ－００２": "DUP-002", "DUP—002": "DUP-002", " DUP-002\t": "DUP-002", "ckc\u00a0 001": "CKC 001", "A\x1b[31m-1": "A[31M-1",
	} {
		if got := CodeKey(in); got != want {
			t.Errorf("CodeKey(%q) = %q, want %q", in, got, want)
		}
	}
	if got := CleanCode("ＤＵＰ－００２\u200b"); got != "DUP-002" {
		t.Errorf("the stored code is the clean one: %q", got)
	}
	tb := csvTable(t, "资产编号,资产名称,单价\nDUP-002,投影仪,1\ndup-002,投影仪,1\nDUP-002\u200b,投影仪,1\nＤＵＰ－００２,投影仪,1\n")
	_, problems := ParseRegister(tb)
	got := problemText(problems)
	for _, want := range []string{"第3行「资产编号」：“dup-002”与第2行重复", "第4行「资产编号」：“DUP-002”与第2行重复", "第5行「资产编号」：“DUP-002”与第2行重复"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
}

// Issue 14: the usual title row above the header made the register fail
// with "缺少必需的列「资产编号」".
func TestRegisterHeaderBelowTitleRows(t *testing.T) {
	tb := csvTable(t, "青秀众创空间固定资产台账,,,\n编制单位：青秀众创空间,,,2026年10月\n,,,\n序号,资产编号,资产名称,单价（元）,存放地点\n1,QX-001,投影仪,18600,三楼会议室\n2,QX-002,打印机,abc,文印室\n")
	_, problems := ParseRegister(tb)
	if got := problemText(problems); got != "第6行「单价」：“abc”不是有效金额" {
		t.Fatalf("the header is row 4, so the bad row is row 6: %s", got)
	}
	tb = csvTable(t, "青秀众创空间固定资产台账,,,\n序号,资产编号,资产名称,单价（元）,存放地点\n1,QX-001,投影仪,18600,三楼会议室\n")
	assets, problems := ParseRegister(tb)
	if len(problems) > 0 || len(assets) != 1 || assets[0].Code != "QX-001" || assets[0].UnitPrice != 1860000 || assets[0].Location != "三楼会议室" {
		t.Fatalf("register under a title: %+v %s", assets, problemText(problems))
	}
}

func TestMissingColumnNamesTheRowReadAsHeader(t *testing.T) {
	tb := csvTable(t, "青秀众创空间固定资产台账\n设备,价格\n投影仪,18600\n")
	_, problems := ParseRegister(tb)
	got := problemText(problems)
	for _, want := range []string{"缺少必需的列「资产编号」（读作表头的是第1行：青秀众创空间固定资产台账）", "缺少必需的列「资产名称」"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
	tb = csvTable(t, "台账\n编号,名称,备注\nX-1,投影仪,\n")
	_, problems = ParseRegister(tb)
	if got := problemText(problems); !strings.Contains(got, "缺少「单价」或「原值」列（读作表头的是第2行：编号｜名称｜备注）") {
		t.Errorf("a header with the codes but no price: %s", got)
	}
}

func TestParseDaySpellings(t *testing.T) {
	d := func(y, m, dd int) time.Time { return time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC) }
	for in, want := range map[string]time.Time{
		"2019-03-01": d(2019, 3, 1), "2019/3/1": d(2019, 3, 1), "2019.3.1": d(2019, 3, 1), "2019年3月1日": d(2019, 3, 1),
		"2019年3月": d(2019, 3, 1), "2019-03": d(2019, 3, 1), "二〇一九年三月一日": d(2019, 3, 1), "二零一九年十二月三十一日": d(2019, 12, 31),
		"二〇二〇年十月": d(2020, 10, 1), "20190301": d(2019, 3, 1), "3/1/2019": d(2019, 3, 1), "25/12/2019": d(2019, 12, 25),
		"2019/03/01 00:00:00": d(2019, 3, 1), "2019-03-01 14:30": d(2019, 3, 1), "43525": d(2019, 3, 1), " 2019年3月1日 ": d(2019, 3, 1),
	} {
		got, err := ParseDay(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseDay(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"2019-02-30", "2019-13-01", "20191301", "二〇一九年十三月", "03-01-19", "明年", "13/13/2019", "1850-01-01", ""} {
		if got, err := ParseDay(bad); err == nil {
			t.Errorf("ParseDay(%q) = %v, want an error", bad, got)
		}
	}
}

// Issue 14: Excel date cells (number formats 14 and 22) came out as
// "03-01-19" and the whole register was refused.
func TestRegisterExcelDateCells(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	sh := "Sheet1"
	f.SetSheetRow(sh, "A1", &[]any{"青秀众创空间固定资产台账"})
	f.SetSheetRow(sh, "A2", &[]any{"资产编号", "资产名称", "单价", "购置日期"})
	serial := 43525.0 // 2019-03-01
	f.SetSheetRow(sh, "A3", &[]any{"QX-001", "投影仪", 18600, serial})
	f.SetSheetRow(sh, "A4", &[]any{"QX-002", "打印机", 5200.5, serial + 0.5})
	f.SetSheetRow(sh, "A5", &[]any{"QX-003", "服务器", 86000, serial + 31})
	f.SetSheetRow(sh, "A6", &[]any{"QX-004", "空调", 4200, "2019年3月"})
	f.SetSheetRow(sh, "A7", &[]any{7, "椅子", 300})
	styles := map[string]*excelize.Style{"D3": {NumFmt: 14}, "D4": {NumFmt: 22}, "C3": {NumFmt: 4}, "C4": {NumFmt: 4}}
	custom, zeros := "yyyy年m月d日", "000"
	styles["D5"] = &excelize.Style{CustomNumFmt: &custom}
	styles["A7"] = &excelize.Style{CustomNumFmt: &zeros} // a numeric code shown with its zeros
	for cell, st := range styles {
		id, err := f.NewStyle(st)
		if err != nil {
			t.Fatal(err)
		}
		f.SetCellStyle(sh, cell, cell, id)
	}
	p := filepath.Join(t.TempDir(), "register.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	tb, err := sheet.Read(p)
	if err != nil {
		t.Fatal(err)
	}
	assets, problems := ParseRegister(tb)
	if len(problems) > 0 {
		t.Fatalf("problems: %s", problemText(problems))
	}
	want := []struct {
		day  string
		fen  int64
		code string
	}{{"2019-03-01", 1860000, "QX-001"}, {"2019-03-01", 520050, "QX-002"}, {"2019-04-01", 8600000, "QX-003"}, {"2019-03-01", 420000, "QX-004"}}
	if len(assets) != 5 || assets[4].Code != "007" || assets[4].UnitPrice != 30000 || assets[4].PurchasedOn != nil {
		t.Fatalf("a numeric code keeps the zeros its format shows: %+v", assets[len(assets)-1])
	}
	for i, w := range want {
		a := assets[i]
		if a.Code != w.code || a.PurchasedOn == nil || a.PurchasedOn.Format(time.DateOnly) != w.day || a.UnitPrice != w.fen {
			t.Errorf("row %d: %s %v %d; want %+v", i+3, a.Code, a.PurchasedOn, a.UnitPrice, w)
		}
	}
}

// Status reports: every count and amount has a bound, named in the reply.
func TestStatusFiguresHaveBounds(t *testing.T) {
	count, money := Fields[0], Fields[6]
	if _, err := ParseField(count, "99999999999999999999"); err == nil || !strings.Contains(err.Error(), "在孵企业数不能超过1000000家") {
		t.Errorf("an enormous count: %v", err)
	}
	if v, err := ParseField(count, "1000000"); err != nil || v != "1000000" {
		t.Errorf("the bound itself: %q %v", v, err)
	}
	if _, err := ParseField(money, "99999999999"); err == nil || !strings.Contains(err.Error(), "获得融资额不能超过1000000万元") {
		t.Errorf("enormous financing: %v", err)
	}
	if _, err := (Values{"tenants": "2147483648", "new_tenants": "0", "graduated": "0", "events": "0", "served": "0", "patents": "0", "financing": "0", "jobs": "0"}).Build("2026-10"); err == nil {
		t.Error("Build must refuse a count beyond the bound too")
	}
	tb := csvTable(t, "创客城运行情况报表\n期间,在孵企业数,新增入孵,毕业企业,举办活动场次,服务企业人次,专利申请数,获得融资额,就业人数,备注\n"+
		"2026-09,20,2,1,6,150,3,80.5,60,\n2026-10,2147483648,2,1,6,150,3,99999999999,60,\n")
	reports, problems := ParseStatusSheet(tb)
	got := problemText(problems)
	if reports != nil || !strings.Contains(got, "第4行「在孵企业数」：在孵企业数不能超过1000000家") || !strings.Contains(got, "第4行「获得融资额」：获得融资额不能超过1000000万元") {
		t.Fatalf("status sheet under a title with figures beyond the bounds: %v\n%s", reports, got)
	}
	tb = csvTable(t, "期间,在孵企业\n2026-09,20\n")
	if _, problems := ParseStatusSheet(tb); !strings.Contains(problemText(problems), "缺少必需的列「在孵企业数」（读作表头的是第1行：期间｜在孵企业）") {
		t.Errorf("missing status column: %s", problemText(problems))
	}
}
