// Package ops puts incubator operations into the chat: binding people,
// asset reports by managers (commands or free text) with confirmation,
// verification and summaries for officers, and the status-report form.
package ops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/internal/model"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/zh"
)

// Store is what the incubator commands read and change: people and their
// codes, the asset register and its reports, status reports, unanswered
// questions. Every change carries the actor, for the audit log.
type Store interface {
	Invitation(ctx context.Context, codeHash string, now time.Time) (model.PersonRecord, error)
	Bind(ctx context.Context, codeHash, channel, contactKey, contactName, chatID string, now time.Time) (model.PersonRecord, error)

	Assets(ctx context.Context, incubatorID int, status string) ([]incubator.Asset, error)
	AssetsByCode(ctx context.Context, code string) ([]incubator.Asset, error)
	AssetSummaries(ctx context.Context, incubatorID int) ([]model.AssetSummary, error)
	CreateAssetReport(ctx context.Context, rep *incubator.AssetReport, a model.Actor) error
	PendingAssetReports(ctx context.Context) ([]incubator.AssetReport, error)
	AssetReports(ctx context.Context, from, to time.Time) ([]incubator.AssetReport, error)
	TransferAsset(ctx context.Context, assetID int64, location, custodian, note string, a model.Actor) (incubator.Transfer, error)
	RequestDisposal(ctx context.Context, d *incubator.Disposal, a model.Actor) error
	DecideDisposal(ctx context.Context, id int64, approve bool, note string, a model.Actor) (incubator.Disposal, error)
	PendingDisposals(ctx context.Context) ([]incubator.Disposal, error)
	ReviewReport(ctx context.Context, id int64, passed bool, note string, a model.Actor) (incubator.AssetReport, error)

	SaveStatusReport(ctx context.Context, r *incubator.StatusReport, a model.Actor) (replaced bool, err error)
	StatusReports(ctx context.Context, from, to string, history bool) ([]incubator.StatusReport, error)
	SpanStatusReports(ctx context.Context, sp incubator.Span) ([]incubator.StatusReport, error)

	Questions(ctx context.Context, since time.Time, unansweredOnly bool) ([]model.QuestionLog, error)
}

// Ops are the incubator commands of the bot.
type Ops struct {
	Store Store
	// Docs is the policy library, for retiring a document in chat.
	Docs corpus.Store
	Now  func() time.Time
	// ConsoleLink issues a one-time sign-in link to the web console and
	// says for how many minutes it holds; nil when no console is served.
	ConsoleLink func(ctx context.Context, personID int64) (link string, minutes int, err error)
	// Stocktakes keeps stock-takes and compensation notices; nil: no such commands.
	Stocktakes StocktakeStore
	// NoticePrefix is the 文号 prefix of generated notice numbers.
	NoticePrefix string
}

// Register adds the commands, forms and the free-text interceptor.
func (o *Ops) Register(r *bot.Router) {
	managers := []string{bot.RoleManager}
	officers := []string{bot.RoleOfficer}
	both := []string{bot.RoleManager, bot.RoleOfficer}
	r.AddCommand(bot.Command{Names: []string{"绑定"}, Usage: "绑定 <绑定码>", Help: "管理员、工作人员绑定身份（私聊）", Run: o.bind})
	for _, word := range []string{"缺失", "损坏", "补齐"} {
		r.AddCommand(bot.Command{Names: []string{word}, Roles: managers, Usage: word + " <资产编号> [说明]", Help: "报送资产" + word, Run: o.reportCommand(word)})
	}
	r.AddCommand(bot.Command{Names: []string{"找到", "找回", "丢失", "遗失"}, Roles: managers, Usage: "找到 <资产编号>", Help: "同“补齐”", Run: o.reportCommandAlias})
	r.AddCommand(bot.Command{Names: []string{"资产汇总"}, Roles: both, Usage: "资产汇总", Help: "各孵化器资产在册、缺失、补齐、核验情况", Run: o.assetSummary})
	r.AddCommand(bot.Command{Names: []string{"资产"}, Roles: both, Usage: "资产 <编号或名称>", Help: "查询台账中的资产", Run: o.findAsset})
	r.AddCommand(bot.Command{Names: []string{"核验"}, Roles: officers, Usage: "核验 <报告号> 通过|不通过 [说明]", Help: "核验资产报送", Run: o.review})
	r.AddCommand(bot.Command{Names: []string{"待核验"}, Roles: officers, Usage: "待核验", Help: "列出等待核验的资产报送", Run: o.pending})
	r.AddCommand(bot.Command{Names: []string{"报表汇总"}, Roles: officers, Usage: "报表汇总 <期间>", Help: "某月、季度、半年或全年各孵化器运行情况汇总，如 报表汇总 2021-06、2021H1、2021", Run: o.statusSummary})
	r.AddCommand(bot.Command{Names: []string{"废止"}, Roles: officers, Usage: "废止 <文件名或文号>", Help: "停止引用某个政策文件（需确认）", Run: o.retire})
	r.AddCommand(bot.Command{Names: []string{"未答问题"}, Roles: officers, Usage: "未答问题 [天数]", Help: "政策库未能回答、或提问者评价没用的问题（默认近7天）", Run: o.unanswered})
	r.AddCommand(bot.Command{Names: []string{"后台"}, Roles: both, Usage: "后台", Help: "网页后台的一次性登录链接（私聊）", Run: o.consoleLink})
	r.AddCommand(bot.Command{Names: []string{"报表"}, Roles: managers, Usage: "报表 [期间]", Help: "填报月度或季度运行情况，如 报表 2026-10", Run: o.startStatusForm})
	r.AddForm("asset_pick", managers, o.pickForm)
	r.AddForm("asset_confirm", managers, o.confirmForm)
	r.AddForm("status", managers, o.statusForm)
	r.AddForm("doc_retire", officers, o.retireForm)
	o.registerStocktake(r)
	o.registerLifecycle(r)
	r.AddInterceptor(o.freeText)
}

