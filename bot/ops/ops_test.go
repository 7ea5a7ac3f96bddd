package ops_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/bot/console"
	"github.com/incubot/incubot/bot/ops"
	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/internal/model"
	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/internal/sheet"
	"github.com/incubot/incubot/internal/testdb"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/models"
)

type world struct {
	db     *postgres.DB
	router *bot.Router
	now    time.Time
	inc    incubator.Incubator
	ops    *ops.Ops
}

var admin = postgres.Actor{Name: "test", Role: "officer", Channel: "cli"}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	db := testdb.New(t)
	w := &world{db: db, now: time.Date(2026, 11, 20, 10, 0, 0, 0, time.Local)}
	ans := &knowledge.Answerer{Retriever: &knowledge.Retriever{Store: db, Local: models.NewLocalEmbedder(), Today: time.Now, Opts: knowledge.DefaultRetrieveOptions}, Fallback: "未找到。"}
	w.router = bot.NewRouter(db, ans, db, db, db, nil, bot.Options{BotName: "小助手", MaxMessageLen: 500, ContextTTL: 10 * time.Minute, FormTTL: 30 * time.Minute, Now: func() time.Time { return w.now }})
	w.router.Codes = db
	w.ops = &ops.Ops{Store: db, Docs: db, Now: func() time.Time { return w.now }, Stocktakes: db}
	w.ops.Register(w.router)
	inc, err := db.EnsureIncubator(ctx, incubator.DemoIncubator, admin)
	if err != nil {
		t.Fatal(err)
	}
	w.inc = inc
	if _, err := db.ImportAssets(ctx, inc.ID, incubator.DemoRegister(), admin); err != nil {
		t.Fatal(err)
	}
	w.bind(t, "王经理", bot.RoleManager, &inc.ID)
	w.bind(t, "李科长", bot.RoleOfficer, nil)
	return w
}

func (w *world) bind(t *testing.T, name, role string, inc *int) {
	t.Helper()
	code := fmt.Sprintf("CODE-%x", name)
	if _, err := w.db.Invite(context.Background(), name, role, inc, model.HashCode(code), w.now.Add(time.Hour), nil, admin); err != nil {
		t.Fatal(err)
	}
	if got := w.say(t, name, "绑定 "+code); !strings.Contains(got[0], "绑定成功") {
		t.Fatalf("bind %s: %q", name, got)
	}
}

// say runs lines through the console as user and returns the replies.
func (w *world) say(t *testing.T, user string, lines ...string) []string {
	t.Helper()
	var out bytes.Buffer
	c := &console.Console{Router: w.router, In: strings.NewReader(strings.Join(lines, "\n")), Out: &out, User: user, BotName: "小助手", JSON: true}
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	var replies []string
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r struct{ Text string }
		json.Unmarshal(sc.Bytes(), &r)
		replies = append(replies, r.Text)
	}
	if len(replies) != len(lines) {
		t.Fatalf("%d lines, %d replies: %q", len(lines), len(replies), replies)
	}
	return replies
}

func summary(t *testing.T, w *world) postgres.AssetSummary {
	t.Helper()
	s, err := w.db.AssetSummaries(context.Background(), w.inc.ID)
	if err != nil || len(s) != 1 {
		t.Fatalf("summary: %v %v", s, err)
	}
	return s[0]
}

