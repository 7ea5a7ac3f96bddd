package ops_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/bot/ops"
	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/internal/model"
)

func mustContain(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Fatalf("reply lacks %q:\n%s", w, got)
		}
	}
}

func progressOf(t *testing.T, w *world) (checked, total int) {
	t.Helper()
	st, err := w.db.CurrentStocktake(context.Background(), w.inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := w.db.StocktakeProgress(context.Background(), st.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range prog {
		checked += p.Checked
		total += p.Total
	}
	return checked, total
}

// A manager walks one location on a phone, marks by number and by code,
// stops, resumes, and the officer closes with the result recorded on the
// assets.
func TestStocktakeWalkAndClose(t *testing.T) {
	w := newWorld(t)
	got := w.say(t, "李科长", "盘点 开始 创客城")[0]
	mustContain(t, got, "已发起", "已盘 0/101", "一楼创客工坊 0/")

	r := w.say(t, "王经理", "盘点", "盘点 创客工坊")
	mustContain(t, r[0], "已盘 0/101", "回复“盘点 序号”")
	// 一楼创客工坊 holds CKC-001…CKC-005 and the drones CKC-042, CKC-043.
	mustContain(t, r[1], "【一楼创客工坊】未盘 7 项", "1. CKC-001 工业级3D打印机", "7. CKC-043 无人机")

	r = w.say(t, "王经理", "在 3-5", "缺 1,2", "坏 6 机身开裂", "移 CKC-090 五楼办公室", "盘盈 投影仪 爱普生 CB-X06")
	// The page keeps its numbers until all of it is checked.
	mustContain(t, r[0], "已记“在” 3 项：CKC-003、CKC-004、CKC-005", "已盘 3/101", "【一楼创客工坊】未盘 4 项", "1. CKC-001", "2. CKC-002", "6. CKC-042")
	mustContain(t, r[1], "已记“缺失” 2 项：CKC-001、CKC-002", "已盘 5/101", "6. CKC-042 无人机", "7. CKC-043 无人机")
	mustContain(t, r[2], "已记“损坏” 1 项：CKC-042")
	mustContain(t, r[3], "已记“移位” 1 项：CKC-090", "现在：五楼办公室")
	mustContain(t, r[4], "已记盘盈", "一楼创客工坊")

	// Stop, then resume later: the page starts where the walk stopped.
	w.now = w.now.Add(3 * time.Hour)
	r = w.say(t, "王经理", "盘点 进度", "盘点 1", "在 全部")
	mustContain(t, r[0], "已盘 7/101", "1. 一楼创客工坊 6/7")
	mustContain(t, r[1], "1. CKC-043 无人机")
	mustContain(t, r[2], "已记“在” 1 项：CKC-043", "【一楼创客工坊】已全部盘完")

	// A correction: re-marking an item overrides the first mark.
	mustContain(t, w.say(t, "王经理", "在 CKC-002")[0], "已记“在” 1 项：CKC-002", "已盘 8/101")

	got = w.say(t, "李科长", "盘点 结束 创客城")[0]
	mustContain(t, got, "盘点已结束", "缺失（盘亏） 1 项，原值 ¥268,000.00", "损坏 1 项，原值 ¥72,000.00", "不在原位置 1 项", "未盘 93 项", "台账外（盘盈）1 项")
	s := summary(t, w)
	if s.Missing != 1 || s.MissingValue != 26800000 || s.Damaged != 1 || s.PendingReviews != 0 {
		t.Fatalf("the register after closing: %+v", s)
	}
	a, _ := w.db.AssetsByCode(context.Background(), "CKC-001")
	if a[0].Status != incubator.StatusMissing {
		t.Fatalf("CKC-001 is %s", a[0].Status)
	}

	// The notice: generated number, bad deadline and number refused, then
	// overdue once the deadline passes.
	mustContain(t, w.say(t, "李科长", "赔偿通知 创客城 2026-01-01")[0], "应在今天之后", "没有出具通知")
	mustContain(t, w.say(t, "李科长", "赔偿通知 创客城 第三号")[0], "不像文号", "没有出具通知")
	got = w.say(t, "李科长", "赔偿通知 创客城 2027-01-31")[0]
	mustContain(t, got, "已出具赔偿通知 柳鱼科字〔2026〕1号", "致创客城运营单位", "缺失资产 1 项，原值合计 ¥268,000.00（贰拾陆万捌仟元整）", "补齐期限 2027-01-31")
	mustContain(t, w.say(t, "李科长", "赔偿通知 创客城")[0], "已出具赔偿通知（柳鱼科字〔2026〕1号），没有重复出具")
	mustContain(t, w.say(t, "李科长", "赔偿跟踪")[0], "未补齐 1 项 ¥268,000.00")
	w.now = time.Date(2027, 2, 1, 9, 0, 0, 0, time.Local)
	mustContain(t, w.say(t, "李科长", "赔偿跟踪")[0], "已逾期未核验 1 项：CKC-001")

	// The next stock-take compares with this one.
	w.say(t, "李科长", "盘点 开始 创客城")
	w.say(t, "王经理", "缺 CKC-001 CKC-003")
	got = w.say(t, "李科长", "盘点 结束 创客城")[0]
	mustContain(t, got, "缺失（盘亏） 2 项", "与上次盘点#1", "缺失 +1 项，+¥158,000.00")
}

// Every bad input gets a Chinese reply and changes nothing.
func TestStocktakeBadInput(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	other, err := w.db.EnsureIncubator(ctx, "星空众创空间", admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.ImportAssets(ctx, other.ID, []incubator.Asset{{Code: "XK-001", Name: "服务器", Quantity: 1, UnitPrice: 1200000, Location: "机房"}}, admin); err != nil {
		t.Fatal(err)
	}
	w.bind(t, "赵经理", bot.RoleManager, &other.ID)

	mustContain(t, w.say(t, "王经理", "在 1")[0], "目前没有进行中的盘点，没有记录任何内容")
	mustContain(t, w.say(t, "王经理", "盘点")[0], "创客城目前没有进行中的盘点")
	mustContain(t, w.say(t, "李科长", "盘点 结束 创客城")[0], "创客城目前没有进行中的盘点，没有做任何改动")
	mustContain(t, w.say(t, "李科长", "盘点 开始 不存在孵化器")[0], "没有名为“不存在孵化器”的孵化器")
	mustContain(t, w.say(t, "李科长", "盘点 开始")[0], "请写明孵化器名")
	mustContain(t, w.say(t, "王经理", "盘点 开始 创客城")[0], "创客城目前没有进行中的盘点")
	mustContain(t, w.say(t, "张三", "盘点 开始 创客城")[0], "只对")

	w.say(t, "李科长", "盘点 开始 创客城", "盘点 开始 星空众创空间")
	mustContain(t, w.say(t, "李科长", "盘点 开始 创客城")[0], "已有进行中的盘点（盘点#1）", "没有新建盘点")
	list, _ := w.db.Stocktakes(ctx, 0)
	if len(list) != 2 {
		t.Fatalf("stock-takes: %d", len(list))
	}

	before, _ := progressOf(t, w)
	for _, c := range []struct{ say, want string }{
		{"在 1", "还没有选择盘点地点"},
		{"在 全部", "还没有选择盘点地点"},
		{"在 CKC-001 CKC-999", "没有这些序号或编号：CKC-999。没有记录任何一项"},
		{"在 XK-001", "没有这些序号或编号：XK-001"}, // another incubator's item
		{"在 1-80", "没看懂"},
		{"在", "没看懂"},
		{"在 CKC-001 好的", "没看懂"},
		{"移 CKC-001", "请写明资产现在的位置"},
		{"坏 CKC-001 " + strings.Repeat("很", 101), "说明太长"},
		{"盘盈", "请描述台账外的资产"},
		{"盘点 九楼", "没有“九楼”这个地点"},
	} {
		mustContain(t, w.say(t, "王经理", c.say)[0], c.want)
	}
	w.say(t, "王经理", "盘点 1")
	mustContain(t, w.say(t, "王经理", "缺 8")[0], "没有这些序号或编号：8")
	if after, _ := progressOf(t, w); after != before {
		t.Fatalf("bad input marked %d items", after-before)
	}
	// The manager of the other incubator sees and marks only their own.
	mustContain(t, w.say(t, "赵经理", "盘点")[0], "星空众创空间", "已盘 0/1")
	mustContain(t, w.say(t, "赵经理", "缺 CKC-001")[0], "没有这些序号或编号：CKC-001")

	mustContain(t, w.say(t, "李科长", "赔偿通知 创客城")[0], "盘点#1还没有结束", "不能出具赔偿通知")
	mustContain(t, w.say(t, "李科长", "盘点 结束 创客城")[0], "盘点已结束")
	mustContain(t, w.say(t, "李科长", "盘点 结束 创客城")[0], "创客城目前没有进行中的盘点")
	if _, err := w.db.CloseStocktake(ctx, 1, w.now, admin); err == nil {
		t.Fatal("closed twice")
	} else if text, _ := ops.RefusalText(err); !strings.Contains(text, "盘点#1已经结束，不能重复结束") {
		t.Fatalf("closing twice: %v", err)
	}
	mustContain(t, w.say(t, "李科长", "赔偿通知 创客城")[0], "盘点#1没有发现缺失资产")
	mustContain(t, w.say(t, "王经理", "在 1")[0], "目前没有进行中的盘点")
}

// The same message handled twice (a retry after a crash) marks once, even
// when the page it refers to has moved on.
func TestStocktakeMarkIsIdempotent(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.say(t, "李科长", "盘点 开始 创客城")
	w.say(t, "王经理", "盘点 一楼创客工坊")
	msg := model.Message{Channel: "console", ID: "same-id", ChatKind: bot.Private, ChatID: "private:王经理", SenderID: "王经理", SenderName: "王经理", Text: "缺 1", Time: w.now}
	for range 2 {
		if _, err := w.router.Handle(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	if checked, _ := progressOf(t, w); checked != 1 {
		t.Fatalf("one message marked %d items", checked)
	}
	// At the store: a message applied again after its page was all checked
	// and the next page shown.
	st, _ := w.db.CurrentStocktake(ctx, w.inc.ID)
	p, err := w.db.PersonByContact(ctx, "console", "王经理")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := incubator.ParseMark(incubator.FoundPresent, "全部")
	first, err := w.db.MarkStocktake(ctx, st.ID, p.ID, 99999, m, w.now, admin)
	if err != nil || first.Repeated || len(first.Marked) != 6 || !first.NewPage {
		t.Fatalf("first: %+v %v", first, err)
	}
	again, err := w.db.MarkStocktake(ctx, st.ID, p.ID, 99999, m, w.now, admin)
	if err != nil || !again.Repeated || len(again.Marked) != 0 {
		t.Fatalf("again: %+v %v", again, err)
	}
	items, _ := w.db.StocktakeItems(ctx, st.ID)
	for _, it := range items {
		if it.Code == "CKC-001" && it.Result != incubator.FoundMissing {
			t.Fatalf("在 全部 overrode CKC-001's mark: %s", it.Result)
		}
	}
	if checked, _ := progressOf(t, w); checked != 7 {
		t.Fatalf("checked %d", checked)
	}
}

// A close cut short (the first finding recorded, not yet verified, the
// stock-take left 'closing') is finished by closing again: each finding is
// recorded once and verified, and marks are refused meanwhile.
func TestStocktakeCloseResumes(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.say(t, "李科长", "盘点 开始 创客城")
	w.say(t, "王经理", "缺 CKC-001 CKC-002")
	st, _ := w.db.CurrentStocktake(ctx, w.inc.ID)
	a, _ := w.db.AssetsByCode(ctx, "CKC-001")
	rep := &incubator.AssetReport{AssetID: a[0].ID, Kind: incubator.KindMissing, RawText: st.Label(), Reporter: "李科长", Channel: "console"}
	if err := w.db.CreateAssetReport(ctx, rep, admin); err != nil {
		t.Fatal(err)
	}
	if err := w.db.Exec(ctx, "UPDATE stocktakes SET status = 'closing'"); err != nil {
		t.Fatal(err)
	}
	mustContain(t, w.say(t, "王经理", "在 CKC-003")[0], "目前没有进行中的盘点")
	mustContain(t, w.say(t, "李科长", "盘点 结束 创客城")[0], "盘点已结束", "缺失（盘亏） 2 项")
	reps, err := w.db.AssetReports(ctx, time.Time{}, time.Now().Add(time.Hour))
	if err != nil || len(reps) != 2 {
		t.Fatalf("reports: %d %v", len(reps), err)
	}
	for _, r := range reps {
		if r.Kind != incubator.KindMissing || r.Review != incubator.ReviewPassed {
			t.Fatalf("report %d: %s %s", r.ID, r.Kind, r.Review)
		}
	}
	if s := summary(t, w); s.Missing != 2 || s.PendingReviews != 0 {
		t.Fatalf("summary: %+v", s)
	}
}

// What a stock-take finds reaches the register: an item found elsewhere is
// moved there by the transfer 调拨 writes (a close cut short and finished
// moves it once), an item off the register is added by 盘盈入账 after bad
// input is refused, and 资产汇总 names a notice's overdue items.
func TestStocktakeFindingsReachTheRegister(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	before, _ := w.db.AssetsByCode(ctx, "CKC-090")
	from := before[0].Location
	w.say(t, "李科长", "盘点 开始 创客城")
	w.say(t, "王经理", "盘点 创客工坊", "移 CKC-090 五楼办公室", "盘盈 投影仪 爱普生 CB-X06", "缺 CKC-001")
	st, _ := w.db.CurrentStocktake(ctx, w.inc.ID)
	extras, err := w.db.StocktakeExtras(ctx, st.ID)
	if err != nil || len(extras) != 1 {
		t.Fatalf("extras: %v %v", extras, err)
	}
	n := fmt.Sprint(extras[0].ID)
	// A close cut short after the move was recorded: closing again moves nothing twice.
	if err := w.db.Exec(ctx, "UPDATE stocktakes SET status = 'closing'"); err != nil {
		t.Fatal(err)
	}
	got := w.say(t, "李科长", "盘点 结束 创客城")[0]
	mustContain(t, got, "不在原位置的资产已按发现地点登记调拨（经办人：李科长）", "不在原位置 1 项", "台账外（盘盈）：盘盈号｜描述｜地点", n+"｜投影仪 爱普生 CB-X06｜一楼创客工坊", "入账：盘盈入账 <盘盈号>")
	if err := w.db.Exec(ctx, "UPDATE stocktakes SET status = 'closing'"); err != nil {
		t.Fatal(err)
	}
	w.say(t, "李科长", "盘点 结束 创客城")
	moved, _ := w.db.AssetsByCode(ctx, "CKC-090")
	if moved[0].Location != "五楼办公室" {
		t.Fatalf("CKC-090 is at %q after the close", moved[0].Location)
	}
	tr, err := w.db.Transfers(ctx, moved[0].ID)
	if err != nil || len(tr) != 1 {
		t.Fatalf("transfers: %+v %v", tr, err)
	}
	if tr[0].FromLocation != from || tr[0].ToLocation != "五楼办公室" || tr[0].By != "李科长" || tr[0].Note != "盘点#1 发现" {
		t.Fatalf("transfer: %+v", tr[0])
	}

	// 盘盈入账: refused with the reason, nothing added.
	for line, want := range map[string]string{
		"盘盈入账 9999 CKC-200 3500":      "没有盘盈号 9999",
		"盘盈入账 " + n + " ckc-001 3500": "台账中已有编号 CKC-001",
		"盘盈入账 " + n + " CKC-200 三千五":  "单价“三千五”不是0到¥100,000,000.00之间的金额",
		"盘盈入账 " + n + " CKC-200 2亿":   "不是0到",
		"盘盈入账 " + n + " CKC-200 -5":   "不是0到",
		"盘盈入账 " + n + " CKC-200":      "格式：盘盈入账",
		"盘盈入账 第一 CKC-200 3500":        "“第一”不是盘盈号",
	} {
		mustContain(t, w.say(t, "李科长", line)[0], want, "没有入账")
	}
	mustContain(t, w.say(t, "王经理", "盘盈入账 "+n+" CKC-200 3500")[0], "“盘盈入账”只对")
	if s := summary(t, w); s.Items != 101 {
		t.Fatalf("refused entries changed the register: %d items", s.Items)
	}
	mustContain(t, w.say(t, "李科长", "盘盈入账 "+n+" ckc-200 3,500 办公设备")[0],
		"已入账：CKC-200 投影仪 爱普生 CB-X06（一楼创客工坊），单价 ¥3,500.00，类别 办公设备")
	mustContain(t, w.say(t, "李科长", "盘盈入账 "+n+" CKC-201 3500")[0], "已经入账（编号 CKC-200）", "没有重复入账")
	mustContain(t, w.say(t, "李科长", "盘点 结果 创客城")[0], n+"｜投影仪 爱普生 CB-X06｜一楼创客工坊｜已入账 CKC-200")
	added, _ := w.db.AssetsByCode(ctx, "CKC-200")
	if len(added) != 1 || added[0].UnitPrice != 350000 || added[0].Category != "办公设备" || added[0].Status != incubator.StatusRegistered {
		t.Fatalf("CKC-200: %+v", added)
	}
	mustContain(t, w.say(t, "李科长", "资产汇总")[0], "在册资产 102 项")

	// The notice's overdue items in 资产汇总, once its deadline has passed.
	w.say(t, "李科长", "赔偿通知 创客城 2027-01-31")
	if got := w.say(t, "李科长", "资产汇总")[0]; strings.Contains(got, "逾期") {
		t.Fatalf("overdue before the deadline:\n%s", got)
	}
	w.now = time.Date(2027, 2, 1, 9, 0, 0, 0, time.Local)
	mustContain(t, w.say(t, "李科长", "资产汇总")[0], "赔偿通知 柳鱼科字〔2026〕1号：1项逾期未补齐（发送“赔偿跟踪”查看）")
	mustContain(t, w.say(t, "王经理", "资产汇总")[0], "赔偿通知 柳鱼科字〔2026〕1号：1项逾期未补齐")
	w.say(t, "王经理", "补齐 CKC-001 已按原型号购置", "1")
	mustContain(t, w.say(t, "李科长", "资产汇总")[0], "赔偿通知 柳鱼科字〔2026〕1号：已过期限，1项已报补齐待核验")
}
