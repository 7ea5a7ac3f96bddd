package incubator

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/incubot/incubot/internal/sheet"
)

// Span is a stretch of time figures are summed over: a month, a quarter, a
// half-year or a year, with the months and quarters whose reports fall in it.
type Span struct {
	Label                     string    // 2026年上半年
	Key                       string    // 2026H1
	FirstMonth, LastMonth     string    // 2026-01, 2026-06 (compared as text)
	FirstQuarter, LastQuarter string    // 2026Q1, 2026Q2; empty when no whole quarter fits (a month)
	From, To                  time.Time // [From, To), for asset reports
}

var (
	reHalf = regexp.MustCompile(`^(\d{4})\s*(?:年)?\s*(?:H([12])|(上|下)半年)$`)
	reYear = regexp.MustCompile(`^(\d{4})\s*年?(?:度|全年)?$`)
)

// ParseSpan reads a month (2026-10, 2026年10月), a quarter (2026Q3,
// 2026年第三季度), a half-year (2026H1, 2026年上半年) or a year (2026,
// 2026年, 2026年度).
func ParseSpan(s string) (Span, error) {
	s = strings.TrimSpace(s)
	month := func(y, m int) time.Time { return time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.Local) }
	span := func(y, m1, m2 int, label, key string) Span {
		sp := Span{Label: label, Key: key, FirstMonth: fmt.Sprintf("%d-%02d", y, m1), LastMonth: fmt.Sprintf("%d-%02d", y, m2),
			From: month(y, m1), To: month(y, m2).AddDate(0, 1, 0)}
		if (m1-1)%3 == 0 && m2%3 == 0 {
			sp.FirstQuarter, sp.LastQuarter = fmt.Sprintf("%dQ%d", y, (m1-1)/3+1), fmt.Sprintf("%dQ%d", y, m2/3)
		}
		return sp
	}
	if m := reHalf.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		if m[2] == "2" || m[3] == "下" {
			return span(y, 7, 12, m[1]+"年下半年", m[1]+"H2"), nil
		}
		return span(y, 1, 6, m[1]+"年上半年", m[1]+"H1"), nil
	}
	if m := reYear.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		return span(y, 1, 12, m[1]+"年", m[1]), nil
	}
	p, err := ParsePeriod(s)
	if err != nil {
		return Span{}, fmt.Errorf("%w: “%s”不是期间，请写成 2026-10（月）、2026Q3（季度）、2026H1 或 2026年上半年（半年）、2026（全年）", ErrInvalid, s)
	}
	y, _ := strconv.Atoi(p[:4])
	if q, ok := strings.CutPrefix(p[4:], "Q"); ok {
		n, _ := strconv.Atoi(q)
		return span(y, n*3-2, n*3, PeriodName(p), p), nil
	}
	mo, _ := strconv.Atoi(p[5:])
	sp := span(y, mo, mo, PeriodName(p), p)
	sp.FirstQuarter, sp.LastQuarter = "", ""
	return sp, nil
}

// Contains says whether a report's period falls in the span.
func (sp Span) Contains(period string) bool {
	if strings.Contains(period, "Q") {
		return sp.FirstQuarter != "" && period >= sp.FirstQuarter && period <= sp.LastQuarter
	}
	return period >= sp.FirstMonth && period <= sp.LastMonth
}

