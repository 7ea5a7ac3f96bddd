package incubator

import (
	"errors"
	"testing"
)

func TestTransitions(t *testing.T) {
	cases := []struct {
		from, kind, to string
		conflict       bool
	}{
		{StatusRegistered, KindMissing, StatusMissing, false},
		{StatusMissing, KindMissing, "", true},
		{StatusMissing, KindRestored, StatusRestored, false},
		{StatusRegistered, KindRestored, "", true},
		{StatusRestored, KindRestored, "", true},
		{StatusRegistered, KindDamaged, StatusDamaged, false},
		{StatusDamaged, KindRestored, StatusRestored, false},
		{StatusMissing, KindDamaged, "", true},
		{StatusVerified, KindMissing, StatusMissing, false},
	}
	for _, tc := range cases {
		to, err := Transition(tc.from, tc.kind)
		if tc.conflict != errors.Is(err, ErrConflict) || to != tc.to {
			t.Errorf("%s + %s = %q, %v", tc.from, tc.kind, to, err)
		}
	}
	rep := &AssetReport{Kind: KindRestored, FromStatus: StatusMissing, ToStatus: StatusRestored, Review: ReviewPending}
	if s, _ := ReviewTransition(rep, true); s != StatusVerified {
		t.Errorf("a passed restoration is verified, got %s", s)
	}
	if s, _ := ReviewTransition(rep, false); s != StatusMissing {
		t.Errorf("a rejected restoration goes back to missing, got %s", s)
	}
	rep.Review = ReviewPassed
	if _, err := ReviewTransition(rep, true); !errors.Is(err, ErrConflict) {
		t.Error("a report is verified once")
	}
}

func TestMoney(t *testing.T) {
	for in, want := range map[string]int64{"12,800": 1280000, "¥3500.5": 350050, "1.2万": 1200000, "0": 0, "268000.00元": 26800000} {
		got, err := ParseYuan(in)
		if err != nil || got != want {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"abc", "-5", "1.234", ""} {
		if _, err := ParseYuan(bad); err == nil {
			t.Errorf("ParseYuan(%q) should fail", bad)
		}
	}
	if got := Yuan(211460000); got != "¥2,114,600.00" {
		t.Errorf("Yuan: %s", got)
	}
	if got := Yuan(5); got != "¥0.05" {
		t.Errorf("Yuan: %s", got)
	}
}

func TestPeriods(t *testing.T) {
	for in, want := range map[string]string{"2026-10": "2026-10", "2026年3月": "2026-03", "2026Q3": "2026Q3", "2026年第二季度": "2026Q2", "2021-06": "2021-06"} {
		got, err := ParsePeriod(in)
		if err != nil || got != want {
			t.Errorf("ParsePeriod(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"2026-13", "十月", "2026Q5"} {
		if _, err := ParsePeriod(bad); err == nil {
			t.Errorf("ParsePeriod(%q) should fail", bad)
		}
	}
	if PeriodName("2026Q3") != "2026年第3季度" || PeriodName("2026-03") != "2026年3月" {
		t.Error("PeriodName")
	}
}

func TestParseField(t *testing.T) {
	count, money := Fields[0], Fields[6]
	if v, err := ParseField(count, "25家"); err != nil || v != "25" {
		t.Errorf("count with unit: %q %v", v, err)
	}
	for _, bad := range []string{"-1", "二十", "1.5", ""} {
		if _, err := ParseField(count, bad); err == nil {
			t.Errorf("count %q should fail", bad)
		}
	}
	if v, err := ParseField(money, "150.5万元"); err != nil || v != "150.5" {
		t.Errorf("money: %q %v", v, err)
	}
	if _, err := ParseField(money, "-3"); err == nil {
		t.Error("negative money must fail")
	}
}

func TestKindInText(t *testing.T) {
	for text, want := range map[string]string{"三楼会议室的投影仪不见了": KindMissing, "打印机坏了": KindDamaged, "投影仪找到了": KindRestored} {
		if got, ok := KindInText(text); !ok || got != want {
			t.Errorf("%q: %q %v", text, got, ok)
		}
	}
	if _, ok := KindInText("高企认定需要什么条件"); ok {
		t.Error("a policy question is not an asset report")
	}
}

func TestDemoStoryFigures(t *testing.T) {
	reg := DemoRegister()
	missing := map[string]bool{}
	for _, c := range DemoMissing() {
		missing[c] = true
	}
	var value int64
	for _, a := range reg {
		if missing[a.Code] {
			value += a.Value()
		}
	}
	if len(reg) != 101 || len(missing) != 33 || value <= 200000000 {
		t.Fatalf("demo: %d items, %d missing worth %s", len(reg), len(missing), Yuan(value))
	}
}
