package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The embedded database starts by itself for a command with no
// DATABASE_URL: doctor on a fresh data directory says it is new (issue 14),
// and the next command migrates it and writes (the path every other CLI test
// skips by sharing one database; internal/devdb tests that the data
// survives a restart).
func TestEmbeddedDatabaseStartsItself(t *testing.T) {
	c := newEmbeddedCLI(t)
	out, _, err := c.run("", "doctor")
	for _, want := range []string{"✓ pgvector", "available", "the embedded database creates it when it first migrates", "✓ schema at version 0 of", "it migrates itself"} {
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("doctor on a fresh data directory is all ✓ and says the database is new (%q): %q %v", want, out, err)
		}
	}
	reg := filepath.Join(t.TempDir(), "register.csv")
	os.WriteFile(reg, []byte("资产编号,资产名称,单价\nCKC-001,投影仪,18600\n"), 0o600)
	if out, errOut, err := c.run("", "assets", "import", reg, "--incubator", "创客城"); err != nil || !strings.Contains(out, "1 added") {
		t.Fatalf("import into a fresh data directory: %q %q %v", out, errOut, err)
	}
	if _, err := os.Stat(filepath.Join(c.env["INCUBOT_DATA_DIR"], "pgdata")); err != nil {
		t.Fatalf("the data lives in the data directory: %v", err)
	}
}

// Registers as people keep them, and as an attacker writes them (issue 12
// findings 12, 14, 15; issue 14's registers).
func TestRegisterImportLimitsAndSpellings(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	reg := filepath.Join(dir, "台账.csv")

	os.WriteFile(reg, []byte("资产编号,资产名称,数量,单价\nBIG-1,投影仪,2147483647,99999999999\nBIG-2,打印机,1,99999999999999\n"), 0o600)
	_, errOut, err := c.run("", "assets", "import", reg, "--incubator", "青秀众创空间")
	for _, want := range []string{"第2行「数量」：“2147483647”超过上限100000", "第2行「单价」：“99999999999”超过上限¥100,000,000.00", "第3行「单价」：“99999999999999”超过上限"} {
		if err == nil || !strings.Contains(errOut, want) {
			t.Errorf("oversized figures are refused with the row and the limit (%q): %q %v", want, errOut, err)
		}
	}
	if _, _, err := c.run("", "assets", "list", "--incubator", "青秀众创空间"); err == nil || !strings.Contains(err.Error(), "no incubator named") {
		t.Fatalf("a failed import creates nothing, not even its incubator: %v", err)
	}

	os.WriteFile(reg, []byte("资产编号,资产名称,单价\nDUP-002,投影仪,100\ndup-002,投影仪,100\nDUP-002\u200b,投影仪,100\nＤＵＰ－００２,投影仪,100\n"), 0o600)
	if _, errOut, err := c.run("", "assets", "import", reg, "--incubator", "青秀众创空间"); err == nil || strings.Count(errOut, "与第2行重复") != 3 {
		t.Fatalf("four spellings of one code are one code: %q %v", errOut, err)
	}

	os.WriteFile(reg, []byte("青秀众创空间固定资产台账,,,,\n序号,资产编号,资产名称,单价（元）,购置日期\n1,QX-001,投影仪,18600,2019年3月\n2,QX-002,打印机,5200,二〇一九年三月一日\n3,QX-003,服务器,86000,3/1/2019\n4,QX-004,空调,4200,2019/03/01 00:00:00\n5,QX-005,台式电脑,6800,20190301\n"), 0o600)
	if out, errOut, err := c.run("", "assets", "import", reg, "--incubator", "青秀众创空间"); err != nil || !strings.Contains(out, "5 rows; 5 added") {
		t.Fatalf("a register under its title row, with dates as people write them: %q %q %v", out, errOut, err)
	}
	os.WriteFile(reg, []byte("青秀众创空间固定资产台账\n设备,价格\n投影仪,18600\n"), 0o600)
	if _, errOut, err := c.run("", "assets", "import", reg, "--incubator", "青秀众创空间"); err == nil || !strings.Contains(errOut, "缺少必需的列「资产编号」（读作表头的是第1行：青秀众创空间固定资产台账）") {
		t.Fatalf("the missing-column message shows the row read as the header: %q %v", errOut, err)
	}

	// A manager reports an asset by its code typed in full-width letters.
	out, _, err := c.run("", "people", "invite", "--name", "黄经理", "--role", "manager", "--incubator", "青秀众创空间")
	code := regexp.MustCompile(`binding code: ([A-Z0-9]{8})`).FindStringSubmatch(out)
	if err != nil || code == nil {
		t.Fatalf("invite: %q %v", out, err)
	}
	out, _, _ = c.run("绑定 "+code[1]+"\n缺失 ｑｘ－００２ 找不到了\n1\n", "chat", "--user", "黄经理", "--json")
	if !strings.Contains(out, "已登记，报告号 1") || !strings.Contains(out, "QX-002") {
		t.Fatalf("a full-width, lower-case code finds the asset in chat: %s", out)
	}
}

