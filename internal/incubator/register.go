package incubator

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/incubot/incubot/internal/sheet"
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
	"责任人":  {"责任人", "使用人", "保管人", "管理人"},
}

// missingColumns says which required columns the sheet lacks and which row
// was read as the header, so that a person sees why.
func missingColumns(t *sheet.Table, missing []string) []Problem {
	var problems []Problem
	for _, m := range missing {
		problems = append(problems, Problem{Text: fmt.Sprintf("缺少必需的列「%s」（读作表头的是第%d行：%s）", m, t.HeaderRow, t.HeaderText())})
	}
	return problems
}

// ParseRegister validates every row of an asset register. It returns the
// assets only when there is no problem at all: a register is imported whole
// or not at all. Title rows above the header are skipped.
func ParseRegister(t *sheet.Table) ([]Asset, []Problem) {
	cols, missing := t.Columns(RegisterColumns, "资产编号", "资产名称")
	problems := missingColumns(t, missing)
	if len(missing) == 0 && cols["单价"] < 0 && cols["原值"] < 0 {
		problems = append(problems, Problem{Text: fmt.Sprintf("缺少「单价」或「原值」列（读作表头的是第%d行：%s）", t.HeaderRow, t.HeaderText())})
	}
	if len(problems) > 0 {
		return nil, problems
	}
	var assets []Asset
	seen := map[string]int{}
	for i, row := range t.Rows {
		n := t.RowNumber(i)
		cell := func(name string) string { return t.Cell(row, cols[name]) }
		if strings.TrimSpace(strings.Join(row, "")) == "" || IsTotalsRow(row) {
			continue
		}
		a := Asset{Code: CleanCode(cell("资产编号")), Name: cell("资产名称"), Category: cell("类别"), Spec: cell("规格型号"),
			Location: cell("存放地点"), Note: cell("备注"), Custodian: cell("责任人"), Quantity: 1, Status: StatusRegistered}
		bad := func(col, text string) { problems = append(problems, Problem{Row: n, Column: col, Text: text}) }
		if a.Custodian != "" && !reCustodian.MatchString(a.Custodian) {
			bad("责任人", fmt.Sprintf("“%s”不是人名（写一个人的姓名，如 张三）", a.Custodian))
		}
		if a.Code == "" {
			bad("资产编号", "为空")
		} else if prev, dup := seen[CodeKey(a.Code)]; dup {
			bad("资产编号", fmt.Sprintf("“%s”与第%d行重复（编号不分大小写、全角半角）", a.Code, prev))
		} else {
			seen[CodeKey(a.Code)] = n
		}
		if a.Name == "" {
			bad("资产名称", "为空")
		}
		ok := true
		if q := cell("数量"); q != "" {
			v, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(q), ".0"), 10, 64)
			switch {
			case err != nil && errors.Is(err, strconv.ErrRange), err == nil && v > MaxQuantity:
				bad("数量", fmt.Sprintf("“%s”超过上限%d，请核对", q, MaxQuantity))
				ok = false
			case err != nil || v <= 0:
				bad("数量", fmt.Sprintf("“%s”不是正整数", q))
				ok = false
			default:
				a.Quantity = int(v)
			}
		}
		price, total := cell("单价"), cell("原值")
		amount := func(col, s string, limit int64) (int64, bool) {
			fen, err := ParseYuan(s)
			switch {
			case errors.Is(err, ErrTooLarge) || err == nil && fen > limit:
				bad(col, fmt.Sprintf("“%s”超过上限%s，请核对", s, Yuan(limit)))
			case err != nil:
				bad(col, fmt.Sprintf("“%s”不是有效金额", s))
			default:
				return fen, true
			}
			return 0, false
		}
		switch {
		case price != "":
			fen, good := amount("单价", price, MaxUnitPrice)
			a.UnitPrice, ok = fen, ok && good
		case total != "":
			fen, good := amount("原值", total, MaxValue)
			if good && ok {
				a.UnitPrice = fen / int64(a.Quantity)
			}
			ok = ok && good
		default:
			bad("单价", "为空")
			ok = false
		}
		if ok && a.Value() > MaxValue {
			bad("原值", fmt.Sprintf("数量×单价为%s，超过上限%s，请核对", Yuan(a.Value()), Yuan(MaxValue)))
		}
		if d := cell("购置日期"); d != "" {
			day, err := ParseDay(d)
			if err != nil {
				bad("购置日期", fmt.Sprintf("“%s”不是日期（如 2019-05-20、2019年5月20日）", d))
			} else {
				a.PurchasedOn = &day
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

var (
	reDayNumeric = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$`)
	reMonthOnly  = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$`)
	reDayCompact = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	reDayUS      = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$`)
	reDayHan     = regexp.MustCompile(`^([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月(?:([一二三四五六七八九十]{1,3})[日号])?$`)
	reSerial     = regexp.MustCompile(`^\d{5}(?:\.\d+)?$`)
)

// ParseDay reads the dates registers hold: 2019-05-20, 2019/5/20,
// 2019.5.20, 2019年5月20日, with or without a time (2019/03/01 00:00:00);
// 20190301; 3/1/2019 (month first, as Excel writes it; day first when the
// first number cannot be a month); a month alone (2019年3月, 2019-03: its
// first day); 二〇一九年三月一日; and an Excel serial day number (43525).
func ParseDay(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	num := func(v string) int { n, _ := strconv.Atoi(v); return n }
	switch {
	case reSerial.MatchString(s):
		f, _ := strconv.ParseFloat(s, 64)
		if f > 20000 && f < 80000 {
			return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(f)), nil
		}
	case reDayCompact.MatchString(s):
		m := reDayCompact.FindStringSubmatch(s)
		return day(num(m[1]), num(m[2]), num(m[3]), s)
	}
	if m := reDayNumeric.FindStringSubmatch(s); m != nil {
		return day(num(m[1]), num(m[2]), num(m[3]), s)
	}
	if m := reMonthOnly.FindStringSubmatch(s); m != nil {
		return day(num(m[1]), num(m[2]), 1, s)
	}
	if m := reDayUS.FindStringSubmatch(s); m != nil {
		mo, d := num(m[1]), num(m[2])
		if mo > 12 {
			mo, d = d, mo
		}
		return day(num(m[3]), mo, d, s)
	}
	if m := reDayHan.FindStringSubmatch(s); m != nil {
		y := 0
		for _, r := range m[1] {
			y = y*10 + hanDigit(r)
		}
		d := 1
		if m[3] != "" {
			d = hanNumber(m[3])
		}
		return day(y, hanNumber(m[2]), d, s)
	}
	return time.Time{}, fmt.Errorf("%w: “%s”不是日期", ErrInvalid, s)
}

// day is the date y-m-d, refused when it does not exist (2019-02-30) or lies
// outside 1900–2100.
func day(y, m, d int, s string) (time.Time, error) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if y < 1900 || y > 2100 || t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, fmt.Errorf("%w: “%s”不是日期", ErrInvalid, s)
	}
	return t, nil
}

// hanDigit is the value of a Chinese digit (〇 and 零 are 0), -1 otherwise.
func hanDigit(r rune) int {
	switch r {
	case '〇', '零', '○', 'Ｏ':
		return 0
	}
	if i := strings.IndexRune("一二三四五六七八九", r); i >= 0 {
		return i/3 + 1
	}
	return -1
}

// hanNumber reads 一 … 九, 十, 十一 … 三十一.
func hanNumber(s string) int {
	rs := []rune(s)
	digit := hanDigit
	switch len(rs) {
	case 1:
		if rs[0] == '十' {
			return 10
		}
		return digit(rs[0])
	case 2:
		if rs[0] == '十' {
			return 10 + digit(rs[1])
		}
		if rs[1] == '十' {
			return digit(rs[0]) * 10
		}
	case 3:
		if rs[1] == '十' {
			return digit(rs[0])*10 + digit(rs[2])
		}
	}
	return -1
}

// IsTotalsRow says whether a row is a sheet's 合计 (总计, 小计) row, as the
// exports write below the data: its first non-empty cell says so. An
// export read back in is not taken for an asset or a period.
func IsTotalsRow(row []string) bool {
	for _, c := range row {
		switch strings.TrimSpace(c) {
		case "":
			continue
		case "合计", "总计", "小计":
			return true
		}
		return false
	}
	return false
}
