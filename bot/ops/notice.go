package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/internal/model"
)

// NoticeStore issues and follows compensation notices.
type NoticeStore interface {
	CreateNotice(ctx context.Context, stocktakeID int64, number, prefix string, deadline, now time.Time, a model.Actor) (incubator.Notice, error)
	Notices(ctx context.Context) ([]incubator.Notice, error)
}

// DefaultNoticeDays is the time a notice gives to replace the items.
const DefaultNoticeDays = 90

func (o *Ops) registerNotices(r *bot.Router, store NoticeStore) {
	officers := []string{bot.RoleOfficer}
	r.AddCommand(bot.Command{Names: []string{"赔偿通知"}, Roles: officers, Usage: "赔偿通知 <孵化器> [文号] [期限 2021-05-31]",
		Help: "按最近一次已结束盘点的缺失资产出具赔偿通知", Run: func(ctx context.Context, req *bot.Request) (string, error) { return o.issueNotice(ctx, req, store) }})
	r.AddCommand(bot.Command{Names: []string{"赔偿跟踪"}, Roles: officers, Usage: "赔偿跟踪",
		Help: "赔偿通知各项的补齐、核验和逾期情况", Run: func(ctx context.Context, req *bot.Request) (string, error) { return o.followNotices(ctx, req, store) }})
}

// noticeRefusal renders a refusal of the notice rules.
func noticeRefusal(err error) (string, bool) {
	var r *incubator.Refusal
	if !errors.As(err, &r) {
		return "", false
	}
	switch r.Rule {
	case incubator.RefuseNotClosed:
		return fmt.Sprintf("%s还没有结束，缺失清单未定，不能出具赔偿通知。请先结束盘点（盘点 结束 孵化器名）。", r.Kind), true
	case incubator.RefuseNoMissing:
		return fmt.Sprintf("%s没有发现缺失资产，无需出具赔偿通知。", r.Kind), true
	case incubator.RefuseNoticeExists:
		return fmt.Sprintf("这次盘点已出具赔偿通知（%s），没有重复出具。发送“赔偿跟踪”查看进展。", r.Kind), true
	case incubator.RefuseNoticeNumberUsed:
		return fmt.Sprintf("文号 %s 已被其他通知使用，没有出具。请换一个文号，或不写文号由系统编号。", r.Kind), true
	}
	return "", false
}

func (o *Ops) issueNotice(ctx context.Context, req *bot.Request, store NoticeStore) (string, error) {
	fields := strings.Fields(req.Args)
	if len(fields) == 0 {
		return "", bot.Userf("格式：赔偿通知 <孵化器> [文号] [期限 2021-05-31]，例如：赔偿通知 创客城 柳鱼科字〔2021〕3号 2021-05-31。")
	}
	inc, err := o.Stocktakes.IncubatorByName(ctx, fields[0])
	if errors.Is(err, model.ErrNotFound) {
		return "", bot.Userf("没有名为“%s”的孵化器，没有出具通知。请核对名称。", fields[0])
	}
	if err != nil {
		return "", err
	}
	number := ""
	deadline := o.Now().AddDate(0, 0, DefaultNoticeDays)
	for _, f := range fields[1:] {
		if d, err := time.ParseInLocation(time.DateOnly, f, time.Local); err == nil {
			if !d.After(o.Now()) || d.After(o.Now().AddDate(2, 0, 0)) {
				return "", bot.Userf("期限 %s 应在今天之后、两年之内，没有出具通知。", f)
			}
			deadline = d
			continue
		}
		number = incubator.CleanNoticeNumber(f)
		if !incubator.ValidNoticeNumber(number) {
			return "", bot.Userf("“%s”不像文号（应如 柳鱼科字〔2021〕3号），期限请写成 2021-05-31。没有出具通知。", f)
		}
	}
	list, err := o.Stocktakes.Stocktakes(ctx, inc.ID)
	if err != nil {
		return "", err
	}
	if len(list) == 0 {
		return "", bot.Userf("%s还没有盘点记录，无法出具赔偿通知。", inc.Name)
	}
	prefix := o.NoticePrefix
	if prefix == "" {
		prefix = incubator.DefaultNoticePrefix
	}
	n, err := store.CreateNotice(ctx, list[0].ID, number, prefix, deadline, o.Now(), actor(req))
	if err != nil {
		return "", userErr(err)
	}
	return fmt.Sprintf("已出具赔偿通知 %s：致%s，缺失资产 %d 项，原值合计 %s（%s），补齐期限 %s。\n通知书（.docx）：incubot notice export %s -o 通知.docx",
		n.Number, n.Operator, len(n.Items), incubator.Yuan(n.Total()), incubator.ChineseAmount(n.Total()), n.Deadline.Format("2006-01-02"), n.Number), nil
}

func (o *Ops) followNotices(ctx context.Context, req *bot.Request, store NoticeStore) (string, error) {
	list, err := store.Notices(ctx)
	if err != nil {
		return "", err
	}
	if len(list) == 0 {
		return "还没有出具过赔偿通知。", nil
	}
	return NoticeFollowUp(list, o.Now()), nil
}

// NoticeFollowUp is the officers' view of notices: per notice the items
// replaced and verified, waiting, outstanding, and those overdue by code.
func NoticeFollowUp(list []incubator.Notice, today time.Time) string {
	var b strings.Builder
	b.WriteString("赔偿通知跟踪：")
	for i := range list {
		n := &list[i]
		done, doneV := n.Count(incubator.ItemReplaced)
		pend, _ := n.Count(incubator.ItemPending)
		out, outV := n.Count(incubator.ItemOutstanding)
		fmt.Fprintf(&b, "\n\n%s（%s，期限 %s）\n共 %d 项 %s；已补齐核验 %d 项 %s；待核验 %d 项；未补齐 %d 项 %s",
			n.Number, n.Incubator, n.Deadline.Format("2006-01-02"), len(n.Items), incubator.Yuan(n.Total()), done, incubator.Yuan(doneV), pend, out, incubator.Yuan(outV))
		if late := n.Overdue(today); len(late) > 0 {
			var codes []string
			for _, it := range late[:min(len(late), 10)] {
				codes = append(codes, it.Code)
			}
			more := ""
			if len(late) > 10 {
				more = fmt.Sprintf("等%d项", len(late))
			}
			fmt.Fprintf(&b, "\n已逾期未核验 %d 项：%s%s", len(late), strings.Join(codes, "、"), more)
		}
	}
	return b.String()
}
