package ops

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/internal/model"
)

// StocktakeStore is what stock-takes and compensation notices read and
// change.
type StocktakeStore interface {
	IncubatorByName(ctx context.Context, name string) (incubator.Incubator, error)
	OpenStocktake(ctx context.Context, incubatorID int, now time.Time, a model.Actor) (incubator.Stocktake, error)
	CurrentStocktake(ctx context.Context, incubatorID int) (incubator.Stocktake, error)
	Stocktakes(ctx context.Context, incubatorID int) ([]incubator.Stocktake, error)
	StocktakeProgress(ctx context.Context, id int64) ([]incubator.LocationProgress, error)
	StocktakePage(ctx context.Context, id, personID int64, location string) ([]incubator.StocktakeItem, error)
	MarkStocktake(ctx context.Context, id, personID, msgRow int64, m incubator.Mark, now time.Time, a model.Actor) (incubator.MarkOutcome, error)
	AddStocktakeExtra(ctx context.Context, id, personID, msgRow int64, description string, now time.Time, a model.Actor) (incubator.StocktakeExtra, bool, error)
	StocktakeResult(ctx context.Context, id int64) (incubator.StocktakeResult, error)
	CloseStocktake(ctx context.Context, id int64, now time.Time, a model.Actor) (incubator.StocktakeResult, error)
	StocktakeExtras(ctx context.Context, id int64) ([]incubator.StocktakeExtra, error)
	EnterStocktakeExtra(ctx context.Context, extraID int64, x incubator.Asset, a model.Actor) (incubator.Asset, error)
	NoticeStore
}

func (o *Ops) registerStocktake(r *bot.Router) {
	if o.Stocktakes == nil {
		return
	}
	managers := []string{bot.RoleManager}
	both := []string{bot.RoleManager, bot.RoleOfficer}
	r.AddCommand(bot.Command{Names: []string{"盘点"}, Roles: both, Usage: "盘点 [地点或序号]｜盘点 开始|结束|进度|结果 <孵化器>",
		Help: "资产盘点：工作人员发起和结束，管理员按地点逐项清点", Run: o.stocktake})
	for _, w := range []string{"在", "缺", "坏", "移"} {
		r.AddCommand(bot.Command{Names: []string{w}, Roles: managers, Usage: w + " <序号或编号>", Help: "盘点时标记：在 1-5｜缺 2｜坏 3 说明｜移 4 新地点", Run: o.mark})
	}
	r.AddCommand(bot.Command{Names: []string{"盘盈"}, Roles: managers, Usage: "盘盈 <描述>", Help: "盘点时发现台账外的资产", Run: o.extra})
	r.AddCommand(bot.Command{Names: []string{"盘盈入账"}, Roles: []string{bot.RoleOfficer}, Usage: "盘盈入账 <盘盈号> <资产编号> <单价> [类别]",
		Help: "把盘点发现的台账外资产登记入台账", Run: o.enterExtra})
	o.registerNotices(r, o.Stocktakes)
}

