package incubator

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/incubot/incubot/internal/sheet"
)

// StatusReport is an incubator's figures for a month (2026-10) or a
// quarter (2026Q3).
type StatusReport struct {
	ID           int64
	IncubatorID  int
	Incubator    string
	Period       string
	Tenants      int   // 在孵企业数
	NewTenants   int   // 新增入孵
	Graduated    int   // 毕业企业
	Events       int   // 举办活动场次
	Served       int   // 服务企业人次
	Patents      int   // 专利申请数
	FinancingWan int64 // 获得融资额（万元）× 100
	Jobs         int   // 就业人数
	Note         string
	Reporter     string
	Channel      string
	SubmittedAt  time.Time
	ReplacedAt   *time.Time
}

// Field is one figure of the status form.
type Field struct {
	Key   string
	Label string
	Unit  string
	Money bool // 万元 with up to two decimals
	Text  bool // free text (备注)
}

// Fields are the status report's figures in the order the form asks them.
var Fields = []Field{
	{Key: "tenants", Label: "在孵企业数", Unit: "家"},
	{Key: "new_tenants", Label: "新增入孵", Unit: "家"},
	{Key: "graduated", Label: "毕业企业", Unit: "家"},
	{Key: "events", Label: "举办活动场次", Unit: "场"},
	{Key: "served", Label: "服务企业人次", Unit: "人次"},
	{Key: "patents", Label: "专利申请数", Unit: "件"},
	{Key: "financing", Label: "获得融资额", Unit: "万元", Money: true},
	{Key: "jobs", Label: "就业人数", Unit: "人"},
	{Key: "note", Label: "备注", Text: true},
}

// Values are a form's answers by field key, as entered (validated).
type Values map[string]string

// Bounds on a status report's figures: a count above MaxCount or financing
// above MaxFinancingWan is a typing error, not an incubator's month.
const (
	MaxCount        = 1_000_000 // any count (家, 场, 人次, 件, 人)
	MaxFinancingWan = 1_000_000 // 获得融资额, in 万元 (100亿元)
)

var reCount = regexp.MustCompile(`^\d+$`)
var reWan = regexp.MustCompile(`^\d+(\.\d{1,2})?$`)

// ParseField validates one answer and returns it normalised, or a Chinese
// message saying what is accepted.
func ParseField(f Field, input string) (string, error) {
	s := strings.TrimSpace(input)
	if f.Text {
		if s == "无" || s == "没有" || s == "-" {
			return "", nil
		}
		if len([]rune(s)) > 500 {
			return "", fmt.Errorf("%w: 备注请控制在500字以内", ErrInvalid)
		}
		return s, nil
	}
	s = strings.TrimSuffix(strings.TrimSuffix(strings.ReplaceAll(s, ",", ""), f.Unit), "个")
	s = strings.TrimSpace(s)
	if f.Money {
		s = strings.TrimSuffix(s, "元")
		if strings.HasPrefix(s, "-") {
			return "", fmt.Errorf("%w: %s不能为负数，请重新输入（单位：万元，如 120.5）", ErrInvalid, f.Label)
		}
		if !reWan.MatchString(s) {
			return "", fmt.Errorf("%w: “%s”不是有效金额，请输入%s（单位：万元，如 120.5，没有请填 0）", ErrInvalid, input, f.Label)
		}
		if v, err := ParseYuan(s); err != nil || v > MaxFinancingWan*100 {
			return "", fmt.Errorf("%w: %s不能超过%d万元，请核对后重新输入", ErrInvalid, f.Label, MaxFinancingWan)
		}
		return s, nil
	}
	if strings.HasPrefix(s, "-") {
		return "", fmt.Errorf("%w: %s不能为负数，请重新输入", ErrInvalid, f.Label)
	}
	if !reCount.MatchString(s) {
		return "", fmt.Errorf("%w: “%s”不是有效数字，请输入%s（整数，单位：%s，没有请填 0）", ErrInvalid, input, f.Label, f.Unit)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > MaxCount {
		return "", fmt.Errorf("%w: %s不能超过%d%s，请核对后重新输入", ErrInvalid, f.Label, MaxCount, f.Unit)
	}
	return strconv.FormatInt(n, 10), nil
}

// Build turns complete values into a report.
func (v Values) Build(period string) (StatusReport, error) {
	r := StatusReport{Period: period, Note: v["note"]}
	ints := map[string]*int{"tenants": &r.Tenants, "new_tenants": &r.NewTenants, "graduated": &r.Graduated, "events": &r.Events, "served": &r.Served, "patents": &r.Patents, "jobs": &r.Jobs}
	for _, f := range Fields {
		val, ok := v[f.Key]
		if !ok && !f.Text {
			return r, fmt.Errorf("%w: %s未填写", ErrInvalid, f.Label)
		}
		switch {
		case f.Money:
			fen, err := ParseYuan(val)
			if err != nil || fen > MaxFinancingWan*100 {
				return r, fmt.Errorf("%w: %s无效或超过%d万元", ErrInvalid, f.Label, MaxFinancingWan)
			}
			r.FinancingWan = fen
		case !f.Text:
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 || n > MaxCount {
				return r, fmt.Errorf("%w: %s无效或超过%d", ErrInvalid, f.Label, MaxCount)
			}
			*ints[f.Key] = n
		}
	}
	if r.NewTenants > r.Tenants {
		return r, fmt.Errorf("%w: 新增入孵（%d家）不能多于在孵企业数（%d家），请核对", ErrInvalid, r.NewTenants, r.Tenants)
	}
	return r, nil
}

// Summary renders the report for review.
func (r StatusReport) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s 运行情况：", r.Incubator, PeriodName(r.Period))
	vals := []string{strconv.Itoa(r.Tenants), strconv.Itoa(r.NewTenants), strconv.Itoa(r.Graduated), strconv.Itoa(r.Events),
		strconv.Itoa(r.Served), strconv.Itoa(r.Patents), Wan(r.FinancingWan), strconv.Itoa(r.Jobs), r.Note}
	for i, f := range Fields {
		v := vals[i]
		if f.Text && v == "" {
			v = "无"
		}
		fmt.Fprintf(&b, "\n%d. %s：%s%s", i+1, f.Label, v, f.Unit)
	}
	return b.String()
}

