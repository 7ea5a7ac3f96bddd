package postgres

import (
	"context"

	"github.com/incubot/incubot/internal/incubator"
)

// SpanStatusReports lists the current status reports of a span's months
// and, when whole quarters fit in it, its quarters (incubator.Summarize
// keeps one of the two per incubator).
func (db *DB) SpanStatusReports(ctx context.Context, sp incubator.Span) ([]incubator.StatusReport, error) {
	reps, err := db.StatusReports(ctx, sp.FirstMonth, sp.LastMonth, false)
	if err != nil || sp.FirstQuarter == "" {
		return reps, err
	}
	qs, err := db.StatusReports(ctx, sp.FirstQuarter, sp.LastQuarter, false)
	return append(reps, qs...), err
}
