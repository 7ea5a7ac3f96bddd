package ops_test

import (
	"context"
	"strings"
	"testing"
)

// A new command while a confirmation waits is handled, and the waiting one
// is cancelled with a one-line note, not swallowed (issue 15: `损坏 CKC-012
// …` got "请回复 1 确认，或 0 取消" and was lost).
func TestNewCommandCancelsPendingConfirmation(t *testing.T) {
	w := newWorld(t)
	got := w.say(t, "王经理",
		"缺失 CKC-003 激光切割机找不到",
		"损坏 CKC-012 示波器屏幕坏了",
		"1",
	)
	if !strings.Contains(got[0], "回复 1 确认") {
		t.Fatalf("first report asks for confirmation: %q", got[0])
	}
	if !strings.Contains(got[1], "上一条待确认的报送已取消，没有保存") || !strings.Contains(got[1], "CKC-003") || !strings.Contains(got[1], "CKC-012") {
		t.Fatalf("the second command cancels the first with a note and asks about itself: %q", got[1])
	}
	if !strings.Contains(got[2], "已登记") || !strings.Contains(got[2], "CKC-012") {
		t.Fatalf("1 confirms the second report: %q", got[2])
	}
	a3, _ := w.db.AssetsByCode(context.Background(), "CKC-003")
	a12, _ := w.db.AssetsByCode(context.Background(), "CKC-012")
	if a3[0].Status != "在册" || a12[0].Status != "损坏" {
		t.Fatalf("only the confirmed report is stored: CKC-003 %s, CKC-012 %s", a3[0].Status, a12[0].Status)
	}
	// Something that is neither an answer nor a command keeps the form.
	got = w.say(t, "王经理", "缺失 CKC-003 激光切割机找不到", "嗯", "1")
	if !strings.Contains(got[1], "请回复 1 确认") || !strings.Contains(got[2], "已登记") {
		t.Fatalf("a stray reply gets a reminder and the confirmation still waits: %q", got)
	}
	// A free-text report replaces a pending one too, and 帮助 is answered.
	got = w.say(t, "王经理", "补齐 CKC-003 已找回", "帮助", "1")
	if !strings.Contains(got[1], "已取消") || !strings.Contains(got[1], "缺失") {
		t.Fatalf("帮助 during a confirmation is answered after the note: %q", got[1])
	}
	if strings.Contains(got[2], "已登记") {
		t.Fatalf("after the cancellation 1 confirms nothing: %q", got[2])
	}
	// The status form: a command in the middle cancels it.
	got = w.say(t, "王经理", "报表 2026-10", "资产 投影仪")
	if !strings.Contains(got[1], "报表填报已取消") || !strings.Contains(got[1], "投影仪") {
		t.Fatalf("a command cancels the status form and is answered: %q", got[1])
	}
}

// A description that does not fit the asset named is questioned before it
// is recorded, showing the asset's name, location and price; 1 still
// records it, and a fitting description is asked for plainly.
func TestDescriptionThatDoesNotFitIsQuestioned(t *testing.T) {
	w := newWorld(t)
	got := w.say(t, "王经理", "缺失 CKC-001 三楼会议室投影仪找不到")
	for _, want := range []string{"不符", "三楼会议室", "投影仪", "工业级3D打印机", "一楼创客工坊", "¥268,000.00", "描述更接近", "回复 1", "回复 0"} {
		if !strings.Contains(got[0], want) {
			t.Fatalf("the prompt must name %q: %q", want, got[0])
		}
	}
	a, _ := w.db.AssetsByCode(context.Background(), "CKC-001")
	if a[0].Status != "在册" {
		t.Fatal("nothing is recorded before the answer")
	}
	got = w.say(t, "王经理", "0")
	if !strings.Contains(got[0], "已取消") {
		t.Fatal(got)
	}
	got = w.say(t, "王经理", "缺失 CKC-001 一楼创客工坊的3D打印机不见了", "1")
	if strings.Contains(got[0], "不符") || !strings.Contains(got[1], "已登记") {
		t.Fatalf("a fitting description is not questioned: %q", got)
	}
	// Free text with a code is checked the same way.
	got = w.say(t, "王经理", "CKC-002 二楼机房服务器坏了")
	if !strings.Contains(got[0], "不符") || !strings.Contains(got[0], "二楼机房") {
		t.Fatalf("free text with a code is checked: %q", got[0])
	}
}

// 报表汇总 by half-year and by year: flows summed over the months, stocks
// (在孵企业, 就业) the latest month's.
func TestHalfYearSummary(t *testing.T) {
	w := newWorld(t)
	w.say(t, "王经理", "报表 2026-01", "20", "2", "0", "3", "100", "1", "50", "60", "无", "提交")
	w.say(t, "王经理", "报表 2026-06", "24", "4", "1", "5", "120", "2", "30.5", "70", "无", "提交")
	w.say(t, "王经理", "报表 2026-07", "30", "6", "0", "1", "10", "0", "0", "75", "无", "提交")
	for _, q := range []string{"报表汇总 2026H1", "报表汇总 2026年上半年"} {
		got := w.say(t, "李科长", q)[0]
		for _, want := range []string{"2026年上半年运行情况汇总（1家报送）", "在孵企业（期末） 24 家", "新增入孵 6 家", "毕业 1 家", "举办活动 8 场", "专利申请 3 件", "获得融资 80.50 万元", "就业（期末） 70 人", "创客城（2期）"} {
			if !strings.Contains(got, want) {
				t.Fatalf("%s: want %q in %s", q, want, got)
			}
		}
	}
	got := w.say(t, "李科长", "报表汇总 2026")[0]
	if !strings.Contains(got, "2026年运行情况汇总") || !strings.Contains(got, "在孵企业（期末） 30 家") || !strings.Contains(got, "新增入孵 12 家") {
		t.Fatalf("year: %s", got)
	}
	got = w.say(t, "李科长", "报表汇总 2026H3")[0]
	if !strings.Contains(got, "2021H1") {
		t.Fatalf("a bad period gets the examples: %s", got)
	}
}

