package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/internal/sheet"
	"github.com/incubot/incubot/internal/testdb"
)

// TestMain stops the test database this binary started (the embedded one,
// when INCUBOT_TEST_DATABASE_URL is not set).
func TestMain(m *testing.M) {
	code := m.Run()
	testdb.Stop()
	os.Exit(code)
}

// cli runs incubot commands the way a person does, in-process.
type cli struct {
	t     *testing.T
	env   map[string]string
	store *postgres.DB // the embedded test database, shared by the commands
}

// newCLI gives a test a fresh, migrated schema of its own on the test
// database, which is started once per test binary. On a real server
// (INCUBOT_TEST_DATABASE_URL) the commands reach it through DATABASE_URL,
// each connecting by itself, as incubot reaches a production server; on the
// embedded one, which takes one connection at a time, they share the
// binary's one pool. TestEmbeddedDatabaseStartsItself covers the
// commands' own start of the embedded database.
func newCLI(t *testing.T) *cli {
	c := newEmbeddedCLI(t)
	if testdb.Embedded() {
		c.store = testdb.New(t)
	} else {
		c.env["INCUBOT_DATABASE_URL"] = testdb.NewURL(t)
	}
	return c
}

// newEmbeddedCLI leaves DATABASE_URL empty: each command starts the embedded
// database in a data directory of the test's own, as a newcomer's does.
func newEmbeddedCLI(t *testing.T) *cli {
	devdb, err := filepath.Abs("../../deploy/devdb")
	if err != nil {
		t.Fatal(err)
	}
	return &cli{t: t, env: map[string]string{"INCUBOT_DATA_DIR": t.TempDir(), "INCUBOT_DEVDB_DIR": devdb}}
}

func (c *cli) run(stdin string, args ...string) (string, string, error) {
	var out, errb bytes.Buffer
	err := runOn(context.Background(), c.store, args, strings.NewReader(stdin), &out, &errb, func(k string) string { return c.env[k] })
	return out.String(), errb.String(), err
}

func TestHelpAndBadConfig(t *testing.T) {
	c := newEmbeddedCLI(t)
	out, _, err := c.run("", "help")
	if err != nil || !strings.Contains(out, "doctor") || !strings.Contains(out, "kb") {
		t.Fatalf("help: %q %v", out, err)
	}
	if _, _, err := c.run("", "nonsense"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("unknown command: %v", err)
	}
	c.env["INCUBOT_LOG_FORMAT"] = "xml"
	if _, _, err := c.run("", "doctor"); err == nil || !strings.Contains(err.Error(), "INCUBOT_LOG_FORMAT") {
		t.Fatalf("an invalid setting must stop with its name: %v", err)
	}
}