// The whole audit story: 33 of 101 items go missing (over ¥2,000,000), are
// restored and verified, and the summary follows.
func TestAuditStory(t *testing.T) {
	w := newWorld(t)
	missing := incubator.DemoMissing()
	if len(missing) != 33 {
		t.Fatalf("the story has %d missing items", len(missing))
	}
	var lines []string
	for _, code := range missing {
		lines = append(lines, "缺失 "+code+" 审计盘点未找到", "1")
	}
	replies := w.say(t, "王经理", lines...)
	for i := 1; i < len(replies); i += 2 {
		if !strings.Contains(replies[i], "已登记，报告号") {
			t.Fatalf("report %d not stored: %q", i/2+1, replies[i])
		}
	}
	s := summary(t, w)
	if s.Items != 101 || s.Missing != 33 || s.MissingValue <= 200000000 {
		t.Fatalf("after the reports: %+v", s)
	}
	text := w.say(t, "李科长", "资产汇总")[0]
	if !strings.Contains(text, "缺失 33 项，"+incubator.Yuan(s.MissingValue)) || !strings.Contains(text, "在册资产 101 项") {
		t.Fatalf("officer summary: %s", text)
	}

	lines = nil
	for _, code := range missing {
		lines = append(lines, "补齐 "+code+" 已重新购置", "1")
	}
	w.say(t, "王经理", lines...)
	if s := summary(t, w); s.Missing != 0 || s.Restored != 33 {
		t.Fatalf("after restoring: %+v", s)
	}
	reps, err := w.db.AssetReports(context.Background(), time.Time{}, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	lines = nil
	for _, r := range reps {
		lines = append(lines, fmt.Sprintf("核验 %d 通过 现场核对", r.ID))
	}
	for _, r := range w.say(t, "李科长", lines...) {
		if !strings.Contains(r, "已核验：通过") {
			t.Fatalf("verify: %q", r)
		}
	}
	s = summary(t, w)
	if s.Verified != 33 || s.Restored != 0 || s.Missing != 0 || s.VerifiedValue != summaryMissingValue(t) {
		t.Fatalf("after verification: %+v", s)
	}
	text = w.say(t, "李科长", "资产汇总")[0]
	if !strings.Contains(text, "已核验 33 项") || !strings.Contains(text, "缺失 0 项") {
		t.Fatalf("final summary: %s", text)
	}
	entries, err := w.db.Audit(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, e := range entries {
		actions[e.Action]++
	}
	if actions["report:缺失"] != 33 || actions["report:补齐"] != 33 || actions["review:通过"] != 66 || actions["bind"] != 2 {
		t.Fatalf("audit log: %v", actions)
	}
}

func summaryMissingValue(t *testing.T) int64 {
	m := map[string]bool{}
	for _, c := range incubator.DemoMissing() {
		m[c] = true
	}
	var v int64
	for _, a := range incubator.DemoRegister() {
		if m[a.Code] {
			v += a.Value()
		}
	}
	return v
}

func TestBadAssetReportsChangeNothing(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	other, _ := w.db.EnsureIncubator(ctx, "东湖众创空间", admin)
	w.db.ImportAssets(ctx, other.ID, []incubator.Asset{{Code: "DH-001", Name: "投影仪", Quantity: 1, UnitPrice: 500000}}, admin)
	got := w.say(t, "王经理",
		"缺失 XYZ-999",
		"缺失 DH-001",
		"缺失",
		"缺失 CKC-002", "0",
		"缺失 CKC-003", "1",
		"缺失 CKC-003",
		"补齐 CKC-004",
		"核验 1 通过",
		"报表汇总 2026-10",
	)
	want := []string{
		"台账中没有资产编号 XYZ-999",
		"台账中没有资产编号 DH-001",
		"请写明资产编号",
		"请确认报送", "已取消，没有保存任何内容",
		"请确认报送", "已登记",
		"已登记为缺失，无需重复报送",
		"没有缺失或损坏记录",
		"只对科技局工作人员开放",
		"只对科技局工作人员开放",
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("reply %d: want %q in %q", i, want[i], got[i])
		}
	}
	// Finding 6: another incubator's code reads exactly like an unknown one.
	if strings.Contains(got[1], "东湖") || strings.Replace(got[1], "DH-001", "XYZ-999", 1) != got[0] {
		t.Errorf("another incubator's asset must not be revealed: %q vs %q", got[1], got[0])
	}
	s := summary(t, w)
	if s.Missing != 1 {
		t.Fatalf("only the confirmed report changes the register: %+v", s)
	}
	enterprise := w.say(t, "路人甲", "缺失 CKC-005", "三楼会议室的投影仪不见了", "报表")
	if !strings.Contains(enterprise[0], "只对孵化器/众创空间管理员开放") || strings.Contains(enterprise[1], "请回复序号") || !strings.Contains(enterprise[2], "只对孵化器") {
		t.Fatalf("an unbound person cannot report: %q", enterprise)
	}
	if s := summary(t, w); s.Missing != 1 {
		t.Fatalf("nothing changed: %+v", s)
	}
}

func TestUnansweredQuestionsForOfficers(t *testing.T) {
	w := newWorld(t)
	w.say(t, "路人甲", "专精特新小巨人怎么申报")
	got := w.say(t, "李科长", "未答问题", "未答问题 abc")
	if !strings.Contains(got[0], "路人甲：专精特新小巨人怎么申报") || !strings.Contains(got[1], "请写天数") {
		t.Fatalf("unanswered list: %q", got)
	}
	if denied := w.say(t, "王经理", "未答问题"); !strings.Contains(denied[0], "只对科技局工作人员开放") {
		t.Fatalf("managers do not see it: %q", denied)
	}
}

func TestOfficerRetiresADocumentInChat(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	kb := &knowledge.KB{Store: w.db, Local: models.NewLocalEmbedder(), Embedder: models.NewLocalEmbedder()}
	if res := kb.Add(ctx, "a.txt", []byte("# XX区旧版补助办法\n第一条 补助比例为10%。\n"), knowledge.AddOptions{}); res.Err != nil {
		t.Fatal(res.Err)
	}
	if denied := w.say(t, "王经理", "废止 XX区旧版补助办法"); !strings.Contains(denied[0], "只对科技局工作人员开放") {
		t.Fatalf("managers cannot retire: %q", denied)
	}
	got := w.say(t, "李科长", "废止 不存在的文件", "废止 XX区旧版补助办法", "0", "废止 XX区旧版补助办法", "1")
	if !strings.Contains(got[0], "没有找到文件") || !strings.Contains(got[2], "已取消") || !strings.Contains(got[4], "已废止《XX区旧版补助办法》") {
		t.Fatalf("retire in chat: %q", got)
	}
	docs, _ := w.db.Documents(ctx, true)
	if len(docs) != 1 || docs[0].Status != corpus.StatusRetired {
		t.Fatalf("the document is retired: %+v", docs)
	}
	entries, _ := w.db.Audit(ctx, time.Time{})
	last := entries[len(entries)-1]
	if last.Action != "retire" || last.Actor != "李科长" || last.Channel != "console" {
		t.Fatalf("the officer is in the audit log: %+v", last)
	}
}

func TestBindingCodes(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	if _, err := w.db.Invite(ctx, "赵主任", bot.RoleOfficer, nil, model.HashCode("GOODCODE"), w.now.Add(time.Hour), nil, admin); err != nil {
		t.Fatal(err)
	}
	got := w.say(t, "赵主任", "绑定 WRONGCODE", "绑定 goodcode", "待核验")
	if !strings.Contains(got[0], "绑定码无效") || !strings.Contains(got[1], "绑定成功：赵主任") || !strings.Contains(got[2], "没有等待核验") {
		t.Fatalf("binding: %q", got)
	}
	if again := w.say(t, "别人", "绑定 GOODCODE"); !strings.Contains(again[0], "绑定码无效、已使用或已过期") {
		t.Fatalf("a code works once: %q", again)
	}
	// In a group the code is refused, so that nobody else can read and use it.
	var out bytes.Buffer
	c := &console.Console{Router: w.router, In: strings.NewReader("@小助手 绑定 ABC"), Out: &out, User: "x", Group: "群", BotName: "小助手", JSON: true}
	c.Run(ctx)
	if !strings.Contains(out.String(), "请私聊我") {
		t.Fatalf("group binding: %s", out.String())
	}
}

func TestStatusFormValidatesAndReplaces(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	got := w.say(t, "王经理", "报表 2026年10月", "二十", "25", "30", "1", "12", "300", "4", "-5", "150", "80", "无", "提交", "改 2 3", "提交")
	if !strings.Contains(got[1], "不是有效数字") || !strings.Contains(got[8], "不能为负数") {
		t.Fatalf("validation: %q / %q", got[1], got[8])
	}
	if !strings.Contains(got[11], "不能多于在孵企业数") || !strings.Contains(got[12], "不能多于在孵企业数") {
		t.Fatalf("review and submit must flag 新增入孵 > 在孵企业数: %q / %q", got[11], got[12])
	}
	if !strings.Contains(got[14], "已提交创客城 2026年10月运行情况") {
		t.Fatalf("submit: %q", got[14])
	}
	w.say(t, "王经理", "报表 2026-10", "26", "3", "1", "12", "300", "4", "150", "80", "第二次", "提交")
	current, _ := w.db.StatusReports(ctx, "2026-10", "2026-10", false)
	all, _ := w.db.StatusReports(ctx, "2026-10", "2026-10", true)
	if len(current) != 1 || current[0].Tenants != 26 || len(all) != 2 {
		t.Fatalf("resubmission replaces and keeps history: %+v / %d", current, len(all))
	}
	sum := w.say(t, "李科长", "报表汇总 2026-10")[0]
	if !strings.Contains(sum, "在孵企业 26 家") || !strings.Contains(sum, "获得融资 150.00 万元") {
		t.Fatalf("officer summary: %s", sum)
	}
}

func TestAbandonedFormTimesOut(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.say(t, "王经理", "报表 2026-09", "25")
	w.now = w.now.Add(time.Hour)
	got := w.say(t, "王经理", "30")
	if !strings.Contains(got[0], "已超时取消") {
		t.Fatalf("an abandoned form times out clearly: %q", got)
	}
	if reps, _ := w.db.StatusReports(ctx, "2026-09", "2026-09", true); len(reps) != 0 {
		t.Fatal("an abandoned form writes nothing")
	}
	w.say(t, "王经理", "缺失 CKC-010")
	w.now = w.now.Add(time.Hour)
	if got := w.say(t, "王经理", "1"); !strings.Contains(got[0], "已超时取消") {
		t.Fatalf("an unconfirmed report times out: %q", got)
	}
	if s := summary(t, w); s.Missing != 0 {
		t.Fatal("a timed-out confirmation changes nothing")
	}
}

func TestFormSurvivesRestart(t *testing.T) {
	w := newWorld(t)
	w.say(t, "王经理", "缺失 CKC-011 找不到")
	// A new router on the same database stands for a restarted process.
	fresh := bot.NewRouter(w.db, nil, w.db, w.db, w.db, nil, w.router.Opts)
	(&ops.Ops{Store: w.db, Docs: w.db, Now: func() time.Time { return w.now }}).Register(fresh)
	w.router = fresh
	if got := w.say(t, "王经理", "1"); !strings.Contains(got[0], "已登记") {
		t.Fatalf("the confirmation continues after a restart: %q", got)
	}
}

func TestRegisterImportReportsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("资产编号,资产名称,数量,单价,购置日期\nA-1,投影仪,1,5000,2020-01-02\nA-1,电脑,0,abc,2020-13-45\n,桌子,2,100,\n"), 0o600)
	tb, err := sheet.Read(bad)
	if err != nil {
		t.Fatal(err)
	}
	assets, problems := incubator.ParseRegister(tb)
	if assets != nil {
		t.Fatal("a register with problems imports nothing")
	}
	var all []string
	for _, p := range problems {
		all = append(all, p.String())
	}
	joined := strings.Join(all, "\n")
	for _, want := range []string{"第3行「资产编号」：“A-1”与第2行重复", "第3行「数量」", "第3行「单价」", "第3行「购置日期」", "第4行「资产编号」：为空"} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems lack %q:\n%s", want, joined)
		}
	}
	missing := filepath.Join(dir, "missing.csv")
	os.WriteFile(missing, []byte("名称,数量\n投影仪,1\n"), 0o600)
	tb, _ = sheet.Read(missing)
	if _, problems := incubator.ParseRegister(tb); len(problems) == 0 || !strings.Contains(problems[0].String(), "缺少必需的列「资产编号」") {
		t.Fatalf("missing columns: %v", problems)
	}
}