func actor(req *bot.Request) model.Actor {
	return model.Actor{Name: req.Person.Name, Role: req.Person.Role, Channel: req.Msg.Channel}
}

// bind binds the sender to the person a code was issued for. The code
// counts only in a private chat; anywhere else the router has voided it
// already. The channel first gives the contact an identity the bot
// controls (on WeChat a remark name), and the binding rests on that.
func (o *Ops) bind(ctx context.Context, req *bot.Request) (string, error) {
	if req.Msg.ChatKind != bot.Private {
		if req.Voided {
			return "", bot.Userf("绑定码不能在群里发送：这个绑定码已经作废，发码的工作人员已收到提醒。请向区科技局重新索取，并只在与我的私聊中发送“绑定 绑定码”。")
		}
		return "", bot.Userf("为保护绑定码，请私聊我发送“绑定 绑定码”，不要在群里发送。")
	}
	code := strings.TrimSpace(req.Code)
	switch {
	case code == "":
		return "", bot.Userf("请发送“绑定 绑定码”，绑定码由区科技局提供。")
	case code == bot.Redacted:
		return "", bot.Userf("这条绑定消息没有处理完，绑定码已按规定隐去。请重新发送“绑定 绑定码”。")
	}
	hash := model.HashCode(code)
	inv, err := o.Store.Invitation(ctx, hash, o.Now())
	switch {
	case errors.Is(err, model.ErrNotFound):
		return "", bot.Userf("绑定码无效、已使用或已过期。请向区科技局重新索取。")
	case err != nil:
		return "", err
	}
	label := fmt.Sprintf("%s#%d", inv.Name, inv.ID)
	sender, chat, err := req.Anchor(ctx, label)
	if err != nil {
		return "", bot.Userf("绑定没有完成：我需要把您在机器人微信里的备注设为“%s”，但微信暂时不允许。请联系区科技局在机器人的手机上把您的备注改为“%s”，然后再发送一次“绑定 绑定码”（绑定码仍然有效）。", label, label)
	}
	p, err := o.Store.Bind(ctx, hash, req.Msg.Channel, sender, req.Msg.SenderName, chat, o.Now())
	switch {
	case errors.Is(err, model.ErrNotFound):
		return "", bot.Userf("绑定码无效、已使用或已过期。请向区科技局重新索取。")
	case errors.Is(err, model.ErrConflict):
		return "", bot.Userf("这个微信号已经绑定了其他身份。如需更换，请联系区科技局先解除原绑定。")
	case err != nil:
		return "", err
	}
	who := "科技局工作人员"
	if p.Role == bot.RoleManager {
		who = p.Incubator + "管理员"
	}
	return fmt.Sprintf("绑定成功：%s，您的身份是%s。发送“帮助”查看可用的指令。", p.Name, who), nil
}

// confirmState is a report waiting for "1".
type confirmState struct {
	Kind    string `json:"kind"`
	AssetID int64  `json:"asset_id"`
	Report  string `json:"report"`
	Note    string `json:"note"`
	Raw     string `json:"raw"`
	Summary string `json:"summary"`
}

// pickState is a free-text report waiting for the asset to be chosen.
type pickState struct {
	Kind       string  `json:"kind"`
	Candidates []int64 `json:"candidates"`
	Report     string  `json:"report"`
	Raw        string  `json:"raw"`
}

func (o *Ops) reportCommandAlias(ctx context.Context, req *bot.Request) (string, error) {
	word, _, _ := strings.Cut(strings.TrimLeft(req.Text, "#＃/"), " ")
	for _, w := range []string{"找到", "找回", "丢失", "遗失"} {
		if strings.HasPrefix(word, w) {
			kind, _ := incubator.ReportKind(w)
			return o.reportCommand(kind)(ctx, req)
		}
	}
	return "", bot.Userf("请用“缺失/损坏/补齐 资产编号 说明”的格式报送。")
}

