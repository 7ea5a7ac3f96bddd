package incubator

import (
	"fmt"
	"time"

	"github.com/incubot/incubot/internal/docx"
	"github.com/incubot/incubot/internal/sheet"
)

func resultName(r string) string {
	if r == "" {
		return "未盘"
	}
	return r
}

// StocktakeSheets is a stock-take as a workbook: the result in figures,
// the stock-take itself, every item with what was found, and what was
// found off the register.
func StocktakeSheets(res StocktakeResult, items []StocktakeItem, extras []StocktakeExtra) []sheet.Sheet {
	st := res.Stocktake
	sum := sheet.Sheet{Name: "盘点结果", Columns: []sheet.Column{{Title: "项目"}, {Title: "项数", Kind: sheet.Int}, {Title: "原值", Kind: sheet.Money}}}
	add := func(name string, t Tally) { sum.Data = append(sum.Data, []any{name, t.Count, t.Value}) }
	add("在册", res.Total)
	add("在（账实相符）", res.Present)
	add("缺失（盘亏）", res.Missing)
	add("损坏", res.Damaged)
	add("不在原位置", res.Moved)
	add("未盘", res.Unchecked)
	sum.Data = append(sum.Data, []any{"台账外（盘盈）", res.Extras, nil})
	if p := res.Previous; p != nil {
		sum.Data = append(sum.Data, []any{"上次" + p.Stocktake.Label() + "缺失", p.Missing.Count, p.Missing.Value},
			[]any{"上次" + p.Stocktake.Label() + "损坏", p.Damaged.Count, p.Damaged.Value})
	}
	info := sheet.Sheet{Name: "盘点信息", Columns: []sheet.Column{{Title: "孵化器"}, {Title: "盘点"}, {Title: "开始日期", Kind: sheet.Date},
		{Title: "结束日期", Kind: sheet.Date}, {Title: "发起人"}, {Title: "结束人"}},
		Data: [][]any{{st.Incubator, st.Label(), st.OpenedAt, st.ClosedAt, st.OpenedBy, st.ClosedBy}}}
	list := sheet.Sheet{Name: "盘点明细", Columns: []sheet.Column{{Title: "资产编号"}, {Title: "名称"}, {Title: "规格型号"}, {Title: "登记地点"},
		{Title: "数量", Kind: sheet.Int}, {Title: "单价", Kind: sheet.Money}, {Title: "原值", Kind: sheet.Money}, {Title: "盘点结果"},
		{Title: "现在地点"}, {Title: "说明"}, {Title: "盘点人"}, {Title: "盘点日期", Kind: sheet.Date}}}
	for i := range items {
		it := &items[i]
		list.Data = append(list.Data, []any{it.Code, it.Name, it.Spec, it.Location, it.Quantity, it.UnitPrice, it.Value(),
			resultName(it.Result), it.NewLocation, it.Note, it.CheckedBy, it.CheckedAt})
	}
	ext := sheet.Sheet{Name: "台账外资产", Columns: []sheet.Column{{Title: "序号", Kind: sheet.Int}, {Title: "描述"}, {Title: "地点"},
		{Title: "发现人"}, {Title: "发现日期", Kind: sheet.Date}}}
	for i, e := range extras {
		ext.Data = append(ext.Data, []any{i + 1, e.Description, e.Location, e.FoundBy, e.FoundAt})
	}
	return []sheet.Sheet{sum, info, list, ext}
}

