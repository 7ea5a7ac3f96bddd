package incubator

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/incubot/incubot/knowledge"
)

// Problem is one thing wrong with a row of a spreadsheet.
type Problem struct {
	Row    int    // spreadsheet row number (the header is row 1)
	Column string // column name, "" for the whole file or row
	Text   string
}

func (p Problem) String() string {
	switch {
	case p.Row == 0:
		return p.Text
	case p.Column == "":
		return fmt.Sprintf("第%d行：%s", p.Row, p.Text)
	}
	return fmt.Sprintf("第%d行「%s」：%s", p.Row, p.Column, p.Text)
}

// RegisterColumns are the Chinese headers of an asset register and the
// names they are also written as.
var RegisterColumns = map[string][]string{
	"资产编号": {"资产编号", "编号", "资产编码", "固定资产编号"},
	"资产名称": {"资产名称", "名称", "设备名称"},
	"类别":   {"类别", "资产类别", "分类"},
	"规格型号": {"规格型号", "规格", "型号"},
	"数量":   {"数量"},
	"单价":   {"单价", "单价（元）", "单价(元)"},
	"原值":   {"原值", "原值（元）", "原值(元)", "金额", "价值"},
	"存放地点": {"存放地点", "地点", "位置", "存放位置"},
	"购置日期": {"购置日期", "购入日期", "购买日期"},
	"备注":   {"备注"},
}

// Table is what a spreadsheet reader gives: header names to column indexes
// and data rows.
type Table interface {
	Columns(aliases map[string][]string, required ...string) (map[string]int, []string)
	Cell(row []string, i int) string
}

// ParseRegister validates every row of an asset register. It returns the
// assets only when there is no problem at all: a register is imported whole
// or not at all.
func ParseRegister(t Table, rows [][]string) ([]Asset, []Problem) {
	cols, missing := t.Columns(RegisterColumns, "资产编号", "资产名称")
	var problems []Problem
	for _, m := range missing {
		problems = append(problems, Problem{Text: "缺少必需的列「" + m + "」"})
	}
	if cols["单价"] < 0 && cols["原值"] < 0 {
		problems = append(problems, Problem{Text: "缺少「单价」或「原值」列"})
	}
	if len(problems) > 0 {
		return nil, problems
	}
	var assets []Asset
	seen := map[string]int{}
	for i, row := range rows {
		n := i + 2
		cell := func(name string) string { return t.Cell(row, cols[name]) }
		if strings.Join(row, "") == "" {
			continue
		}
		a := Asset{Code: cell("资产编号"), Name: cell("资产名称"), Category: cell("类别"), Spec: cell("规格型号"),
			Location: cell("存放地点"), Note: cell("备注"), Quantity: 1, Status: StatusRegistered}
		bad := func(col, text string) { problems = append(problems, Problem{Row: n, Column: col, Text: text}) }
		if a.Code == "" {
			bad("资产编号", "为空")
		} else if prev, dup := seen[a.Code]; dup {
			bad("资产编号", fmt.Sprintf("“%s”与第%d行重复", a.Code, prev))
		} else {
			seen[a.Code] = n
		}
		if a.Name == "" {
			bad("资产名称", "为空")
		}
		if q := cell("数量"); q != "" {
			v, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(q), ".0"))
			if err != nil || v <= 0 {
				bad("数量", fmt.Sprintf("“%s”不是正整数", q))
			} else {
				a.Quantity = v
			}
		}
		switch price, total := cell("单价"), cell("原值"); {
		case price != "":
			fen, err := ParseYuan(price)
			if err != nil {
				bad("单价", fmt.Sprintf("“%s”不是有效金额", price))
			}
			a.UnitPrice = fen
		case total != "":
			fen, err := ParseYuan(total)
			if err != nil {
				bad("原值", fmt.Sprintf("“%s”不是有效金额", total))
			} else if a.Quantity > 0 {
				a.UnitPrice = fen / int64(a.Quantity)
			}
		default:
			bad("单价", "为空")
		}
		if d := cell("购置日期"); d != "" {
			t, err := ParseDay(d)
			if err != nil {
				bad("购置日期", fmt.Sprintf("“%s”不是日期（如 2019-05-20）", d))
			} else {
				a.PurchasedOn = &t
			}
		}
		assets = append(assets, a)
	}
	if len(assets) == 0 && len(problems) == 0 {
		problems = append(problems, Problem{Text: "表格中没有资产数据"})
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return assets, nil
}

// ParseDay reads the dates a register holds: 2019-05-20, 2019/5/20,
// 2019年5月20日 (knowledge.ParseDate), or an Excel serial day number.
func ParseDay(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil && n > 20000 && n < 80000 {
		return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n), nil
	}
	return knowledge.ParseDate(s)
}
