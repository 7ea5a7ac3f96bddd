package incubator

import "fmt"

// Rules a Refusal names.
const (
	RefuseAlreadyMissing = "already_missing"  // a 缺失 report for an asset already missing
	RefuseAlreadyDamaged = "already_damaged"  // a 损坏 report for an asset already damaged
	RefuseMissingFirst   = "missing_first"    // damaged reported for a missing asset: restore first
	RefuseRestorePending = "restore_pending"  // restored already, waiting for verification
	RefuseNothingMissing = "nothing_missing"  // restored reported for an asset neither missing nor damaged
	RefuseReviewed       = "already_reviewed" // a report verified before
	RefuseUnknownKind    = "unknown_kind"
)

// Refusal is a rule refusing a change, as a value: which rule and the
// facts it names. The chat and the CLI render it for people; Error is for
// logs. It wraps ErrConflict or ErrInvalid.
type Refusal struct {
	Rule   string
	Status string // the asset's status, or the report's review
	Kind   string // the report kind
	Report int64  // the report, for RefuseReviewed
	err    error
}

func (r *Refusal) Error() string {
	return fmt.Sprintf("%v: %s (status %q, kind %q, report %d)", r.err, r.Rule, r.Status, r.Kind, r.Report)
}

func (r *Refusal) Unwrap() error { return r.err }

func conflict(rule, status, kind string) error {
	return &Refusal{Rule: rule, Status: status, Kind: kind, err: ErrConflict}
}