// StocktakeReport is a stock-take as a Word document an officer attaches
// to a letter: the figures, then the missing, damaged and moved items.
func StocktakeReport(res StocktakeResult, items []StocktakeItem, extras []StocktakeExtra) *docx.Doc {
	st := res.Stocktake
	d := &docx.Doc{}
	d.Title(st.Incubator + "固定资产盘点报告")
	period := st.OpenedAt.Local().Format("2006年1月2日")
	if st.ClosedAt != nil {
		period += "至" + st.ClosedAt.Local().Format("2006年1月2日")
	}
	d.Para(docx.Center, docx.Run{Text: fmt.Sprintf("（%s，%s）", st.Label(), period)})
	d.Text(fmt.Sprintf("%s固定资产台账登记 %d 项，原值 %s。本次盘点已盘 %d 项，结果如下。", st.Incubator, res.Total.Count, Yuan(res.Total.Value), res.Checked()), true)
	rows := [][]string{{"项目", "项数", "原值（元）"}}
	line := func(name string, t Tally) { rows = append(rows, []string{name, fmt.Sprint(t.Count), Yuan(t.Value)}) }
	line("在册", res.Total)
	line("账实相符", res.Present)
	line("缺失（盘亏）", res.Missing)
	line("损坏", res.Damaged)
	line("不在原位置", res.Moved)
	line("未盘", res.Unchecked)
	rows = append(rows, []string{"台账外（盘盈）", fmt.Sprint(res.Extras), "—"})
	d.Table(rows, []int{3600, 1800, 3000}, map[int]bool{1: true, 2: true})
	if p := res.Previous; p != nil {
		d.Text(fmt.Sprintf("与上次盘点（%s，%s）相比：缺失 %s 项（%s），损坏 %s 项。", p.Stocktake.Label(), p.Stocktake.OpenedAt.Local().Format("2006年1月2日"),
			signed(int64(res.Missing.Count-p.Missing.Count)), signedYuan(res.Missing.Value-p.Missing.Value), signed(int64(res.Damaged.Count-p.Damaged.Count))), true)
	}
	for _, part := range []struct{ result, heading string }{{FoundMissing, "一、缺失资产（盘亏）明细"}, {FoundDamaged, "二、损坏资产明细"}, {FoundMoved, "三、不在原位置的资产"}} {
		rows := [][]string{{"序号", "资产编号", "名称", "规格型号", "登记地点", "原值（元）"}}
		var total int64
		for i := range items {
			it := &items[i]
			if it.Result != part.result {
				continue
			}
			place := it.Location
			if part.result == FoundMoved {
				place += " → " + it.NewLocation
			}
			rows = append(rows, []string{fmt.Sprint(len(rows)), it.Code, it.Name, it.Spec, place, Yuan(it.Value())})
			total += it.Value()
		}
		d.Heading(part.heading)
		if len(rows) == 1 {
			d.Text("无。", true)
			continue
		}
		rows = append(rows, []string{"合计", "", fmt.Sprintf("%d 项", len(rows)-1), "", "", Yuan(total)})
		d.Table(rows, []int{700, 1300, 1700, 2100, 1800, 1700}, map[int]bool{5: true})
	}
	d.Heading("四、台账外资产（盘盈）")
	if len(extras) == 0 {
		d.Text("无。", true)
	} else {
		rows := [][]string{{"序号", "描述", "地点", "发现人"}}
		for i, e := range extras {
			rows = append(rows, []string{fmt.Sprint(i + 1), e.Description, e.Location, e.FoundBy})
		}
		d.Table(rows, []int{700, 4500, 2200, 1900}, nil)
	}
	d.Para(docx.Right, docx.Run{Text: "盘点发起：" + st.OpenedBy + "　　结束：" + st.ClosedBy})
	return d
}

// NoticeDocument is the compensation notice as a Word document: 文号,
// title, the operator, the items with their original values, the total in
// figures and in capitals, and the deadline.
func NoticeDocument(n *Notice, issuer string) *docx.Doc {
	d := &docx.Doc{}
	d.Para(docx.Right, docx.Run{Text: n.Number})
	d.Title(fmt.Sprintf("关于%s遗失固定资产赔偿的通知", n.Incubator))
	d.Para(docx.Left, docx.Run{Text: n.Operator + "："})
	d.Text(fmt.Sprintf("根据盘点#%d的结果，贵单位受托运营管理的%s有 %d 项固定资产缺失，原值合计 %s（人民币%s）。请于%s前按原规格型号补齐下列资产，或按原值予以赔偿，并将补齐情况报区科技局核验。逾期未补齐的，将依照委托运营管理协议追究责任。",
		n.StocktakeID, n.Incubator, len(n.Items), Yuan(n.Total()), ChineseAmount(n.Total()), n.Deadline.Format("2006年1月2日")), true)
	rows := [][]string{{"序号", "资产编号", "名称", "规格型号", "数量", "原值（元）"}}
	for i := range n.Items {
		it := &n.Items[i]
		rows = append(rows, []string{fmt.Sprint(i + 1), it.Code, it.Name, it.Spec, fmt.Sprint(it.Quantity), Yuan(it.Value())})
	}
	rows = append(rows, []string{"合计", "", fmt.Sprintf("%d 项", len(n.Items)), "", "", Yuan(n.Total())})
	d.Table(rows, []int{700, 1300, 1800, 2300, 800, 2000}, map[int]bool{4: true, 5: true})
	d.Text("合计金额（大写）：人民币"+ChineseAmount(n.Total()), false)
	d.Text("特此通知。", true)
	d.Para(docx.Right, docx.Run{Text: issuer})
	d.Para(docx.Right, docx.Run{Text: n.IssuedAt.Local().Format("2006年1月2日")})
	return d
}

// NoticeSheets is a notice's follow-up as a workbook: every item with its
// state.
func NoticeSheets(n *Notice, today time.Time) []sheet.Sheet {
	s := sheet.Sheet{Name: "赔偿通知跟踪", Columns: []sheet.Column{{Title: "文号"}, {Title: "资产编号"}, {Title: "名称"}, {Title: "规格型号"},
		{Title: "数量", Kind: sheet.Int, Total: true}, {Title: "原值", Kind: sheet.Money, Total: true}, {Title: "补齐期限", Kind: sheet.Date},
		{Title: "状态"}, {Title: "逾期"}}}
	for i := range n.Items {
		it := &n.Items[i]
		overdue := ""
		if it.State != ItemReplaced && today.After(n.Deadline.AddDate(0, 0, 1)) {
			overdue = "逾期"
		}
		s.Data = append(s.Data, []any{n.Number, it.Code, it.Name, it.Spec, it.Quantity, it.Value(), n.Deadline, it.State, overdue})
	}
	return []sheet.Sheet{s}
}
