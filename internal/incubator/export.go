package incubator

import (
	"github.com/incubot/incubot/internal/sheet"
)

// ExportSheets lays out the register, the asset reports and the status
// reports as the export's three sheets, with typed columns: money in yuan
// with a ¥ format, counts as integers, dates as dates, and totals.
func ExportSheets(assets []Asset, reps []AssetReport, status []StatusReport) []sheet.Sheet {
	return []sheet.Sheet{AssetSheet(assets), ReportSheet(reps), StatusSheet(status)}
}

// AssetSheet is the register as a sheet.
func AssetSheet(assets []Asset) sheet.Sheet {
	s := sheet.Sheet{Name: "资产台账", Columns: []sheet.Column{
		{Title: "孵化器"}, {Title: "资产编号"}, {Title: "资产名称"}, {Title: "类别"}, {Title: "规格型号"},
		{Title: "数量", Kind: sheet.Int, Total: true}, {Title: "单价", Kind: sheet.Money}, {Title: "原值", Kind: sheet.Money, Total: true},
		{Title: "存放地点"}, {Title: "购置日期", Kind: sheet.Date}, {Title: "备注"}, {Title: "状态"}, {Title: "责任人"},
	}}
	for _, x := range assets {
		s.Data = append(s.Data, []any{x.Incubator, x.Code, x.Name, x.Category, x.Spec, x.Quantity, x.UnitPrice, x.Value(),
			x.Location, x.PurchasedOn, x.Note, x.Status, x.Custodian})
	}
	return s
}

// ReportSheet is the asset reports as a sheet.
func ReportSheet(reps []AssetReport) sheet.Sheet {
	s := sheet.Sheet{Name: "资产报送", Columns: []sheet.Column{
		{Title: "报告号", Kind: sheet.Int}, {Title: "孵化器"}, {Title: "资产编号"}, {Title: "资产名称"}, {Title: "类型"},
		{Title: "原状态"}, {Title: "新状态"}, {Title: "原值", Kind: sheet.Money, Total: true}, {Title: "说明"}, {Title: "报送人"},
		{Title: "渠道"}, {Title: "报送时间", Kind: sheet.DateTime}, {Title: "核验"}, {Title: "核验人"}, {Title: "核验说明"}, {Title: "核验时间", Kind: sheet.DateTime},
	}}
	for _, r := range reps {
		s.Data = append(s.Data, []any{r.ID, r.Incubator, r.AssetCode, r.AssetName, r.Kind, r.FromStatus, r.ToStatus,
			r.Value, r.Note, r.Reporter, ChannelName(r.Channel), r.CreatedAt, r.Review, r.Reviewer, r.ReviewNote, r.ReviewedAt})
	}
	return s
}

// StatusSheet is the status reports as a sheet.
func StatusSheet(status []StatusReport) sheet.Sheet {
	s := sheet.Sheet{Name: "运行情况", Columns: []sheet.Column{
		{Title: "孵化器"}, {Title: "期间"}, {Title: "在孵企业数", Kind: sheet.Int}, {Title: "新增入孵", Kind: sheet.Int, Total: true},
		{Title: "毕业企业", Kind: sheet.Int, Total: true}, {Title: "举办活动场次", Kind: sheet.Int, Total: true}, {Title: "服务企业人次", Kind: sheet.Int, Total: true},
		{Title: "专利申请数", Kind: sheet.Int, Total: true}, {Title: "获得融资额（万元）", Kind: sheet.Decimal, Total: true}, {Title: "就业人数", Kind: sheet.Int, Total: true},
		{Title: "备注"}, {Title: "报送人"}, {Title: "报送时间", Kind: sheet.DateTime},
	}}
	for _, r := range status {
		s.Data = append(s.Data, []any{r.Incubator, PeriodName(r.Period), r.Tenants, r.NewTenants, r.Graduated, r.Events, r.Served,
			r.Patents, r.FinancingWan, r.Jobs, r.Note, r.Reporter, r.SubmittedAt})
	}
	return s
}

// ChannelName is a channel as an officer calls it.
func ChannelName(ch string) string {
	switch ch {
	case "wechat":
		return "微信"
	case "console":
		return "控制台"
	case "web":
		return "网页后台"
	case "http":
		return "接口"
	case "cli":
		return "命令行"
	}
	return ch
}

// Add adds another report's figures to this one, for totals.
func (s *StatusReport) Add(o StatusReport) {
	s.Tenants += o.Tenants
	s.NewTenants += o.NewTenants
	s.Graduated += o.Graduated
	s.Events += o.Events
	s.Served += o.Served
	s.Patents += o.Patents
	s.FinancingWan += o.FinancingWan
	s.Jobs += o.Jobs
}