// stocktakeRefusal renders a refusal of the stock-take rules.
func stocktakeRefusal(err error) (string, bool) {
	var r *incubator.Refusal
	if !errors.As(err, &r) {
		return "", false
	}
	switch r.Rule {
	case incubator.RefuseStocktakeOpen:
		return fmt.Sprintf("该孵化器已有进行中的盘点（%s），同一时间只能有一次盘点。请先发送“盘点 结束 孵化器名”结束它，没有新建盘点。", r.Kind), true
	case incubator.RefuseNoStocktake:
		return "目前没有进行中的盘点，没有记录任何内容。盘点由区科技局发起（盘点 开始 孵化器名）。", true
	case incubator.RefuseStocktakeClosed:
		return fmt.Sprintf("%s已经结束，不能重复结束。发送“盘点 结果 孵化器名”查看结果。", r.Kind), true
	case incubator.RefuseMarkSyntax:
		return "没看懂要标记哪些资产，没有记录。请写序号或资产编号，例如：在 1-5 7｜缺 2｜坏 3 屏幕裂｜移 4 三楼会议室｜在 全部。", true
	case incubator.RefuseTooMany:
		return fmt.Sprintf("一条消息最多标记%d项，没有记录。请分几条发送。", incubator.MaxMarksPerMessage), true
	case incubator.RefuseTextTooLong:
		return fmt.Sprintf("说明太长（最多%d字），没有记录。请精简后重发。", incubator.MaxFindingText), true
	case incubator.RefuseNoPage:
		return "还没有选择盘点地点，序号无从对应，没有记录。请先发送“盘点”查看地点，再发送“盘点 序号”；也可以直接写资产编号，例如：在 CKC-001。", true
	case incubator.RefuseUnknownRefs:
		return fmt.Sprintf("本次盘点中没有这些序号或编号：%s。没有记录任何一项，请核对后重发（序号指最近一次显示的清单）。", r.Kind), true
	case incubator.RefuseMoveNowhere:
		return "请写明资产现在的位置，例如：移 4 三楼会议室。没有记录。", true
	case incubator.RefuseExtraUnknown:
		return fmt.Sprintf("没有盘盈号 %s 的台账外资产，没有入账。盘盈号见“盘点 结果 孵化器名”。", r.Kind), true
	case incubator.RefuseExtraEntered:
		return fmt.Sprintf("这项盘盈已经入账（编号 %s），没有重复入账。", r.Kind), true
	case incubator.RefuseCodeInUse:
		return fmt.Sprintf("台账中已有编号 %s 的资产，没有入账。请换一个未用过的编号。", r.Kind), true
	case incubator.RefuseEmptyRegister:
		return "该孵化器台账中还没有资产，无法盘点。请先导入台账（incubot assets import）。", true
	}
	return "", false
}

// userErr turns a refusal into the reply, and passes anything else on.
func userErr(err error) error {
	if text, ok := stocktakeRefusal(err); ok {
		return bot.Userf("%s", text)
	}
	if text, ok := noticeRefusal(err); ok {
		return bot.Userf("%s", text)
	}
	return err
}

func (o *Ops) stocktake(ctx context.Context, req *bot.Request) (string, error) {
	if req.Person.Role == bot.RoleOfficer {
		return o.officerStocktake(ctx, req)
	}
	st, err := o.Stocktakes.CurrentStocktake(ctx, req.Person.IncubatorID)
	if errors.Is(err, model.ErrNotFound) {
		return "", bot.Userf("%s目前没有进行中的盘点。盘点由区科技局发起，发起后您会在这里逐项清点。", req.Person.Incubator)
	}
	if err != nil {
		return "", err
	}
	progress, err := o.Stocktakes.StocktakeProgress(ctx, st.ID)
	if err != nil {
		return "", err
	}
	arg := strings.TrimSpace(req.Args)
	if arg == "" || arg == "进度" {
		return progressText(st, progress, true), nil
	}
	loc, ok := pickLocation(progress, arg)
	if !ok {
		return "", bot.Userf("没有“%s”这个地点（或序号）。发送“盘点”查看地点清单。", arg)
	}
	page, err := o.Stocktakes.StocktakePage(ctx, st.ID, req.Person.ID, loc)
	if err != nil {
		return "", userErr(err)
	}
	return pageText(loc, page, progress), nil
}

// pickLocation finds a location by its number in the progress list, its
// name, or a part of its name that only it has.
func pickLocation(progress []incubator.LocationProgress, arg string) (string, bool) {
	if n, err := strconv.Atoi(arg); err == nil {
		if n >= 1 && n <= len(progress) {
			return progress[n-1].Location, true
		}
		return "", false
	}
	found := ""
	for _, p := range progress {
		if p.Location == arg {
			return arg, true
		}
		if strings.Contains(p.Location, arg) {
			if found != "" {
				return "", false
			}
			found = p.Location
		}
	}
	return found, found != ""
}

