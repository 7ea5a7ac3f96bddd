package incubator

import "sort"

// ReportEntry is what an asset's status is derived from: one of its
// reports, its kind, the status the asset had when it was made, and its
// review.
type ReportEntry struct {
	ID         int64
	Kind       string
	FromStatus string
	Review     string
}

// DeriveStatus is an asset's status from its reports, whatever order they
// arrived in and were verified in. The latest report (by report number) that
// was not rejected decides: 缺失 → 缺失, 损坏 → 损坏, 补齐 → 已补齐 while it
// waits and 已核验 once passed. When every report was rejected, the asset is
// what it was before its first report; with no reports it keeps current.
// This is the one place the rule lives: storage calls it after every
// report and every verification, inside the same transaction.
func DeriveStatus(current string, reps []ReportEntry) string {
	if len(reps) == 0 {
		return current
	}
	sorted := append([]ReportEntry(nil), reps...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	for i := len(sorted) - 1; i >= 0; i-- {
		r := sorted[i]
		if r.Review == ReviewRejected {
			continue
		}
		switch r.Kind {
		case KindMissing:
			return StatusMissing
		case KindDamaged:
			return StatusDamaged
		case KindRestored:
			if r.Review == ReviewPassed {
				return StatusVerified
			}
			return StatusRestored
		}
	}
	return sorted[0].FromStatus
}