// reportCommand handles 缺失/损坏/补齐 <编号> [说明].
func (o *Ops) reportCommand(kind string) func(context.Context, *bot.Request) (string, error) {
	return func(ctx context.Context, req *bot.Request) (string, error) {
		code, note, _ := strings.Cut(req.Args, " ")
		code = strings.ToUpper(strings.TrimSpace(code))
		if code == "" {
			return "", bot.Userf("请写明资产编号，例如：%s CKC-001 三楼会议室投影仪。不知道编号可以直接描述，例如“三楼会议室的投影仪不见了”。", kind)
		}
		asset, err := o.assetForManager(ctx, req, code)
		if err != nil {
			return "", err
		}
		if _, err := incubator.Transition(asset.Status, kind); err != nil {
			text, _ := refusal(err)
			return "", bot.Userf("%s %s：%s", asset.Code, asset.Name, text)
		}
		return o.askConfirmChecked(ctx, req, asset, kind, strings.TrimSpace(note))
	}
}

// refusal renders a rule's refusal for the person who sent the request.
func refusal(err error) (string, bool) {
	var r *incubator.Refusal
	if !errors.As(err, &r) {
		return "", false
	}
	switch r.Rule {
	case incubator.RefuseAlreadyMissing:
		return "该资产已登记为缺失，无需重复报送；找回或补齐后请发送“补齐 编号”", true
	case incubator.RefuseAlreadyDamaged:
		return "该资产已登记为损坏，无需重复报送", true
	case incubator.RefuseMissingFirst:
		return "该资产登记为缺失，找到后请先发送“补齐 编号”", true
	case incubator.RefuseRestorePending:
		return "该资产已报补齐，正在等待科技局核验", true
	case incubator.RefuseNothingMissing:
		return fmt.Sprintf("该资产当前状态为“%s”，没有缺失或损坏记录，无需报补齐", r.Status), true
	case incubator.RefuseReviewed:
		return fmt.Sprintf("报告 %d 已于此前核验（%s）", r.Report, r.Status), true
	case incubator.RefuseWrittenOff:
		return "该资产已报废核销，不能再报送", true
	case incubator.RefuseUnknownKind:
		return fmt.Sprintf("未知的报送类型“%s”，请用“缺失/损坏/补齐 资产编号 说明”的格式报送", r.Kind), true
	}
	return "这项报送不符合台账规则，没有保存。请联系区科技局。", true
}

