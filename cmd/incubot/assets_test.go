package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Custody from the CLI: a register with 责任人, a transfer recorded with
// who and when, bad transfers refused with nothing changed, the service
// life table (edited by an officer) and the assets past their life.
func TestAssetCustodyCommands(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	reg := filepath.Join(dir, "台账.csv")
	os.WriteFile(reg, []byte("资产编号,资产名称,类别,数量,单价,存放地点,购置日期,责任人\n"+
		"QX-001,台式电脑,计算机设备,1,6800,二楼机房,2015-03-01,李四\n"+
		"QX-002,会议桌,家具,1,8600,三楼会议室,2020-05-01,\n"+
		"QX-003,3D打印机,创客工坊设备,1,268000,一楼创客工坊,2012-01-01,王五\n"), 0o600)
	if out, _, err := c.run("", "assets", "import", reg, "--incubator", "青秀众创空间"); err != nil || !strings.Contains(out, "3 added") {
		t.Fatalf("%q %v", out, err)
	}
	bad := filepath.Join(dir, "坏.csv")
	os.WriteFile(bad, []byte("资产编号,资产名称,单价,责任人\nQX-009,电脑,100,张三@公司\n"), 0o600)
	if _, _, err := c.run("", "assets", "import", bad, "--incubator", "青秀众创空间"); err == nil {
		t.Fatal("a custodian that is not a name is refused")
	}

	out, _, err := c.run("", "assets", "transfer", "QX-001", "--incubator", "青秀众创空间", "--to-location", "三楼办公区", "--to-custodian", "赵六", "--note", "部门调整")
	if err != nil || !strings.Contains(out, "二楼机房 → 三楼办公区, custodian 李四 → 赵六") {
		t.Fatalf("transfer: %q %v", out, err)
	}
	for _, args := range [][]string{
		{"assets", "transfer", "QX-001", "--incubator", "青秀众创空间", "--to-location", "三楼办公区"},
		{"assets", "transfer", "QX-001", "--incubator", "青秀众创空间", "--to-custodian", "赵六6"},
		{"assets", "transfer", "QX-404", "--incubator", "青秀众创空间", "--to-location", "三楼"},
		{"assets", "transfer", "QX-001", "--incubator", "青秀众创空间"},
	} {
		if _, _, err := c.run("", args...); err == nil {
			t.Errorf("%v must be refused", args)
		}
	}
	out, _, _ = c.run("", "assets", "transfers", "--json")
	if strings.Count(out, `"ID"`) != 1 || !strings.Contains(out, `"ToCustodian":"赵六"`) || !strings.Contains(out, `"By":`) {
		t.Fatalf("one transfer recorded, with who: %s", out)
	}

	out, _, _ = c.run("", "assets", "life", "--json")
	for _, want := range []string{`{"Category":"计算机设备","Years":6`, `{"Category":"家具","Years":15`, `{"Category":"车辆","Years":8`, `{"Category":"机械设备","Years":10`, `{"Category":"办公设备","Years":6`} {
		if !strings.Contains(out, want) {
			t.Fatalf("life table lacks %q:\n%s", want, out)
		}
	}
	out, _, _ = c.run("", "assets", "overdue")
	if !strings.Contains(out, "QX-001") || strings.Contains(out, "QX-002") || !strings.Contains(out, "1 items past their service life") || !strings.Contains(out, `category "创客工坊设备" (1 items) has no service life`) {
		t.Fatalf("overdue: %s", out)
	}
	if _, _, err := c.run("", "assets", "life", "--set", "创客工坊设备=0"); err == nil {
		t.Fatal("a life of 0 years is refused")
	}
	if _, _, err := c.run("", "assets", "life", "--set", "创客工坊设备=10"); err != nil {
		t.Fatal(err)
	}
	out, _, _ = c.run("", "assets", "overdue")
	if !strings.Contains(out, "QX-003") || !strings.Contains(out, "2 items past their service life") {
		t.Fatalf("after the edit: %s", out)
	}
}
