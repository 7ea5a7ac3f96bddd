package zh

import "testing"

func TestDates(t *testing.T) {
	for _, s := range []string{"2026-01-31", "2026/1/31", "2026.1.31", " 2026年1月31日 ", "2026 年 1 月 31 日"} {
		if d, err := ParseDate(s); err != nil || d.Format("2006-01-02") != "2026-01-31" {
			t.Errorf("ParseDate(%q) = %v, %v", s, d, err)
		}
	}
	for _, s := range []string{"", "2026-13-01", "2026年2月30日", "明年一月", "20260131"} {
		if _, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) took it for a date", s)
		}
	}
}

func TestNumerals(t *testing.T) {
	for s, n := range map[string]int{"3": 3, "三": 3, "两": 2, "十": 10, "十二": 12, "二十": 0, "": 0} {
		if got := SmallNumber(s); got != n {
			t.Errorf("SmallNumber(%q) = %d, want %d", s, got, n)
		}
	}
	for s, want := range map[string]bool{"十一": true, "二〇二六": true, "": false, "11": false, "第一": false} {
		if got := IsNumeral(s); got != want {
			t.Errorf("IsNumeral(%q) = %v", s, got)
		}
	}
}