// chineseReason reads the reason of a form or period error, which the
// incubator package still states in Chinese; refusals of the asset rules
// are typed values (refusal).
func chineseReason(err error) string {
	s := err.Error()
	if i := strings.Index(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

// assetForManager finds a code in the manager's incubator.
func (o *Ops) assetForManager(ctx context.Context, req *bot.Request, code string) (incubator.Asset, error) {
	assets, err := o.Store.AssetsByCode(ctx, code)
	if err != nil {
		return incubator.Asset{}, err
	}
	for _, a := range assets {
		if a.IncubatorID == req.Person.IncubatorID {
			return a, nil
		}
	}
	// Another incubator's code gets the same reply as an unknown one: a
	// manager learns nothing about registers that are not theirs.
	return incubator.Asset{}, bot.Userf("您负责的%s台账中没有资产编号 %s。请核对后重发，或发送“资产 名称关键词”查询编号。", req.Person.Incubator, code)
}

// askConfirmChecked asks for confirmation of a report on an asset named by
// its code, first comparing the description with the register: when it
// names things or places of the register that are not this asset's (三楼会议室
// 投影仪 for a 3D printer in 一楼创客工坊), the prompt says so and names the
// assets the description fits better.
func (o *Ops) askConfirmChecked(ctx context.Context, req *bot.Request, a incubator.Asset, kind, note string) (string, error) {
	reply, err := o.askConfirm(req, a, kind, note)
	if err != nil || note == "" {
		return reply, err
	}
	register, err := o.Store.Assets(ctx, a.IncubatorID, "")
	if err != nil {
		return "", err
	}
	m, bad := incubator.CheckDescription(a, register, note)
	if !bad {
		return reply, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "请先核对：您写的“%s”与这项资产不符。\n%s 是“%s”，登记在%s，原值%s。", m.Describe(), a.Code, a.Name, orDash(a.Location), incubator.Yuan(a.Value()))
	var others []incubator.Asset
	for _, c := range Candidates(register, note, kind, 4) {
		if c.ID != a.ID {
			others = append(others, c)
		}
	}
	if len(others) > 3 {
		others = others[:3]
	}
	if len(others) > 0 {
		b.WriteString("\n描述更接近：")
		for _, c := range others {
			fmt.Fprintf(&b, "\n· %s %s（%s，%s）", c.Code, c.Name, orDash(c.Location), incubator.Yuan(c.Value()))
		}
	}
	fmt.Fprintf(&b, "\n确实是 %s，回复 1；不是，回复 0 取消后用正确的编号重新报送。", a.Code)
	return b.String(), nil
}

func (o *Ops) askConfirm(req *bot.Request, a incubator.Asset, kind, note string) (string, error) {
	summary := fmt.Sprintf("%s：%s %s（%s，%s）", kind, a.Code, a.Name, orDash(a.Location), incubator.Yuan(a.Value()))
	if note != "" {
		summary += "，说明：" + note
	}
	st, _ := json.Marshal(confirmState{Kind: "asset_confirm", AssetID: a.ID, Report: kind, Note: note, Raw: req.Msg.Text, Summary: summary})
	req.Session.Form = st
	return "请确认报送——" + summary + "\n回复 1 确认，0 取消。", nil
}

func orDash(s string) string {
	if s == "" {
		return "地点未登记"
	}
	return s
}

func (o *Ops) confirmForm(ctx context.Context, req *bot.Request, state []byte) (string, []byte, error) {
	var st confirmState
	if err := json.Unmarshal(state, &st); err != nil {
		return "上一步的报送信息已失效，请重新报送。", nil, nil
	}
	switch strings.TrimSpace(req.Text) {
	case "1", "确认", "是":
	case "0", "取消", "否":
		return "已取消，没有保存任何内容。", nil, nil
	default:
		return "请回复 1 确认，或 0 取消。待确认：" + st.Summary, state, &bot.NotAnAnswer{Note: "（上一条待确认的报送已取消，没有保存：" + st.Summary + "）"}
	}
	rep := &incubator.AssetReport{AssetID: st.AssetID, Kind: st.Report, Note: st.Note, RawText: st.Raw,
		ReporterID: req.Person.ID, Reporter: req.Person.Name, Channel: req.Msg.Channel}
	err := o.Store.CreateAssetReport(ctx, rep, actor(req))
	if errors.Is(err, incubator.ErrConflict) {
		text, _ := refusal(err)
		return "没有保存：" + text, nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	return fmt.Sprintf("已登记，报告号 %d。%s（状态：%s → %s）。科技局核验后会更新台账。", rep.ID, st.Summary, rep.FromStatus, rep.ToStatus), nil, nil
}

var reAssetCode = regexp.MustCompile(`[A-Za-z]{2,}-?\d{2,}`)

// freeText turns a manager's description ("三楼会议室的投影仪不见了") into a
// report: it finds candidate assets by name and location and asks which.
func (o *Ops) freeText(ctx context.Context, req *bot.Request) (string, bool, error) {
	if req.Person.Role != bot.RoleManager {
		return "", false, nil
	}
	kind, ok := incubator.KindInText(req.Text)
	if !ok {
		return "", false, nil
	}
	if code := reAssetCode.FindString(req.Text); code != "" {
		asset, err := o.assetForManager(ctx, req, strings.ToUpper(code))
		if err != nil {
			return "", true, err
		}
		if _, err := incubator.Transition(asset.Status, kind); err != nil {
			text, _ := refusal(err)
			return "", true, bot.Userf("%s %s：%s", asset.Code, asset.Name, text)
		}
		reply, err := o.askConfirmChecked(ctx, req, asset, kind, req.Text)
		return reply, true, err
	}
	assets, err := o.Store.Assets(ctx, req.Person.IncubatorID, "")
	if err != nil {
		return "", true, err
	}
	cands := Candidates(assets, req.Text, kind, 5)
	if len(cands) == 0 {
		return "", true, bot.Userf("没有在%s台账中找到与描述相符、且可以报送“%s”的资产。请写明资产编号，例如：%s CKC-001。发送“资产 名称关键词”可查询编号。", req.Person.Incubator, kind, kind)
	}
	if len(cands) == 1 {
		reply, err := o.askConfirm(req, cands[0], kind, req.Text)
		return reply, true, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "找到%d项可能的资产，请回复序号选择（0 取消）：", len(cands))
	var ids []int64
	for i, a := range cands {
		fmt.Fprintf(&b, "\n%d. %s %s（%s，%s，当前%s）", i+1, a.Code, a.Name, orDash(a.Location), incubator.Yuan(a.Value()), a.Status)
		ids = append(ids, a.ID)
	}
	st, _ := json.Marshal(pickState{Kind: "asset_pick", Candidates: ids, Report: kind, Raw: req.Text})
	req.Session.Form = st
	return b.String(), true, nil
}

// Candidates ranks the assets a description may mean: shared name and
// location terms, keeping only those the report can apply to.
func Candidates(assets []incubator.Asset, text, kind string, limit int) []incubator.Asset {
	want := map[string]bool{}
	for _, t := range zh.Tokenize(text) {
		want[t] = true
	}
	type scored struct {
		a     incubator.Asset
		score int
	}
	var list []scored
	for _, a := range assets {
		if _, err := incubator.Transition(a.Status, kind); err != nil {
			continue
		}
		nameHits := 0
		for _, t := range zh.Tokenize(a.Name) {
			if want[t] {
				nameHits++
			}
		}
		if nameHits == 0 {
			continue
		}
		s := nameHits * 3
		for _, t := range zh.Tokenize(a.Location) {
			if want[t] {
				s++
			}
		}
		list = append(list, scored{a, s})
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].score > list[j].score })
	var out []incubator.Asset
	for _, s := range list {
		if len(out) == limit || (len(out) > 0 && s.score < list[0].score/2) {
			break
		}
		out = append(out, s.a)
	}
	return out
}

func (o *Ops) pickForm(ctx context.Context, req *bot.Request, state []byte) (string, []byte, error) {
	var st pickState
	if err := json.Unmarshal(state, &st); err != nil {
		return "上一步的报送信息已失效，请重新报送。", nil, nil
	}
	text := strings.TrimSpace(req.Text)
	if text == "0" || text == "取消" {
		return "已取消，没有保存任何内容。", nil, nil
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < 1 || n > len(st.Candidates) {
		return fmt.Sprintf("请回复 1 到 %d 之间的序号选择资产，或 0 取消。", len(st.Candidates)), state, &bot.NotAnAnswer{Note: "（上一条未选定资产的报送已取消，没有保存。）"}
	}
	assets, err := o.Store.Assets(ctx, req.Person.IncubatorID, "")
	if err != nil {
		return "", nil, err
	}
	for _, a := range assets {
		if a.ID == st.Candidates[n-1] {
			reply, err := o.askConfirm(req, a, st.Report, st.Raw)
			return reply, req.Session.Form, err
		}
	}
	return "这项资产已不在台账中，请重新报送。", nil, nil
}

func (o *Ops) findAsset(ctx context.Context, req *bot.Request) (string, error) {
	q := strings.TrimSpace(req.Args)
	if q == "" {
		return "", bot.Userf("请写明资产编号或名称，例如：资产 CKC-001，或 资产 投影仪。")
	}
	scope := 0
	if req.Person.Role == bot.RoleManager {
		scope = req.Person.IncubatorID
	}
	assets, err := o.Store.Assets(ctx, scope, "")
	if err != nil {
		return "", err
	}
	var hits []incubator.Asset
	for _, a := range assets {
		if strings.EqualFold(a.Code, q) || strings.Contains(a.Name, q) || strings.Contains(a.Location, q) {
			hits = append(hits, a)
		}
	}
	if len(hits) == 0 {
		return "", bot.Userf("台账中没有找到“%s”。", q)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "找到%d项：", len(hits))
	for i, a := range hits {
		if i == 10 {
			fmt.Fprintf(&b, "\n……其余%d项请缩小关键词", len(hits)-10)
			break
		}
		fmt.Fprintf(&b, "\n%s %s｜%s｜%s｜%s", a.Code, a.Name, orDash(a.Location), incubator.Yuan(a.Value()), a.Status)
	}
	return b.String(), nil
}

var reReview = regexp.MustCompile(`^(\d+)\s*(通过|不通过)\s*(.*)$`)

func (o *Ops) review(ctx context.Context, req *bot.Request) (string, error) {
	m := reReview.FindStringSubmatch(strings.TrimSpace(req.Args))
	if m == nil {
		return "", bot.Userf("格式：核验 <报告号> 通过|不通过 [说明]，例如：核验 12 通过 已到现场核对。发送“待核验”查看报告号。")
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	passed := m[2] == "通过"
	if !passed && strings.TrimSpace(m[3]) == "" {
		return "", bot.Userf("不通过时请写明原因，例如：核验 %d 不通过 现场未见该设备。", id)
	}
	rep, err := o.Store.ReviewReport(ctx, id, passed, strings.TrimSpace(m[3]), actor(req))
	switch {
	case errors.Is(err, incubator.ErrNotFound):
		return "", bot.Userf("没有报告号为 %d 的资产报送。发送“待核验”查看。", id)
	case errors.Is(err, incubator.ErrConflict):
		text, _ := refusal(err)
		return "", bot.Userf("%s", text)
	case err != nil:
		return "", err
	}
	return fmt.Sprintf("报告 %d 已核验：%s。%s %s（%s）%s。", rep.ID, rep.Review, rep.AssetCode, rep.AssetName, rep.Incubator, rep.Kind), nil
}

type retireState struct {
	Kind  string `json:"kind"`
	DocID int64  `json:"doc_id"`
	Title string `json:"title"`
}

// retire asks an officer to confirm that a document is no longer cited.
func (o *Ops) retire(ctx context.Context, req *bot.Request) (string, error) {
	ref := strings.TrimSpace(req.Args)
	if ref == "" {
		return "", bot.Userf("请写明文件名或文号，例如：废止 X科规〔2024〕1号。发送“政策列表”查看。")
	}
	d, err := o.Docs.FindDocument(ctx, ref)
	switch {
	case errors.Is(err, corpus.ErrNotFound):
		return "", bot.Userf("没有找到文件“%s”。发送“政策列表”查看现行文件。", ref)
	case errors.Is(err, corpus.ErrInvalid):
		return "", bot.Userf("“%s”对应多个文件，请写得更完整一些（可用文号）。", ref)
	case err != nil:
		return "", err
	}
	if d.Status != corpus.StatusActive {
		return "", bot.Userf("%s已经不再引用（状态：%s）。", d.Citation(), d.Status)
	}
	st, _ := json.Marshal(retireState{Kind: "doc_retire", DocID: d.ID, Title: d.Citation()})
	req.Session.Form = st
	return "确认废止" + d.Citation() + "？废止后不再引用它回答问题。回复 1 确认，0 取消。", nil
}

func (o *Ops) retireForm(ctx context.Context, req *bot.Request, state []byte) (string, []byte, error) {
	var st retireState
	if err := json.Unmarshal(state, &st); err != nil {
		return "上一步的信息已失效，请重新发送“废止 文件”。", nil, nil
	}
	switch strings.TrimSpace(req.Text) {
	case "1", "确认":
	case "0", "取消":
		return "已取消，文件照常引用。", nil, nil
	default:
		return "请回复 1 确认废止" + st.Title + "，或 0 取消。", state, &bot.NotAnAnswer{Note: "（废止" + st.Title + "已取消，文件照常引用。）"}
	}
	kb := &knowledge.KB{Store: o.Docs, By: corpus.Editor{Name: req.Person.Name, Role: req.Person.Role, Channel: req.Msg.Channel}}
	if _, err := kb.Retire(ctx, strconv.FormatInt(st.DocID, 10)); err != nil {
		if errors.Is(err, corpus.ErrInvalid) || errors.Is(err, corpus.ErrNotFound) {
			return "没有废止：该文件已不在现行文件中。", nil, nil
		}
		return "", nil, err
	}
	return "已废止" + st.Title + "，今后不再引用。", nil, nil
}

// unanswered lists recent questions the corpus did not cover, for officers
// to add documents or FAQ answers.
func (o *Ops) unanswered(ctx context.Context, req *bot.Request) (string, error) {
	days := 7
	if a := strings.TrimSpace(req.Args); a != "" {
		n, err := strconv.Atoi(a)
		if err != nil || n < 1 || n > 366 {
			return "", bot.Userf("请写天数，例如：未答问题 30")
		}
		days = n
	}
	qs, err := o.Store.Questions(ctx, o.Now().AddDate(0, 0, -days), true)
	if err != nil {
		return "", err
	}
	if len(qs) == 0 {
		return fmt.Sprintf("近%d天没有未能回答或评价没用的问题。", days), nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "近%d天未能回答或提问者评价没用的问题（%d个）：", days, len(qs))
	for i, q := range qs {
		if i == 20 {
			fmt.Fprintf(&b, "\n……其余%d个请用 incubot questions --unanswered -o 文件.xlsx 导出", len(qs)-20)
			break
		}
		fmt.Fprintf(&b, "\n%s %s：%s", q.CreatedAt.Local().Format("01-02 15:04"), q.Asker, q.Question)
		if q.Answered { // listed because the asker said it did not help
			b.WriteString("（已回答，提问者评价：没用")
			if q.Feedback != "" {
				b.WriteString("，" + q.Feedback)
			}
			b.WriteString("）")
		}
	}
	b.WriteString("\n可补充政策文件（incubot kb add）或常见问答（incubot kb faq add）。")
	return b.String(), nil
}

func (o *Ops) pending(ctx context.Context, req *bot.Request) (string, error) {
	reps, err := o.Store.PendingAssetReports(ctx)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	n := len(reps)
	for i, r := range reps {
		if i < 20 {
			fmt.Fprintf(&b, "\n%d｜%s｜%s %s %s｜%s｜%s", r.ID, r.Incubator, r.Kind, r.AssetCode, r.AssetName, incubator.Yuan(r.Value), r.Reporter)
		}
	}
	if n == 0 {
		return "目前没有等待核验的资产报送。", nil
	}
	more := ""
	if n > 20 {
		more = fmt.Sprintf("\n……共%d条，请在电脑端用 incubot report export 导出查看。", n)
	}
	return fmt.Sprintf("待核验的资产报送（%d条）：报告号｜孵化器｜类型 编号 名称｜价值｜报送人%s%s\n核验：核验 <报告号> 通过|不通过 [说明]", n, b.String(), more), nil
}

func (o *Ops) assetSummary(ctx context.Context, req *bot.Request) (string, error) {
	scope := 0
	if req.Person.Role == bot.RoleManager {
		scope = req.Person.IncubatorID
	}
	sums, err := o.Store.AssetSummaries(ctx, scope)
	if err != nil {
		return "", err
	}
	if len(sums) == 0 {
		return "还没有导入任何孵化器的资产台账。", nil
	}
	var notices []incubator.Notice
	if o.Stocktakes != nil {
		if notices, err = o.Stocktakes.Notices(ctx); err != nil {
			return "", err
		}
	}
	var b strings.Builder
	b.WriteString("资产汇总（截至" + o.Now().Format("2006-01-02 15:04") + "）")
	for _, s := range sums {
		fmt.Fprintf(&b, "\n\n【%s】在册资产 %d 项，原值 %s\n缺失 %d 项，%s\n损坏 %d 项，%s\n已补齐待核验 %d 项，%s\n已核验 %d 项，%s",
			s.Incubator, s.Items, incubator.Yuan(s.Value), s.Missing, incubator.Yuan(s.MissingValue), s.Damaged, incubator.Yuan(s.DamagedValue),
			s.Restored, incubator.Yuan(s.RestoredValue), s.Verified, incubator.Yuan(s.VerifiedValue))
		if s.PendingReviews > 0 {
			fmt.Fprintf(&b, "\n待核验报送 %d 条（发送“待核验”查看）", s.PendingReviews)
		}
		for i := range notices {
			if n := &notices[i]; n.Incubator == s.Incubator {
				out, pend := 0, 0
				for _, it := range n.Overdue(o.Now()) {
					if it.State == incubator.ItemPending {
						pend++
					} else {
						out++
					}
				}
				switch {
				case out > 0 && pend > 0:
					fmt.Fprintf(&b, "\n赔偿通知 %s：%d项逾期未补齐，另%d项已报补齐待核验（发送“赔偿跟踪”查看）", n.Number, out, pend)
				case out > 0:
					fmt.Fprintf(&b, "\n赔偿通知 %s：%d项逾期未补齐（发送“赔偿跟踪”查看）", n.Number, out)
				case pend > 0:
					fmt.Fprintf(&b, "\n赔偿通知 %s：已过期限，%d项已报补齐待核验（发送“待核验”查看）", n.Number, pend)
				}
			}
		}
	}
	return b.String(), nil
}

func (o *Ops) statusSummary(ctx context.Context, req *bot.Request) (string, error) {
	sp, err := incubator.ParseSpan(req.Args)
	if err != nil {
		return "", bot.Userf("请写明期间，例如：报表汇总 2021-06（月）、报表汇总 2021Q2（季度）、报表汇总 2021H1 或 2021年上半年（半年）、报表汇总 2021（全年）。")
	}
	reps, err := o.Store.SpanStatusReports(ctx, sp)
	if err != nil {
		return "", err
	}
	sums, periods := incubator.Summarize(sp, reps)
	assetReps, err := o.Store.AssetReports(ctx, sp.From, sp.To)
	if err != nil {
		return "", err
	}
	figs := incubator.CountAssetReports(sp, assetReps)
	if len(sums) == 0 && len(figs) == 0 {
		return fmt.Sprintf("%s还没有孵化器报送运行情况。", sp.Label), nil
	}
	var total incubator.StatusReport
	var b strings.Builder
	for _, r := range sums {
		total.Add(r)
		n := ""
		if sp.FirstMonth != sp.LastMonth {
			n = fmt.Sprintf("（%d期）", periods[r.Incubator])
		}
		fmt.Fprintf(&b, "\n· %s%s：在孵%d家，新增%d家，毕业%d家，活动%d场，专利申请%d件，融资%s万元", r.Incubator, n, r.Tenants, r.NewTenants, r.Graduated, r.Events, r.Patents, incubator.Wan(r.FinancingWan))
	}
	stock := ""
	if sp.FirstMonth != sp.LastMonth {
		stock = "（期末）"
	}
	out := fmt.Sprintf("%s运行情况汇总（%d家报送）：\n在孵企业%s %d 家，新增入孵 %d 家，毕业 %d 家\n举办活动 %d 场，服务企业 %d 人次\n专利申请 %d 件，获得融资 %s 万元，就业%s %d 人",
		sp.Label, len(sums), stock, total.Tenants, total.NewTenants, total.Graduated, total.Events, total.Served, total.Patents,
		incubator.Wan(total.FinancingWan), stock, total.Jobs)
	var af incubator.AssetFigures
	for _, f := range figs {
		af.Missing, af.MissingValue = af.Missing+f.Missing, af.MissingValue+f.MissingValue
		af.Restored, af.RestoredValue = af.Restored+f.Restored, af.RestoredValue+f.RestoredValue
		af.Verified, af.VerifiedValue = af.Verified+f.Verified, af.VerifiedValue+f.VerifiedValue
	}
	if af.Missing+af.Restored > 0 {
		out += fmt.Sprintf("\n资产：报缺失 %d 项（原值%s），报补齐 %d 项（%s），其中已核验 %d 项（%s）",
			af.Missing, incubator.Yuan(af.MissingValue), af.Restored, incubator.Yuan(af.RestoredValue), af.Verified, incubator.Yuan(af.VerifiedValue))
	}
	if len(sums) > 0 {
		out += "\n分孵化器：" + b.String()
	}
	return out, nil
}

// statusState is the status form in progress.
type statusState struct {
	Kind   string            `json:"kind"`
	Period string            `json:"period"`
	Step   int               `json:"step"` // index into incubator.Fields; len means review
	Values map[string]string `json:"values"`
	Edit   bool              `json:"edit"` // answering a correction, then back to review
}

func (o *Ops) startStatusForm(ctx context.Context, req *bot.Request) (string, error) {
	period := incubator.PreviousMonth(o.Now())
	if strings.TrimSpace(req.Args) != "" {
		p, err := incubator.ParsePeriod(req.Args)
		if err != nil {
			return "", bot.Userf("%s", chineseReason(err))
		}
		period = p
	}
	st := statusState{Kind: "status", Period: period, Values: map[string]string{}}
	b, _ := json.Marshal(st)
	req.Session.Form = b
	return fmt.Sprintf("开始填报%s %s运行情况，共%d项，随时回复“取消”放弃（不会保存）。\n%s", req.Person.Incubator, incubator.PeriodName(period), len(incubator.Fields), question(0)), nil
}

func question(i int) string {
	f := incubator.Fields[i]
	if f.Text {
		return fmt.Sprintf("%d/%d %s（没有请回复“无”）：", i+1, len(incubator.Fields), f.Label)
	}
	return fmt.Sprintf("%d/%d %s（%s）：", i+1, len(incubator.Fields), f.Label, f.Unit)
}

var reEdit = regexp.MustCompile(`^(?:改|修改)\s*(\d+)\s*(.*)$`)

func (o *Ops) statusForm(ctx context.Context, req *bot.Request, state []byte) (string, []byte, error) {
	var st statusState
	if err := json.Unmarshal(state, &st); err != nil || st.Values == nil {
		return "填报信息已失效，请发送“报表”重新开始。", nil, nil
	}
	text := strings.TrimSpace(req.Text)
	if text == "取消" {
		return "已取消本次填报，没有保存任何内容。", nil, nil
	}
	save := func(reply string) (string, []byte, error) {
		b, _ := json.Marshal(st)
		return reply, b, nil
	}
	if st.Step >= len(incubator.Fields) {
		switch {
		case text == "提交" || text == "确认":
			r, err := incubator.Values(st.Values).Build(st.Period)
			if err != nil {
				return save(chineseReason(err) + "\n回复“改 序号 新数值”修改，例如：改 2 3。")
			}
			r.IncubatorID, r.Incubator, r.Reporter, r.Channel = req.Person.IncubatorID, req.Person.Incubator, req.Person.Name, req.Msg.Channel
			replaced, err := o.Store.SaveStatusReport(ctx, &r, actor(req))
			if err != nil {
				return "", nil, err
			}
			note := ""
			if replaced {
				note = "（已替换此前对该期间的报送，原记录保留备查）"
			}
			return fmt.Sprintf("已提交%s %s运行情况%s。谢谢！", r.Incubator, incubator.PeriodName(r.Period), note), nil, nil
		case reEdit.MatchString(text):
			m := reEdit.FindStringSubmatch(text)
			i, _ := strconv.Atoi(m[1])
			if i < 1 || i > len(incubator.Fields) {
				return save(fmt.Sprintf("没有第%d项，请写 1 到 %d 之间的序号。", i, len(incubator.Fields)))
			}
			if strings.TrimSpace(m[2]) == "" {
				st.Step, st.Edit = i-1, true
				return save(question(i - 1))
			}
			v, err := incubator.ParseField(incubator.Fields[i-1], m[2])
			if err != nil {
				return save(chineseReason(err))
			}
			st.Values[incubator.Fields[i-1].Key] = v
			return save(o.reviewText(st, req))
		default:
			reply, next, _ := save("请回复“提交”确认报送，“改 序号 新数值”修改（例如：改 2 3），或“取消”放弃。")
			return reply, next, &bot.NotAnAnswer{Note: "（未提交的" + incubator.PeriodName(st.Period) + "报表填报已取消，没有保存。）"}
		}
	}
	f := incubator.Fields[st.Step]
	v, err := incubator.ParseField(f, text)
	if err != nil {
		reply, next, _ := save(chineseReason(err))
		return reply, next, &bot.NotAnAnswer{Note: "（未提交的" + incubator.PeriodName(st.Period) + "报表填报已取消，没有保存。）"}
	}
	st.Values[f.Key] = v
	if st.Edit {
		st.Step, st.Edit = len(incubator.Fields), false
		return save(o.reviewText(st, req))
	}
	st.Step++
	if st.Step < len(incubator.Fields) {
		return save(question(st.Step))
	}
	return save(o.reviewText(st, req))
}

// reviewText shows the whole report before it is submitted.
func (o *Ops) reviewText(st statusState, req *bot.Request) string {
	r, err := incubator.Values(st.Values).Build(st.Period)
	r.Incubator = req.Person.Incubator
	r.Period = st.Period
	s := "请核对：\n" + r.Summary()
	if err != nil {
		s += "\n\n注意：" + chineseReason(err)
	}
	return s + "\n\n回复“提交”确认报送；“改 序号 新数值”修改（例如：改 2 3）；“取消”放弃。"
}