// 调拨 in chat: a move recorded with who and when; bad input (nowhere, a
// custodian that is not a name, a missing asset, an unknown code, no
// target) gets a Chinese reply and changes nothing.
func TestTransferInChat(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	got := w.say(t, "王经理", "调拨 CKC-050 到 四楼会议室 责任人 张三 部门调整")
	if !strings.Contains(got[0], "已登记调拨") || !strings.Contains(got[0], "→ 四楼会议室") || !strings.Contains(got[0], "责任人 未登记 → 张三") || !strings.Contains(got[0], "经办：王经理") {
		t.Fatalf("transfer: %q", got[0])
	}
	a, _ := w.db.AssetsByCode(ctx, "CKC-050")
	if a[0].Location != "四楼会议室" || a[0].Custodian != "张三" {
		t.Fatalf("the register follows the transfer: %+v", a[0])
	}
	w.say(t, "王经理", "缺失 CKC-001 一楼创客工坊的3D打印机不见了", "1")
	before, _ := w.db.Transfers(ctx, 0)
	bad := map[string]string{
		"调拨 CKC-050 到 四楼会议室 责任人 张三": "与现在相同",
		"调拨 CKC-050 责任人 张三123":      "一个人的姓名",
		"调拨 CKC-001 到 二楼机房":         "登记为缺失",
		"调拨 XYZ-999 到 二楼机房":         "没有资产编号 XYZ-999",
		"调拨 CKC-050":                "格式：调拨",
		"调拨 CKC-050 到":              "格式：调拨",
	}
	for line, want := range bad {
		if got := w.say(t, "王经理", line)[0]; !strings.Contains(got, want) {
			t.Errorf("%s: want %q in %q", line, want, got)
		}
	}
	after, _ := w.db.Transfers(ctx, 0)
	a, _ = w.db.AssetsByCode(ctx, "CKC-050")
	if len(after) != len(before) || len(after) != 1 || a[0].Location != "四楼会议室" || a[0].Custodian != "张三" {
		t.Fatalf("refused transfers change nothing: %d → %d, %+v", len(before), len(after), a[0])
	}
	if got := w.say(t, "李科长", "调拨 CKC-050 到 二楼机房")[0]; !strings.Contains(got, "只对") {
		t.Fatalf("调拨 is for managers: %q", got)
	}
}

// 报废: a manager asks, an officer approves once; a missing asset, a second
// request, no reason and a second approval are refused, changing nothing.
func TestDisposalInChat(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	got := w.say(t, "王经理", "报废 CKC-060 超过使用年限，主板损坏无法维修", "报废 CKC-060 再申请一次", "报废 CKC-061")
	if !strings.Contains(got[0], "已提交报废申请（申请号 1）") || !strings.Contains(got[1], "等待审批") || !strings.Contains(got[2], "格式：报废") {
		t.Fatalf("request: %q", got)
	}
	w.say(t, "王经理", "缺失 CKC-001 一楼创客工坊的3D打印机不见了", "1")
	if got := w.say(t, "王经理", "报废 CKC-001 找不到了")[0]; !strings.Contains(got, "缺失，不能报废") {
		t.Fatalf("a missing asset is not written off: %q", got)
	}
	got = w.say(t, "李科长", "待审批", "审批 1 驳回", "审批 1 批准 已核实", "审批 1 批准", "审批 99 批准")
	if !strings.Contains(got[0], "CKC-060") || !strings.Contains(got[1], "驳回时请写明原因") || !strings.Contains(got[2], "已批准") ||
		!strings.Contains(got[3], "已经审批过（批准）") || !strings.Contains(got[4], "没有申请号为 99") {
		t.Fatalf("decisions: %q", got)
	}
	a, _ := w.db.AssetsByCode(ctx, "CKC-060")
	if a[0].Status != "已报废" {
		t.Fatalf("approved: %s", a[0].Status)
	}
	if got := w.say(t, "王经理", "损坏 CKC-060 屏幕碎了")[0]; !strings.Contains(got, "已报废核销") {
		t.Fatalf("no report on an asset written off: %q", got)
	}
	if got := w.say(t, "王经理", "报废 CKC-060 再报一次")[0]; !strings.Contains(got, "已报废核销") {
		t.Fatalf("no second disposal: %q", got)
	}
	s := summary(t, w)
	if s.Items != 101 {
		t.Fatalf("written-off assets stay on the register as history: %+v", s)
	}
}
