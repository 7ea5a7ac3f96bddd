package incubator

import (
	"testing"
	"time"
)

func TestParseSpan(t *testing.T) {
	cases := map[string][5]string{ // label, first/last month, first/last quarter
		"2026H1":    {"2026年上半年", "2026-01", "2026-06", "2026Q1", "2026Q2"},
		"2026年下半年":  {"2026年下半年", "2026-07", "2026-12", "2026Q3", "2026Q4"},
		"2021":      {"2021年", "2021-01", "2021-12", "2021Q1", "2021Q4"},
		"2021年度":    {"2021年", "2021-01", "2021-12", "2021Q1", "2021Q4"},
		"2026Q3":    {"2026年第3季度", "2026-07", "2026-09", "2026Q3", "2026Q3"},
		"2021-06":   {"2021年6月", "2021-06", "2021-06", "", ""},
		"2021年第二季度": {"2021年第2季度", "2021-04", "2021-06", "2021Q2", "2021Q2"},
	}
	for in, want := range cases {
		sp, err := ParseSpan(in)
		got := [5]string{sp.Label, sp.FirstMonth, sp.LastMonth, sp.FirstQuarter, sp.LastQuarter}
		if err != nil || got != want {
			t.Errorf("%s: %v %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "2026H3", "上半年", "2026-13", "abc"} {
		if _, err := ParseSpan(bad); err == nil {
			t.Errorf("%q is not a span", bad)
		}
	}
}

// Half-year sums: flows add up, stocks are the latest month's, and an
// incubator that reports monthly is not counted again by its quarter.
func TestSummarizeHalfYear(t *testing.T) {
	sp, _ := ParseSpan("2026H1")
	reps := []StatusReport{
		{Incubator: "创客城", Period: "2026-01", Tenants: 10, NewTenants: 1, Events: 2, Patents: 1, FinancingWan: 5000, Jobs: 80},
		{Incubator: "创客城", Period: "2026-06", Tenants: 12, NewTenants: 2, Graduated: 1, Events: 3, Patents: 2, FinancingWan: 2550, Jobs: 90},
		{Incubator: "创客城", Period: "2026Q1", Tenants: 99, NewTenants: 99},
		{Incubator: "创客城", Period: "2026-07", Tenants: 50, NewTenants: 50},
		{Incubator: "青秀众创空间", Period: "2026Q1", Tenants: 5, NewTenants: 1, Events: 4},
		{Incubator: "青秀众创空间", Period: "2026Q2", Tenants: 6, NewTenants: 2, Events: 1},
	}
	sums, periods := Summarize(sp, reps)
	if len(sums) != 2 {
		t.Fatal(sums)
	}
	c, q := sums[0], sums[1]
	if c.Incubator != "创客城" || c.Tenants != 12 || c.NewTenants != 3 || c.Graduated != 1 || c.Events != 5 || c.Patents != 3 || c.FinancingWan != 7550 || c.Jobs != 90 || periods["创客城"] != 2 {
		t.Errorf("创客城: %+v (%d periods)", c, periods["创客城"])
	}
	if q.Tenants != 6 || q.NewTenants != 3 || q.Events != 5 || periods["青秀众创空间"] != 2 {
		t.Errorf("青秀众创空间 by quarters: %+v", q)
	}
	day := func(m int) time.Time { return time.Date(2026, time.Month(m), 10, 0, 0, 0, 0, time.Local) }
	figs := CountAssetReports(sp, []AssetReport{
		{Incubator: "创客城", Kind: KindMissing, Value: 100, CreatedAt: day(1), Review: ReviewPassed},
		{Incubator: "创客城", Kind: KindMissing, Value: 50, CreatedAt: day(2), Review: ReviewRejected},
		{Incubator: "创客城", Kind: KindRestored, Value: 100, CreatedAt: day(5), Review: ReviewPassed},
		{Incubator: "创客城", Kind: KindMissing, Value: 70, CreatedAt: day(8), Review: ReviewPending},
	})
	if f := figs["创客城"]; f.Missing != 1 || f.MissingValue != 100 || f.Restored != 1 || f.Verified != 1 || f.VerifiedValue != 100 {
		t.Errorf("asset figures of the half: %+v", f)
	}
}
