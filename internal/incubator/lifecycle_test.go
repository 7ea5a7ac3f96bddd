package incubator

import "testing"

// The case: report 2 缺失 CKC-016, report 4 补齐 CKC-016, then report
// 2 verified 通过. The asset follows report 4, not the last verification.
func TestDeriveStatusFollowsReportOrder(t *testing.T) {
	missing := ReportEntry{ID: 2, Kind: KindMissing, FromStatus: StatusRegistered, Review: ReviewPending}
	restored := ReportEntry{ID: 4, Kind: KindRestored, FromStatus: StatusMissing, Review: ReviewPending}
	cases := []struct {
		name   string
		m, r   string // reviews of report 2 and 4
		want   string
		noRest bool
	}{
		{"both waiting", ReviewPending, ReviewPending, StatusRestored, false},
		{"missing verified before the restoration", ReviewPassed, ReviewPending, StatusRestored, false},
		{"restoration passed", ReviewPassed, ReviewPassed, StatusVerified, false},
		{"restoration rejected", ReviewPassed, ReviewRejected, StatusMissing, false},
		{"both rejected", ReviewRejected, ReviewRejected, StatusRegistered, false},
		{"missing rejected, restoration waits", ReviewRejected, ReviewPending, StatusRestored, false},
		{"only the missing report, rejected", ReviewRejected, "", StatusRegistered, true},
		{"only the missing report, passed", ReviewPassed, "", StatusMissing, true},
	}
	for _, tc := range cases {
		m, r := missing, restored
		m.Review, r.Review = tc.m, tc.r
		reps := []ReportEntry{r, m} // out of order on purpose
		if tc.noRest {
			reps = []ReportEntry{m}
		}
		if got := DeriveStatus(StatusMissing, reps); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
	if got := DeriveStatus(StatusMissing, nil); got != StatusMissing {
		t.Errorf("an asset without reports keeps its status (a stock-take may have set it): %s", got)
	}
}
