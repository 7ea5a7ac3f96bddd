package ops

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/internal/incubator"
)

// registerLifecycle adds the custody commands: 调拨 for managers.
func (o *Ops) registerLifecycle(r *bot.Router) {
	r.AddCommand(bot.Command{Names: []string{"调拨"}, Roles: []string{bot.RoleManager}, Usage: "调拨 <资产编号> 到 <新地点> [责任人 <姓名>]",
		Help: "登记资产调拨（换地点或责任人）", Run: o.transfer})
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
