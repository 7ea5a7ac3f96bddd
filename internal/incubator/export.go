package incubator

import (
	"strconv"
	"time"

	"github.com/incubot/incubot/internal/sheet"
)

// ExportSheets lays out the register, the asset reports and the status
// reports as the export's three sheets.
func ExportSheets(assets []Asset, reps []AssetReport, status []StatusReport) []sheet.Sheet {
	assetRows := [][]string{{"孵化器", "资产编号", "资产名称", "类别", "规格型号", "数量", "单价", "原值", "存放地点", "购置日期", "备注", "状态"}}
	for _, x := range assets {
		day := ""
		if x.PurchasedOn != nil {
			day = x.PurchasedOn.Format(time.DateOnly)
		}
		assetRows = append(assetRows, []string{x.Incubator, x.Code, x.Name, x.Category, x.Spec, strconv.Itoa(x.Quantity),
			Yuan(x.UnitPrice), Yuan(x.Value()), x.Location, day, x.Note, x.Status})
	}
	reportRows := [][]string{{"报告号", "孵化器", "资产编号", "资产名称", "类型", "原状态", "新状态", "原值", "说明", "报送人", "渠道", "报送时间", "核验", "核验人", "核验说明"}}
	for _, r := range reps {
		reportRows = append(reportRows, []string{strconv.FormatInt(r.ID, 10), r.Incubator, r.AssetCode, r.AssetName, r.Kind, r.FromStatus, r.ToStatus,
			Yuan(r.Value), r.Note, r.Reporter, r.Channel, r.CreatedAt.Local().Format(time.DateTime), r.Review, r.Reviewer, r.ReviewNote})
	}
	statusRows := [][]string{{"孵化器", "期间", "在孵企业数", "新增入孵", "毕业企业", "举办活动场次", "服务企业人次", "专利申请数", "获得融资额（万元）", "就业人数", "备注", "报送人", "报送时间"}}
	for _, s := range status {
		statusRows = append(statusRows, []string{s.Incubator, s.Period, strconv.Itoa(s.Tenants), strconv.Itoa(s.NewTenants), strconv.Itoa(s.Graduated),
			strconv.Itoa(s.Events), strconv.Itoa(s.Served), strconv.Itoa(s.Patents), Wan(s.FinancingWan), strconv.Itoa(s.Jobs), s.Note, s.Reporter,
			s.SubmittedAt.Local().Format(time.DateTime)})
	}
	return []sheet.Sheet{{Name: "资产台账", Rows: assetRows}, {Name: "资产报送", Rows: reportRows}, {Name: "运行情况", Rows: statusRows}}
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
