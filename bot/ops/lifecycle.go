package ops

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/internal/incubator"
)

// registerLifecycle adds the custody commands: 调拨 for managers.
func (o *Ops) registerLifecycle(r *bot.Router) {
	r.AddCommand(bot.Command{Names: []string{"调拨"}, Roles: []string{bot.RoleManager}, Usage: "调拨 <资产编号> 到 <新地点> [责任人 <姓名>]",
		Help: "登记资产调拨（换地点或责任人）", Run: o.transfer})
	r.AddCommand(bot.Command{Names: []string{"报废"}, Roles: []string{bot.RoleManager}, Usage: "报废 <资产编号> <原因>",
		Help: "申请资产报废，科技局审批后核销", Run: o.requestDisposal})
	r.AddCommand(bot.Command{Names: []string{"待审批"}, Roles: []string{bot.RoleOfficer}, Usage: "待审批", Help: "列出等待审批的报废申请", Run: o.pendingDisposals})
	r.AddCommand(bot.Command{Names: []string{"审批"}, Roles: []string{bot.RoleOfficer}, Usage: "审批 <申请号> 批准|驳回 [说明]", Help: "审批报废申请", Run: o.decideDisposal})
}

// requestDisposal records a manager's request to write an asset off.
func (o *Ops) requestDisposal(ctx context.Context, req *bot.Request) (string, error) {
	code, reason, _ := strings.Cut(strings.TrimSpace(req.Args), " ")
	if code == "" || strings.TrimSpace(reason) == "" {
		return "", bot.Userf("格式：报废 <资产编号> <原因>，例如：报废 CKC-060 超过使用年限且无法维修。")
	}
	asset, err := o.assetForManager(ctx, req, strings.ToUpper(code))
	if err != nil {
		return "", err
	}
	d := &incubator.Disposal{AssetID: asset.ID, Kind: "报废", Reason: strings.TrimSpace(reason)}
	err = o.Store.RequestDisposal(ctx, d, actor(req))
	if text, ok := disposalRefusal(err); ok {
		return "", bot.Userf("%s %s：%s", asset.Code, asset.Name, text)
	}
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("已提交报废申请（申请号 %d）：%s %s（%s，%s），原因：%s。科技局审批后核销。", d.ID, d.AssetCode, d.AssetName, orDash(asset.Location), incubator.Yuan(d.Value), d.Reason), nil
}

var reDecide = regexp.MustCompile(`^(\d+)\s*(批准|驳回)\s*(.*)$`)