// Summarize sums each incubator's reports of a span into one report per
// incubator (Period = the span's key), sorted by incubator. Flows (新增入孵,
// 毕业, 活动, 服务人次, 专利, 融资) are summed; stocks (在孵企业数, 就业人数)
// are those of the latest period. An incubator that reports by month is
// summed over its months, and its quarterly reports of the same span are
// then left out, so nothing counts twice. periods says how many reports
// each sum covers, by incubator.
func Summarize(sp Span, reps []StatusReport) (sums []StatusReport, periods map[string]int) {
	byInc := map[string][]StatusReport{}
	for _, r := range reps {
		if sp.Contains(r.Period) && r.ReplacedAt == nil {
			byInc[r.Incubator] = append(byInc[r.Incubator], r)
		}
	}
	periods = map[string]int{}
	for inc, list := range byInc {
		monthly := false
		for _, r := range list {
			monthly = monthly || !strings.Contains(r.Period, "Q")
		}
		var use []StatusReport
		for _, r := range list {
			if strings.Contains(r.Period, "Q") != monthly {
				use = append(use, r)
			}
		}
		sort.Slice(use, func(i, j int) bool { return use[i].Period < use[j].Period })
		sum := StatusReport{IncubatorID: use[0].IncubatorID, Incubator: inc, Period: sp.Key}
		for _, r := range use {
			sum.Add(r)
		}
		last := use[len(use)-1]
		sum.Tenants, sum.Jobs = last.Tenants, last.Jobs
		sums = append(sums, sum)
		periods[inc] = len(use)
	}
	sort.Slice(sums, func(i, j int) bool { return sums[i].Incubator < sums[j].Incubator })
	return sums, periods
}

// AssetFigures are an incubator's asset reports of a span, as a bureau's
// summary states them: items reported missing and restored (and verified),
// and their values (fen). Rejected reports do not count.
type AssetFigures struct {
	Missing, Restored, Verified                int
	MissingValue, RestoredValue, VerifiedValue int64
}

// CountAssetReports sums the asset reports of a span by incubator.
func CountAssetReports(sp Span, reps []AssetReport) map[string]AssetFigures {
	out := map[string]AssetFigures{}
	for _, r := range reps {
		if r.Review == ReviewRejected || r.CreatedAt.Before(sp.From) || !r.CreatedAt.Before(sp.To) {
			continue
		}
		f := out[r.Incubator]
		switch r.Kind {
		case KindMissing:
			f.Missing++
			f.MissingValue += r.Value
		case KindRestored:
			f.Restored++
			f.RestoredValue += r.Value
			if r.Review == ReviewPassed {
				f.Verified++
				f.VerifiedValue += r.Value
			}
		}
		out[r.Incubator] = f
	}
	return out
}

// SummarySheet is the span's figures laid out as a bureau's half-year
// summary: one row per incubator, a 合计 row.
func SummarySheet(sp Span, sums []StatusReport, assets map[string]AssetFigures) sheet.Sheet {
	s := sheet.Sheet{Name: sp.Label + "汇总", Columns: []sheet.Column{
		{Title: "孵化器"}, {Title: "期间"},
		{Title: "在孵企业（期末）", Kind: sheet.Int, Total: true}, {Title: "新增入孵", Kind: sheet.Int, Total: true}, {Title: "毕业企业", Kind: sheet.Int, Total: true},
		{Title: "举办活动（场）", Kind: sheet.Int, Total: true}, {Title: "服务企业（人次）", Kind: sheet.Int, Total: true},
		{Title: "专利申请（件）", Kind: sheet.Int, Total: true}, {Title: "获得融资（万元）", Kind: sheet.Decimal, Total: true}, {Title: "就业人数（期末）", Kind: sheet.Int, Total: true},
		{Title: "报缺失资产（项）", Kind: sheet.Int, Total: true}, {Title: "缺失原值", Kind: sheet.Money, Total: true},
		{Title: "报补齐资产（项）", Kind: sheet.Int, Total: true}, {Title: "补齐原值", Kind: sheet.Money, Total: true},
		{Title: "补齐已核验（项）", Kind: sheet.Int, Total: true}, {Title: "已核验原值", Kind: sheet.Money, Total: true},
	}}
	names := map[string]bool{}
	byName := map[string]StatusReport{}
	for _, r := range sums {
		names[r.Incubator], byName[r.Incubator] = true, r
	}
	for n := range assets {
		names[n] = true
	}
	var list []string
	for n := range names {
		list = append(list, n)
	}
	sort.Strings(list)
	for _, n := range list {
		r, a := byName[n], assets[n]
		s.Data = append(s.Data, []any{n, sp.Label, r.Tenants, r.NewTenants, r.Graduated, r.Events, r.Served, r.Patents, r.FinancingWan, r.Jobs,
			a.Missing, a.MissingValue, a.Restored, a.RestoredValue, a.Verified, a.VerifiedValue})
	}
	return s
}