// Finding 15 of issue 12: a file name with escape codes or a newline was
// printed raw by kb add and kb list.
func TestTerminalOutputIsEscaped(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	name := filepath.Join(dir, "evil\x1b[2J\x1b]0;pwned\x07\n✓ fake.md")
	os.WriteFile(name, []byte("---\ntitle: 恶意\u202e标题\u2066\n---\n第一条 本办法自发布之日起施行。\n"), 0o600)
	bad := filepath.Join(dir, "bad\x1b[2Jname.doc")
	os.WriteFile(bad, []byte("binary"), 0o600)
	out, _, _ := c.run("", "kb", "add", dir)
	list, _, err := c.run("", "kb", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{out, list} {
		if strings.ContainsAny(s, "\x1b\x07\u202e") {
			t.Errorf("control characters reach the terminal: %q", s)
		}
	}
	for _, want := range []string{`evil\x1b[2J\x1b]0;pwned\a\n✓ fake.md → 《恶意\u202e标题\u2066》`, `bad\x1b[2Jname.doc`} {
		if !strings.Contains(out, want) {
			t.Errorf("kb add shows the names escaped (%q):\n%s", want, out)
		}
	}
	lines := 0 // one line per file and the total; notes under a file are indented
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(l, " ") {
			lines++
		}
	}
	if lines != 3 {
		t.Errorf("one line per file and the total, no line made up by a file name:\n%s", out)
	}
	if !strings.Contains(list, `恶意\u202e标题\u2066`) {
		t.Errorf("kb list shows the title escaped:\n%s", list)
	}
	// What enterprise users type reaches the officer's terminal too.
	c.run("", "ask", "专精特新\x1b[2J怎么申报\u202e")
	qs, _, err := c.run("", "questions")
	if err != nil || strings.ContainsAny(qs, "\x1b\u202e") || !strings.Contains(qs, `专精特新\x1b[2J怎么申报\u202e`) {
		t.Errorf("questions shows what was asked, escaped: %q %v", qs, err)
	}
	audit, _, err := c.run("", "audit")
	if err != nil || strings.ContainsAny(audit, "\x1b\u202e") {
		t.Errorf("audit shows titles escaped: %q %v", audit, err)
	}
}

// doctor on a migrated database: pgvector created, schema current.
func TestDoctorOnMigratedDatabase(t *testing.T) {
	c := newCLI(t)
	out, _, err := c.run("", "doctor")
	if err != nil || !regexp.MustCompile(`✓ pgvector \d+\.\d+`).MatchString(out) || !strings.Contains(out, "✓ schema current (version") || strings.Contains(out, "✗") {
		t.Fatalf("doctor: %q %v", out, err)
	}
}