// An officer's day: add documents (one bad), ask, import a register with a
// bad row (rejected), fix it, invite a manager, export.
func TestOfficerCommands(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "subsidy.md"), []byte("---\ntitle: XX区企业购买科技成果补助暂行办法\n文号: X科规〔2024〕1号\n---\n第六条 按技术合同实际支付技术交易额的10%给予补助，单个项目最高补助50万元。\n第九条 申请补助的企业应当提交申请表和技术合同登记证明。\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "old.doc"), []byte("binary"), 0o600)
	os.WriteFile(filepath.Join(dir, "empty.txt"), nil, 0o600)

	out, _, err := c.run("", "kb", "add", dir)
	if err == nil || !strings.Contains(err.Error(), "2 file(s) failed") {
		t.Fatalf("failed files make the command fail: %v", err)
	}
	for _, want := range []string{"✗ " + filepath.Join(dir, "empty.txt"), "✗ " + filepath.Join(dir, "old.doc"), "扩展名可能改错了", "1 added, 0 unchanged, 0 replaced, 2 failed; 2 chunks"} {
		if !strings.Contains(out, want) {
			t.Errorf("kb add output lacks %q:\n%s", want, out)
		}
	}
	out, _, err = c.run("", "kb", "add", filepath.Join(dir, "subsidy.md"))
	if err != nil || !strings.Contains(out, "0 added, 1 unchanged") {
		t.Fatalf("adding the same file again changes nothing: %q %v", out, err)
	}
	out, _, err = c.run("", "ask", "购买科技成果补助比例是多少？")
	if err != nil || !strings.Contains(out, "——《XX区企业购买科技成果补助暂行办法》（X科规〔2024〕1号）第六条") {
		t.Fatalf("ask: %q %v", out, err)
	}
	out, _, err = c.run("", "kb", "search", "北海购买科技成果补助比例是多少")
	for _, want := range []string{"asks for: ratio", "places: 北海", "第六条", "matched: "} {
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("kb search must show how the question was read (%q): %q %v", want, out, err)
		}
	}
	out, _, _ = c.run("", "ask", "专精特新小巨人怎么申报")
	if !strings.Contains(out, "政策库中没有关于专精特新的政策文件") || !strings.Contains(out, "没有找到能回答这个问题的条款") {
		t.Fatalf("ask must decline, naming the programme: %q", out)
	}
	out, _, err = c.run("", "kb", "search", "专精特新小巨人怎么申报")
	if err != nil || !strings.Contains(out, "programmes no document mentions: 专精特新") {
		t.Errorf("kb search must say which programme no document mentions: %q %v", out, err)
	}
	out, _, err = c.run("", "questions", "--unanswered")
	if err != nil || !strings.Contains(out, "专精特新小巨人怎么申报") || strings.Contains(out, "购买科技成果补助比例") {
		t.Fatalf("questions --unanswered: %q %v", out, err)
	}

	bad := filepath.Join(dir, "register.csv")
	os.WriteFile(bad, []byte("资产编号,资产名称,单价,存放地点\nCKC-001,投影仪,18600,三楼会议室\nCKC-002,打印机,-5,文印室\n"), 0o600)
	_, errOut, err := c.run("", "assets", "import", bad, "--incubator", "创客城")
	if err == nil || !strings.Contains(errOut, "第3行「单价」") {
		t.Fatalf("a bad register is rejected with every problem: %q %v", errOut, err)
	}
	out, _, _ = c.run("", "assets", "list")
	if !strings.Contains(out, "0 items") {
		t.Fatalf("nothing imported from a rejected file: %q", out)
	}
	os.WriteFile(bad, []byte("资产编号,资产名称,单价,存放地点\nCKC-001,投影仪,18600,三楼会议室\nCKC-002,打印机,5200,文印室\n"), 0o600)
	out, _, err = c.run("", "assets", "import", bad, "--incubator", "创客城")
	if err != nil || !strings.Contains(out, "2 added") {
		t.Fatalf("import: %q %v", out, err)
	}

	out, _, err = c.run("", "people", "invite", "--name", "王经理", "--role", "manager", "--incubator", "创客城")
	code := regexp.MustCompile(`binding code: ([A-Z0-9]{8})`).FindStringSubmatch(out)
	if err != nil || code == nil {
		t.Fatalf("invite: %q %v", out, err)
	}
	out, _, _ = c.run("绑定 "+code[1]+"\n缺失 CKC-001 找不到了\n1\n", "chat", "--user", "王经理", "--json")
	if !strings.Contains(out, "绑定成功") || !strings.Contains(out, "已登记，报告号 1") {
		t.Fatalf("the invited manager binds and reports: %s", out)
	}

	figures := filepath.Join(dir, "status.csv")
	os.WriteFile(figures, []byte("期间,在孵企业数,新增入孵,毕业企业,举办活动场次,服务企业人次,专利申请数,获得融资额,就业人数,备注\n2026-09,20,2,1,6,150,3,80.5,60,\n2026-10,二十,2,1,6,150,3,-1,60,\n"), 0o600)
	if _, errOut, err := c.run("", "report", "import", figures, "--incubator", "创客城"); err == nil || !strings.Contains(errOut, "第3行「在孵企业数」") || !strings.Contains(errOut, "第3行「获得融资额」") {
		t.Fatalf("status import must report every bad cell: %q %v", errOut, err)
	}
	os.WriteFile(figures, []byte("期间,在孵企业数,新增入孵,毕业企业,举办活动场次,服务企业人次,专利申请数,获得融资额,就业人数,备注\n2026-09,20,2,1,6,150,3,80.5,60,\n"), 0o600)
	if out, _, err := c.run("", "report", "import", figures, "--incubator", "创客城"); err != nil || !strings.Contains(out, "imported 1 status reports") {
		t.Fatalf("status import: %q %v", out, err)
	}

	xlsx := filepath.Join(dir, "export.xlsx")
	out, _, err = c.run("", "report", "export", "-o", xlsx)
	if err != nil || !strings.Contains(out, "2 assets, 1 asset reports, 1 status reports") {
		t.Fatalf("export: %q %v", out, err)
	}
	tb, err := sheet.Read(xlsx)
	if err != nil || len(tb.Rows) != 3 || tb.Rows[0][7] != "¥18,600.00" || tb.Rows[0][11] != "缺失" || tb.Rows[2][0] != "合计" || tb.Rows[2][7] != "¥23,800.00" {
		t.Fatalf("the export holds the register with amounts in yuan: %v %v", tb, err)
	}
	out, _, _ = c.run("", "audit")
	for _, want := range []string{"invite person", "bind person", "report:缺失 asset", "add document"} {
		if !strings.Contains(out, want) {
			t.Errorf("audit lacks %q:\n%s", want, out)
		}
	}
}