// Wan formats hundredths of 万元 as 120.50.
func Wan(v int64) string { return fmt.Sprintf("%d.%02d", v/100, v%100) }

var (
	reMonth   = regexp.MustCompile(`^(\d{4})[-年/.]?(\d{1,2})月?$`)
	reQuarter = regexp.MustCompile(`^(\d{4})\s*(?:年)?\s*(?:Q|q|第)([1-4一二三四])(?:季度)?$`)
)

// ParsePeriod reads 2026-10, 2026年10月, 2026Q3, 2026年第三季度 into the
// canonical 2026-10 or 2026Q3.
func ParsePeriod(s string) (string, error) {
	s = strings.TrimSpace(s)
	if m := reQuarter.FindStringSubmatch(s); m != nil {
		q := strings.IndexAny("一二三四", m[2])
		n := m[2]
		if q >= 0 {
			n = strconv.Itoa(strings.Index("一二三四", m[2])/3 + 1)
		}
		return m[1] + "Q" + n, nil
	}
	if m := reMonth.FindStringSubmatch(s); m != nil {
		mo, _ := strconv.Atoi(m[2])
		if mo >= 1 && mo <= 12 {
			return fmt.Sprintf("%s-%02d", m[1], mo), nil
		}
	}
	return "", fmt.Errorf("%w: “%s”不是报送期间，请写成 2026-10（月）或 2026Q3（季度）", ErrInvalid, s)
}

// PeriodName is 2026年10月 or 2026年第3季度.
func PeriodName(p string) string {
	if y, q, ok := strings.Cut(p, "Q"); ok {
		return y + "年第" + q + "季度"
	}
	if y, m, ok := strings.Cut(p, "-"); ok {
		return y + "年" + strings.TrimPrefix(m, "0") + "月"
	}
	return p
}

// PreviousMonth is the period managers usually report: last month.
func PreviousMonth(now time.Time) string {
	return now.AddDate(0, 0, -now.Day()).Format("2006-01")
}

// StatusColumns are the headers of a status sheet: 期间 and each figure's
// label, alone or with its unit.
func StatusColumns() (map[string][]string, []string) {
	aliases := map[string][]string{"期间": {"期间", "月份", "季度", "报送期间"}}
	required := []string{"期间"}
	for _, f := range Fields {
		aliases[f.Key] = []string{f.Label, f.Label + "（" + f.Unit + "）", f.Label + "(" + f.Unit + ")"}
		if !f.Text {
			required = append(required, f.Key)
		}
	}
	return aliases, required
}

// ParseStatusSheet reads status reports, one period per row (title rows
// above the header are skipped). Every problem is reported, and nothing is
// returned when there is one.
func ParseStatusSheet(t *sheet.Table) ([]StatusReport, []Problem) {
	aliases, required := StatusColumns()
	cols, missing := t.Columns(aliases, required...)
	for i, m := range missing {
		for _, f := range Fields {
			if f.Key == m {
				missing[i] = f.Label
			}
		}
	}
	if problems := missingColumns(t, missing); len(problems) > 0 {
		return nil, problems
	}
	var out []StatusReport
	var problems []Problem
	reason := func(err error) string { return strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ") }
	for i, row := range t.Rows {
		n := t.RowNumber(i)
		if strings.TrimSpace(strings.Join(row, "")) == "" || IsTotalsRow(row) {
			continue
		}
		period, err := ParsePeriod(t.Cell(row, cols["期间"]))
		if err != nil {
			problems = append(problems, Problem{Row: n, Column: "期间", Text: "不是报送期间（如 2026-10 或 2026Q3）"})
			continue
		}
		vals := Values{}
		ok := true
		for _, f := range Fields {
			v, err := ParseField(f, t.Cell(row, cols[f.Key]))
			if err != nil && !(f.Text && t.Cell(row, cols[f.Key]) == "") {
				problems = append(problems, Problem{Row: n, Column: f.Label, Text: reason(err)})
				ok = false
				continue
			}
			vals[f.Key] = v
		}
		if !ok {
			continue
		}
		r, err := vals.Build(period)
		if err != nil {
			problems = append(problems, Problem{Row: n, Text: reason(err)})
			continue
		}
		out = append(out, r)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	if len(out) == 0 {
		return nil, []Problem{{Text: "表格中没有运行情况数据"}}
	}
	return out, nil
}