// decideDisposal approves or rejects a disposal request.
func (o *Ops) decideDisposal(ctx context.Context, req *bot.Request) (string, error) {
	m := reDecide.FindStringSubmatch(strings.TrimSpace(req.Args))
	if m == nil {
		return "", bot.Userf("格式：审批 <申请号> 批准|驳回 [说明]，例如：审批 3 批准。发送“待审批”查看申请号。")
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	approve := m[2] == "批准"
	note := strings.TrimSpace(m[3])
	if !approve && note == "" {
		return "", bot.Userf("驳回时请写明原因，例如：审批 %d 驳回 仍可维修使用。", id)
	}
	d, err := o.Store.DecideDisposal(ctx, id, approve, note, actor(req))
	switch {
	case errors.Is(err, incubator.ErrNotFound):
		return "", bot.Userf("没有申请号为 %d 的报废申请。发送“待审批”查看。", id)
	case err != nil:
		if text, ok := disposalRefusal(err); ok {
			return "", bot.Userf("%s", text)
		}
		return "", err
	}
	if approve {
		return fmt.Sprintf("申请 %d 已批准：%s %s（%s）%s，台账状态改为已报废。", d.ID, d.AssetCode, d.AssetName, d.Incubator, incubator.Yuan(d.Value)), nil
	}
	return fmt.Sprintf("申请 %d 已驳回：%s %s（%s），资产仍在册。", d.ID, d.AssetCode, d.AssetName, d.Incubator), nil
}

func (o *Ops) pendingDisposals(ctx context.Context, req *bot.Request) (string, error) {
	list, err := o.Store.PendingDisposals(ctx)
	if err != nil {
		return "", err
	}
	if len(list) == 0 {
		return "目前没有等待审批的报废申请。", nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "待审批的报废申请（%d条）：申请号｜孵化器｜编号 名称｜原值｜原因｜申请人", len(list))
	for i, d := range list {
		if i == 20 {
			fmt.Fprintf(&b, "\n……其余%d条", len(list)-20)
			break
		}
		fmt.Fprintf(&b, "\n%d｜%s｜%s %s｜%s｜%s｜%s", d.ID, d.Incubator, d.AssetCode, d.AssetName, incubator.Yuan(d.Value), d.Reason, d.Requester)
	}
	b.WriteString("\n审批：审批 <申请号> 批准|驳回 [说明]")
	return b.String(), nil
}

// disposalRefusal renders a disposal rule's refusal.
func disposalRefusal(err error) (string, bool) {
	var r *incubator.Refusal
	if !errors.As(err, &r) {
		return "", false
	}
	switch r.Rule {
	case incubator.RefuseDisposeMissing:
		return "该资产登记为缺失，不能报废：缺失资产须找回或赔偿补齐（发送“补齐 编号”），没有提交申请。", true
	case incubator.RefuseDisposeDone:
		return "该资产已报废核销，无需再次申请。", true
	case incubator.RefuseDisposePending:
		return "该资产已有一份报废申请在等待审批，没有重复提交。", true
	case incubator.RefuseDisposeReason:
		return "请写明报废原因（不超过200字），例如：报废 CKC-060 超过使用年限且无法维修。", true
	case incubator.RefuseDisposalDecided:
		return fmt.Sprintf("申请 %d 已经审批过（%s），不能再次审批。", r.Report, r.Status), true
	case incubator.RefuseWrittenOff:
		return "该资产已报废核销，不能再报送。", true
	}
	return "", false
}

var reTransfer = regexp.MustCompile(`^(\S+)\s*(?:(?:到|至|→|->)\s*(\S+))?\s*(?:(?:责任人|交给|交由)\s*(\S+))?\s*(.*)$`)

const transferUsage = "格式：调拨 <资产编号> 到 <新地点> [责任人 <姓名>]，例如：调拨 CKC-019 到 四楼会议室 责任人 张三；只换责任人：调拨 CKC-019 责任人 张三。"

// transfer records a move of an asset to another location or custodian.
func (o *Ops) transfer(ctx context.Context, req *bot.Request) (string, error) {
	m := reTransfer.FindStringSubmatch(strings.TrimSpace(req.Args))
	if m == nil || (m[2] == "" && m[3] == "") {
		return "", bot.Userf("%s", transferUsage)
	}
	asset, err := o.assetForManager(ctx, req, strings.ToUpper(m[1]))
	if err != nil {
		return "", err
	}
	t, err := o.Store.TransferAsset(ctx, asset.ID, m[2], m[3], strings.TrimSpace(m[4]), actor(req))
	if text, ok := CustodyRefusal(err, asset); ok {
		return "", bot.Userf("%s %s：%s没有登记调拨。", asset.Code, asset.Name, text)
	}
	if err != nil {
		return "", err
	}
	var parts []string
	if t.ToLocation != t.FromLocation {
		parts = append(parts, fmt.Sprintf("地点 %s → %s", orDash(t.FromLocation), t.ToLocation))
	}
	if t.ToCustodian != t.FromCustodian {
		from := t.FromCustodian
		if from == "" {
			from = "未登记"
		}
		parts = append(parts, fmt.Sprintf("责任人 %s → %s", from, t.ToCustodian))
	}
	return fmt.Sprintf("已登记调拨（第%d号）：%s %s，%s。经办：%s，%s。", t.ID, t.AssetCode, t.AssetName, strings.Join(parts, "，"), t.By, t.At.Local().Format("2006-01-02 15:04")), nil
}

// CustodyRefusal renders a custody rule's refusal (chat and CLI).
func CustodyRefusal(err error, a incubator.Asset) (string, bool) {
	var r *incubator.Refusal
	if !errors.As(err, &r) {
		return "", false
	}
	switch r.Rule {
	case incubator.RefuseTransferNowhere:
		return fmt.Sprintf("新地点和责任人与现在相同（%s，责任人%s），", orDash(a.Location), orNone(a.Custodian)), true
	case incubator.RefuseCustodianFormat:
		return "责任人请写一个人的姓名（2到20个汉字或字母，如 张三），", true
	case incubator.RefuseLocationFormat:
		return "新地点请写成一个不超过50字的地点名称（如 四楼会议室），", true
	case incubator.RefuseTransferMissing:
		return "该资产登记为缺失，找回并报“补齐”后才能调拨，", true
	}
	return "这次调拨不符合台账规则，", true
}

func orNone(s string) string {
	if s == "" {
		return "未登记"
	}
	return s
}
