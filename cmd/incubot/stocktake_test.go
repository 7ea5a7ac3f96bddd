package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/bot/console"
	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/knowledge/docfile"
	"github.com/xuri/excelize/v2"
)

func (c *cli) must(stdin string, args ...string) string {
	c.t.Helper()
	out, errOut, err := c.run(stdin, args...)
	if err != nil {
		c.t.Fatalf("incubot %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

func (c *cli) chat(user string, lines ...string) string {
	c.t.Helper()
	return c.must(strings.Join(lines, "\n")+"\n", "chat", "--user", user, "--no-rate-limit")
}

func wantIn(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Fatalf("lacks %q:\n%s", w, got)
		}
	}
}

// The audit's story through the CLI and the chat: the 101-item register of
// 创客城 is stock-taken, 33 items worth over ¥2,000,000 are missing, the
// notice 柳鱼科字〔2021〕3号 goes out as a .docx, replacements are reported
// and verified out of order (one rejected, then reported again), and the
// register, the notice's follow-up and the exported workbook agree.
func TestAuditStoryThroughChatAndCLI(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	register := filepath.Join(dir, "台账.csv")
	f, _ := os.Create(register)
	cw := csv.NewWriter(f)
	cw.Write([]string{"资产编号", "资产名称", "规格型号", "数量", "单价", "存放地点"})
	for _, a := range incubator.DemoRegister() {
		cw.Write([]string{a.Code, a.Name, a.Spec, "1", strconv.FormatInt(a.UnitPrice/100, 10), a.Location})
	}
	cw.Flush()
	f.Close()
	wantIn(t, c.must("", "assets", "import", register, "--incubator", "创客城"), "101 added")
	for _, p := range []struct{ name, role string }{{"王经理", "manager"}, {"李科长", "officer"}} {
		out := c.must("", "people", "invite", "--name", p.name, "--role", p.role, "--incubator", "创客城")
		code := regexp.MustCompile(`binding code: ([A-Z0-9]{8})`).FindStringSubmatch(out)
		wantIn(t, c.chat(p.name, "绑定 "+code[1]), "绑定成功")
	}

	missing := incubator.DemoMissing()
	var missingValue int64
	isMissing := map[string]bool{}
	for _, code := range missing {
		isMissing[code] = true
	}
	var present []string
	for _, a := range incubator.DemoRegister() {
		if isMissing[a.Code] {
			missingValue += a.Value()
		} else {
			present = append(present, a.Code)
		}
	}
	if len(missing) != 33 || missingValue <= 2_000_000_00 {
		t.Fatalf("the story: %d missing, %s", len(missing), incubator.Yuan(missingValue))
	}

	wantIn(t, c.must("", "stocktake", "open", "--incubator", "创客城", "--by", "李科长"), "opened 盘点#1 of 创客城: 101 items")
	if _, errOut, err := c.run("", "stocktake", "open", "--incubator", "创客城"); err == nil || !strings.Contains(err.Error(), "已有进行中的盘点（盘点#1）") {
		t.Fatalf("a second open stock-take: %v %s", err, errOut)
	}
	// The manager walks one location by numbers, then marks the rest by code.
	out := c.chat("王经理", "盘点 二楼电子实验室", "在 3", "缺 1-2")
	wantIn(t, out, "1. CKC-006 示波器", "已记“在” 1 项：CKC-008", "已记“缺失” 2 项：CKC-006、CKC-007", "4. CKC-009 频谱分析仪")
	var rest []string
	for _, code := range missing {
		if code != "CKC-006" && code != "CKC-007" {
			rest = append(rest, code)
		}
	}
	out = c.chat("王经理", "缺 "+strings.Join(rest, " "), "在 "+strings.Join(present[:50], " "), "在 "+strings.Join(present[50:], " "), "盘点 进度")
	wantIn(t, out, "已记“缺失” 31 项", "已盘 101/101")

	out = c.must("", "stocktake", "close", "--incubator", "创客城", "--by", "李科长")
	wantIn(t, out, fmt.Sprintf("缺失（盘亏） 33 项，原值 %s", incubator.Yuan(missingValue)), "未盘 0 项")
	if _, _, err := c.run("", "stocktake", "close", "--incubator", "创客城"); err == nil || !strings.Contains(err.Error(), "没有进行中的盘点") {
		t.Fatalf("closing twice: %v", err)
	}
	wantIn(t, c.chat("李科长", "资产汇总"), fmt.Sprintf("缺失 33 项，%s", incubator.Yuan(missingValue)))

	docx := filepath.Join(dir, "通知.docx")
	deadline := time.Now().AddDate(0, 3, 0).Format(time.DateOnly)
	out = c.must("", "notice", "issue", "--incubator", "创客城", "--operator", incubator.DemoOperator, "--number", "柳鱼科字[2021]3号", "--deadline", deadline, "-o", docx)
	wantIn(t, out, "issued 柳鱼科字〔2021〕3号 to 柳州爱创孵化器有限公司: 33 items, "+incubator.Yuan(missingValue))
	data, err := os.ReadFile(docx)
	if err != nil {
		t.Fatal(err)
	}
	p, err := docfile.Parse(context.Background(), "通知.docx", data)
	if err != nil {
		t.Fatal(err)
	}
	wantIn(t, p.Text, "柳州爱创孵化器有限公司：", "人民币"+incubator.ChineseAmount(missingValue))
	if p.DocNumber != "柳鱼科字〔2021〕3号" || len(p.Tables) != 1 || len(p.Tables[0].Rows) != 35 || p.Tables[0].Rows[34][5] != incubator.Yuan(missingValue) {
		t.Fatalf("the notice: 文号 %q, tables %d", p.DocNumber, len(p.Tables))
	}
	if _, _, err := c.run("", "notice", "issue", "--incubator", "创客城"); err == nil || !strings.Contains(err.Error(), "已出具赔偿通知（柳鱼科字〔2021〕3号）") {
		t.Fatalf("a second notice: %v", err)
	}

	// Replacements: CKC-003, CKC-001, CKC-002 reported in that order; the
	// officer verifies the last first, rejects the first, passes the second;
	// CKC-003 is reported again and passed.
	out = c.chat("王经理", "补齐 CKC-003 已重新购置", "1", "补齐 CKC-001 已重新购置", "1", "补齐 CKC-002 已重新购置", "1")
	ids := regexp.MustCompile(`报告号 (\d+)`).FindAllStringSubmatch(out, -1)
	if len(ids) != 3 {
		t.Fatalf("replacements: %s", out)
	}
	out = c.chat("李科长", "核验 "+ids[2][1]+" 通过 已到现场核对", "核验 "+ids[0][1]+" 不通过 型号不符", "核验 "+ids[1][1]+" 通过 已到现场核对")
	wantIn(t, out, "已核验：通过", "已核验：不通过")
	out = c.chat("王经理", "补齐 CKC-003 已换成原型号", "1")
	id := regexp.MustCompile(`报告号 (\d+)`).FindStringSubmatch(out)[1]
	c.chat("李科长", "核验 "+id+" 通过 已到现场核对")
	c.chat("王经理", "补齐 CKC-004 已重新购置", "1") // waiting for verification

	var replacedValue, pendingValue int64
	for _, a := range incubator.DemoRegister() {
		switch a.Code {
		case "CKC-001", "CKC-002", "CKC-003":
			replacedValue += a.Value()
		case "CKC-004":
			pendingValue += a.Value()
		}
	}
	wantIn(t, c.chat("李科长", "资产汇总"),
		fmt.Sprintf("缺失 29 项，%s", incubator.Yuan(missingValue-replacedValue-pendingValue)),
		fmt.Sprintf("已补齐待核验 1 项，%s", incubator.Yuan(pendingValue)),
		fmt.Sprintf("已核验 3 项，%s", incubator.Yuan(replacedValue)))
	wantIn(t, c.must("", "notice", "list"), "柳鱼科字〔2021〕3号（创客城",
		fmt.Sprintf("已补齐核验 3 项 %s；待核验 1 项；未补齐 29 项 %s", incubator.Yuan(replacedValue), incubator.Yuan(missingValue-replacedValue-pendingValue)))
	wantIn(t, c.chat("李科长", "赔偿跟踪"), "已补齐核验 3 项")

	xlsx := filepath.Join(dir, "盘点.xlsx")
	c.must("", "stocktake", "export", "1", "-o", xlsx)
	if fi, err := os.Stat(xlsx); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("export file: %v %v", fi, err)
	}
	x, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	// 盘点结果 row 4: 缺失（盘亏）, count, value, both numbers.
	if v, _ := x.GetCellValue("盘点结果", "A4"); v != "缺失（盘亏）" {
		t.Fatalf("A4 = %q", v)
	}
	for cell, want := range map[string]float64{"B4": 33, "C4": float64(missingValue) / 100} {
		typ, _ := x.GetCellType("盘点结果", cell)
		raw, _ := x.GetCellValue("盘点结果", cell, excelize.Options{RawCellValue: true})
		got, err := strconv.ParseFloat(raw, 64)
		if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset || err != nil || got != want {
			t.Fatalf("%s: type %v, %q, want %v", cell, typ, raw, want)
		}
	}
	rows, _ := x.GetRows("盘点明细")
	if len(rows) != 102 || rows[0][6] != "原值" {
		t.Fatalf("盘点明细: %d rows, header %q", len(rows), rows[0])
	}
	var sum float64
	for r := 2; r <= 102; r++ {
		res, _ := x.GetCellValue("盘点明细", "H"+strconv.Itoa(r))
		raw, _ := x.GetCellValue("盘点明细", "G"+strconv.Itoa(r), excelize.Options{RawCellValue: true})
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			t.Fatalf("G%d is not a number: %q", r, raw)
		}
		if res == "缺失" {
			sum += v
		}
	}
	if int64(sum*100+0.5) != missingValue {
		t.Fatalf("missing items in the sheet sum to %.2f", sum)
	}
	if d, _ := x.GetCellValue("盘点明细", "L2"); !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(d) {
		t.Fatalf("盘点日期 shows as %q", d)
	}
	report := filepath.Join(dir, "盘点.docx")
	c.must("", "stocktake", "export", "1", "-o", report)
	data, _ = os.ReadFile(report)
	p, err = docfile.Parse(context.Background(), "盘点.docx", data)
	if err != nil {
		t.Fatal(err)
	}
	wantIn(t, p.Title+"\n"+p.Text, "创客城固定资产盘点报告", "一、缺失资产（盘亏）明细", "本次盘点已盘 101 项")
	if len(p.Tables) != 2 || len(p.Tables[1].Rows) != 35 {
		t.Fatalf("the report's tables: %d", len(p.Tables))
	}
}