// Importing a register, exporting it and importing the export changes
// nothing: the spreadsheet round-trips.
func TestRegisterRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	inc, _ := db.EnsureIncubator(ctx, incubator.DemoIncubator, admin)
	dir := t.TempDir()
	src := filepath.Join(dir, "register.xlsx")
	rows := [][]string{{"资产编号", "资产名称", "类别", "规格型号", "数量", "单价", "存放地点", "购置日期", "备注"}}
	for _, a := range incubator.DemoRegister() {
		rows = append(rows, []string{a.Code, a.Name, a.Category, a.Spec, "1", incubator.Yuan(a.UnitPrice), a.Location, a.PurchasedOn.Format("2006-01-02"), ""})
	}
	if err := sheet.Write(src, []sheet.Sheet{{Name: "台账", Rows: rows}}); err != nil {
		t.Fatal(err)
	}
	tb, err := sheet.Read(src)
	if err != nil {
		t.Fatal(err)
	}
	assets, problems := incubator.ParseRegister(tb)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	res, err := db.ImportAssets(ctx, inc.ID, assets, admin)
	if err != nil || res.Added != 101 {
		t.Fatalf("import: %+v %v", res, err)
	}
	again, _ := db.ImportAssets(ctx, inc.ID, assets, admin)
	if again.Unchanged != 101 || again.Added+again.Updated != 0 {
		t.Fatalf("importing the same register twice changes nothing: %+v", again)
	}
	stored, _ := db.Assets(ctx, inc.ID, "")
	out := filepath.Join(dir, "export.xlsx")
	exportRows := [][]string{{"资产编号", "资产名称", "类别", "规格型号", "数量", "单价", "原值", "存放地点", "购置日期", "备注", "状态"}}
	for _, a := range stored {
		exportRows = append(exportRows, []string{a.Code, a.Name, a.Category, a.Spec, fmt.Sprint(a.Quantity), incubator.Yuan(a.UnitPrice), incubator.Yuan(a.Value()), a.Location, a.PurchasedOn.Format("2006-01-02"), a.Note, a.Status})
	}
	sheet.Write(out, []sheet.Sheet{{Name: "资产台账", Rows: exportRows}})
	tb2, _ := sheet.Read(out)
	back, problems := incubator.ParseRegister(tb2)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	res, err = db.ImportAssets(ctx, inc.ID, back, admin)
	if err != nil || res.Unchanged != 101 {
		t.Fatalf("the export must import back unchanged: %+v %v", res, err)
	}
}