func progressText(st incubator.Stocktake, progress []incubator.LocationProgress, hint bool) string {
	total, checked := 0, 0
	for _, p := range progress {
		total += p.Total
		checked += p.Checked
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s：已盘 %d/%d 项", st.Incubator, st.Label(), checked, total)
	for i, p := range progress {
		mark := ""
		if p.Checked == p.Total {
			mark = " ✓"
		}
		fmt.Fprintf(&b, "\n%d. %s %d/%d%s", i+1, orDash(p.Location), p.Checked, p.Total, mark)
	}
	if hint {
		b.WriteString("\n回复“盘点 序号”清点该地点，随时可停，下次接着盘。")
	}
	return b.String()
}

// pageText shows the unchecked items of a page with the numbers they were
// shown with: they keep them until the whole page is checked.
func pageText(loc string, page []incubator.StocktakeItem, progress []incubator.LocationProgress) string {
	var b strings.Builder
	left := 0
	for _, p := range progress {
		if p.Location == loc {
			left = p.Total - p.Checked
		}
	}
	if left == 0 {
		return fmt.Sprintf("【%s】已全部盘完。发送“盘点”选择下一个地点；发现台账外的资产请发“盘盈 描述”。", orDash(loc))
	}
	fmt.Fprintf(&b, "【%s】未盘 %d 项，本页：", orDash(loc), left)
	for i, it := range page {
		if it.Result == "" {
			fmt.Fprintf(&b, "\n%d. %s %s %s", i+1, it.Code, it.Name, it.Spec)
		}
	}
	b.WriteString("\n回复：在 1-3｜缺 2｜坏 3 说明｜移 4 新地点｜在 全部")
	return b.String()
}

func (o *Ops) mark(ctx context.Context, req *bot.Request) (string, error) {
	word, _, _ := strings.Cut(strings.TrimLeft(strings.TrimSpace(req.Text), "#＃/"), " ")
	result := ""
	for _, w := range []string{"在", "缺", "坏", "移"} {
		if strings.HasPrefix(word, w) {
			result, _ = incubator.MarkWord(w)
		}
	}
	st, err := o.Stocktakes.CurrentStocktake(ctx, req.Person.IncubatorID)
	if errors.Is(err, model.ErrNotFound) {
		return "", userErr(incubator.NewRefusal(incubator.RefuseNoStocktake, "", true))
	}
	if err != nil {
		return "", err
	}
	m, err := incubator.ParseMark(result, req.Args)
	if err != nil {
		return "", userErr(err)
	}
	out, err := o.Stocktakes.MarkStocktake(ctx, st.ID, req.Person.ID, req.RowID, m, o.Now(), actor(req))
	if err != nil {
		return "", userErr(err)
	}
	progress, err := o.Stocktakes.StocktakeProgress(ctx, st.ID)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if out.Repeated {
		b.WriteString("这条消息已经记录过，没有重复记录。")
	} else {
		var codes []string
		for _, it := range out.Marked {
			codes = append(codes, it.Code)
		}
		fmt.Fprintf(&b, "已记“%s” %d 项：%s", result, len(out.Marked), strings.Join(codes, "、"))
		if result == incubator.FoundMoved && len(out.Marked) > 0 {
			fmt.Fprintf(&b, "（现在：%s）", out.Marked[0].NewLocation)
		}
	}
	total, checked := 0, 0
	for _, p := range progress {
		total += p.Total
		checked += p.Checked
	}
	fmt.Fprintf(&b, "。已盘 %d/%d。", checked, total)
	if out.Location != "" {
		if out.NewPage && len(out.Page) > 0 {
			b.WriteString("\n本页已盘完，下一页（序号重新编排）：")
		}
		b.WriteString("\n" + pageText(out.Location, out.Page, progress))
	}
	return b.String(), nil
}

func (o *Ops) extra(ctx context.Context, req *bot.Request) (string, error) {
	st, err := o.Stocktakes.CurrentStocktake(ctx, req.Person.IncubatorID)
	if errors.Is(err, model.ErrNotFound) {
		return "", userErr(incubator.NewRefusal(incubator.RefuseNoStocktake, "", true))
	}
	if err != nil {
		return "", err
	}
	desc, err := incubator.CleanFindingText(req.Args)
	if err != nil {
		if strings.TrimSpace(req.Args) == "" {
			return "", bot.Userf("请描述台账外的资产，例如：盘盈 投影仪 爱普生 CB-X06 在路演厅。")
		}
		return "", userErr(err)
	}
	e, repeated, err := o.Stocktakes.AddStocktakeExtra(ctx, st.ID, req.Person.ID, req.RowID, desc, o.Now(), actor(req))
	if err != nil {
		return "", userErr(err)
	}
	if repeated {
		return "这条消息已经记录过，没有重复记录。", nil
	}
	return fmt.Sprintf("已记盘盈（台账外）：%s（%s）。结束盘点后由科技局决定是否入账。", e.Description, orDash(e.Location)), nil
}

// officerStocktake: 盘点 开始|结束|进度|结果 <孵化器>.
func (o *Ops) officerStocktake(ctx context.Context, req *bot.Request) (string, error) {
	verb, name, _ := strings.Cut(strings.TrimSpace(req.Args), " ")
	name = strings.TrimSpace(name)
	usage := "格式：盘点 开始|结束|进度|结果 <孵化器名>，例如：盘点 开始 创客城。"
	if verb == "" {
		list, err := o.Stocktakes.Stocktakes(ctx, 0)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		for _, s := range list {
			if s.Status != incubator.StocktakeClosed {
				fmt.Fprintf(&b, "\n%s %s（%s 发起）", s.Incubator, s.Label(), s.OpenedAt.Local().Format("2006-01-02"))
			}
		}
		if b.Len() == 0 {
			return "目前没有进行中的盘点。" + usage, nil
		}
		return "进行中的盘点：" + b.String() + "\n" + usage, nil
	}
	if name == "" {
		return "", bot.Userf("请写明孵化器名。%s", usage)
	}
	inc, err := o.Stocktakes.IncubatorByName(ctx, name)
	if errors.Is(err, model.ErrNotFound) {
		return "", bot.Userf("没有名为“%s”的孵化器，没有做任何改动。请核对名称。", name)
	}
	if err != nil {
		return "", err
	}
	current := func() (incubator.Stocktake, error) {
		st, err := o.Stocktakes.CurrentStocktake(ctx, inc.ID)
		if errors.Is(err, model.ErrNotFound) {
			return st, bot.Userf("%s目前没有进行中的盘点，没有做任何改动。发起：盘点 开始 %s。", inc.Name, inc.Name)
		}
		return st, err
	}
	switch verb {
	case "开始", "发起":
		st, err := o.Stocktakes.OpenStocktake(ctx, inc.ID, o.Now(), actor(req))
		if err != nil {
			return "", userErr(err)
		}
		progress, err := o.Stocktakes.StocktakeProgress(ctx, st.ID)
		if err != nil {
			return "", err
		}
		return "已发起" + progressText(st, progress, false) + "\n请通知管理员私聊我发送“盘点”开始清点。结束：盘点 结束 " + inc.Name + "。", nil
	case "进度":
		st, err := current()
		if err != nil {
			return "", err
		}
		progress, err := o.Stocktakes.StocktakeProgress(ctx, st.ID)
		if err != nil {
			return "", err
		}
		return progressText(st, progress, false), nil
	case "结束", "关闭":
		st, err := current()
		if err != nil {
			return "", err
		}
		res, err := o.Stocktakes.CloseStocktake(ctx, st.ID, o.Now(), actor(req))
		if err != nil {
			return "", userErr(err)
		}
		extras, err := o.extrasText(ctx, st.ID)
		if err != nil {
			return "", err
		}
		head := "盘点已结束，缺失、损坏已记入台账并核验。"
		if res.Moved.Count > 0 {
			head = "盘点已结束，缺失、损坏已记入台账并核验，不在原位置的资产已按发现地点登记调拨（经办人：" + req.Person.Name + "）。"
		}
		return head + "\n" + res.Summary() + extras + "\n导出：incubot stocktake export " + strconv.FormatInt(st.ID, 10) + " -o 盘点.xlsx（或 .docx）", nil
	case "结果":
		list, err := o.Stocktakes.Stocktakes(ctx, inc.ID)
		if err != nil {
			return "", err
		}
		if len(list) == 0 {
			return "", bot.Userf("%s还没有盘点记录。", inc.Name)
		}
		res, err := o.Stocktakes.StocktakeResult(ctx, list[0].ID)
		if err != nil {
			return "", err
		}
		extras, err := o.extrasText(ctx, list[0].ID)
		if err != nil {
			return "", err
		}
		return res.Summary() + extras, nil
	}
	return "", bot.Userf("没有“%s”这个盘点操作。%s", verb, usage)
}

// extrasText lists a stock-take's 盘盈 with their numbers, and how to add
// one to the register.
func (o *Ops) extrasText(ctx context.Context, id int64) (string, error) {
	extras, err := o.Stocktakes.StocktakeExtras(ctx, id)
	if err != nil || len(extras) == 0 {
		return "", err
	}
	var b strings.Builder
	b.WriteString("\n台账外（盘盈）：盘盈号｜描述｜地点")
	waiting := false
	for i, e := range extras {
		if i == 20 {
			fmt.Fprintf(&b, "\n……共%d项", len(extras))
			break
		}
		state := ""
		if e.Entered != "" {
			state = "｜已入账 " + e.Entered
		} else {
			waiting = true
		}
		fmt.Fprintf(&b, "\n%d｜%s｜%s%s", e.ID, e.Description, orDash(e.Location), state)
	}
	if waiting {
		b.WriteString("\n入账：盘盈入账 <盘盈号> <资产编号> <单价> [类别]")
	}
	return b.String(), nil
}

const enterExtraUsage = "格式：盘盈入账 <盘盈号> <资产编号> <单价> [类别]，例如：盘盈入账 3 CKC-102 3500 办公设备。盘盈号见“盘点 结果 孵化器名”。"

// enterExtra adds a 盘盈 item to the register.
func (o *Ops) enterExtra(ctx context.Context, req *bot.Request) (string, error) {
	f := strings.Fields(req.Args)
	if len(f) < 3 || len(f) > 4 {
		return "", bot.Userf("没有入账。%s", enterExtraUsage)
	}
	x, id, problem := ExtraAsset(f[0], f[1], f[2], strings.Join(f[3:], ""))
	if problem != "" {
		return "", bot.Userf("%s没有入账。%s", problem, enterExtraUsage)
	}
	a, err := o.Stocktakes.EnterStocktakeExtra(ctx, id, x, actor(req))
	if err != nil {
		return "", userErr(err)
	}
	return fmt.Sprintf("已入账：%s %s %s（%s），单价 %s，类别 %s。台账在册资产已增加 1 项。", a.Code, a.Name, a.Spec, orDash(a.Location), incubator.Yuan(a.UnitPrice), orDash(a.Category)), nil
}

// ExtraAsset checks the officer's figures for 盘盈入账 (chat and CLI): the
// number, a code, a unit price within the register's bounds and a category;
// problem says in Chinese what is wrong.
func ExtraAsset(num, code, price, category string) (x incubator.Asset, id int64, problem string) {
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(num), "#"), 10, 64)
	if err != nil || id <= 0 {
		return x, 0, fmt.Sprintf("“%s”不是盘盈号。", num)
	}
	x.Code = strings.ToUpper(incubator.CleanCode(code))
	if x.Code == "" || len([]rune(x.Code)) > 50 {
		return x, 0, "资产编号应为1到50个字符。"
	}
	fen, err := incubator.ParseYuan(price)
	if err != nil || fen > incubator.MaxUnitPrice {
		return x, 0, fmt.Sprintf("单价“%s”不是0到%s之间的金额。", price, incubator.Yuan(incubator.MaxUnitPrice))
	}
	x.UnitPrice = fen
	x.Category = strings.TrimSpace(category)
	if len([]rune(x.Category)) > 20 {
		return x, 0, "类别最多20个字。"
	}
	return x, id, ""
}

// RefusalText renders a refusal of the stock-take or notice rules in
// Chinese, for the CLI and the console; ok is false for any other error.
func RefusalText(err error) (string, bool) {
	if text, ok := stocktakeRefusal(err); ok {
		return text, true
	}
	return noticeRefusal(err)
}