// The demo tells the audit's story and its guide says what the bot shows:
// 33 missing after the January stock-take, the notice, 20 replaced and
// verified, 5 waiting, 8 still missing; the guide's report example names a
// projector in the room it says.
func TestDemoTellsTheAuditStory(t *testing.T) {
	e := newConsoleEnv(t)
	say := func(user string, lines ...string) string {
		var out bytes.Buffer
		c := &console.Console{Router: e.a.router(e.db, nil), In: strings.NewReader(strings.Join(lines, "\n") + "\n"), Out: &out, User: user, BotName: "小助手"}
		if err := c.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	wantIn(t, demoGuide, "33项缺失，原值¥2,114,600.00", "柳鱼科字〔2021〕3号", "已补齐核验20项，补齐待核验5项，仍缺失8项", "缺失 CKC-019 二楼培训室投影仪找不到")
	wantIn(t, say("李科长", "资产汇总"), "在册资产 101 项", "缺失 8 项，¥234,400.00", "已补齐待核验 5 项", "已核验 20 项", "待核验报送 5 条")
	wantIn(t, say("李科长", "赔偿跟踪"), "柳鱼科字〔2021〕3号（创客城，期限 2021-05-31）", "共 33 项 ¥2,114,600.00；已补齐核验 20 项", "已逾期未核验 13 项：CKC-023、CKC-024")
	wantIn(t, say("李科长", "盘点 结果 创客城"), "盘点#1（已结束，2021-01-11开始）", "缺失（盘亏） 33 项，原值 ¥2,114,600.00")
	wantIn(t, say("王经理", "缺失 CKC-019 二楼培训室投影仪找不到"), "CKC-019 投影仪（二楼培训室")
	// Loading the demo again changes nothing.
	if err := e.a.loadIncubatorDemo(context.Background(), e.db); err != nil {
		t.Fatal(err)
	}
	if list, _ := e.db.Stocktakes(context.Background(), 0); len(list) != 1 {
		t.Fatalf("stock-takes after loading twice: %d", len(list))
	}
}

// A stock-take's findings reach the register through the CLI: the item
// found elsewhere is in `assets transfers` and `assets list` at its new
// place, and an item off the register is entered by `stocktake
// enter-extra` after bad input is refused.
func TestStocktakeFindingsThroughCLI(t *testing.T) {
	c := newCLI(t)
	reg := filepath.Join(t.TempDir(), "台账.csv")
	os.WriteFile(reg, []byte("资产编号,资产名称,规格型号,数量,单价,存放地点\nQX-001,服务器,R740,1,52000,二楼机房\nQX-002,投影仪,CB-X05,1,3600,路演厅\n"), 0o600)
	wantIn(t, c.must("", "assets", "import", reg, "--incubator", "青秀众创空间"), "2 added")
	out := c.must("", "people", "invite", "--name", "王经理", "--role", "manager", "--incubator", "青秀众创空间")
	code := regexp.MustCompile(`binding code: ([A-Z0-9]{8})`).FindStringSubmatch(out)
	wantIn(t, c.chat("王经理", "绑定 "+code[1]), "绑定成功")
	c.must("", "stocktake", "open", "--incubator", "青秀众创空间", "--by", "李科长")
	wantIn(t, c.chat("王经理", "盘点 路演厅", "在 1", "移 QX-001 三楼办公区", "盘盈 打印机 惠普 M405"), "已记盘盈（台账外）：打印机 惠普 M405（路演厅）")
	c.must("", "stocktake", "close", "--incubator", "青秀众创空间", "--by", "李科长")

	wantIn(t, c.must("", "assets", "transfers"), "QX-001", "二楼机房", "三楼办公区", "李科长", "盘点#1 发现")
	wantIn(t, c.must("", "assets", "list", "--incubator", "青秀众创空间"), "三楼办公区")
	out = c.must("", "stocktake", "extras", "1")
	n, _, _ := strings.Cut(out, "\t")
	wantIn(t, out, n+"\t打印机 惠普 M405\t路演厅")
	for _, args := range [][]string{
		{"stocktake", "enter-extra", n, "--code", "QX-002", "--price", "2300"},
		{"stocktake", "enter-extra", n, "--code", "QX-003", "--price", "两千"},
		{"stocktake", "enter-extra", "999", "--code", "QX-003", "--price", "2300"},
	} {
		if _, _, err := c.run("", args...); err == nil || !strings.Contains(err.Error(), "没有入账") {
			t.Fatalf("%v: %v", args, err)
		}
	}
	wantIn(t, c.must("", "stocktake", "enter-extra", n, "--code", "QX-003", "--price", "2300", "--category", "办公设备", "--by", "李科长"), "entered QX-003 打印机 惠普 M405 at 路演厅, ¥2,300.00")
	if _, _, err := c.run("", "stocktake", "enter-extra", n, "--code", "QX-004", "--price", "2300"); err == nil || !strings.Contains(err.Error(), "已经入账（编号 QX-003）") {
		t.Fatalf("entering twice: %v", err)
	}
	wantIn(t, c.must("", "stocktake", "extras", "1"), "\t路演厅\tQX-003")
}
