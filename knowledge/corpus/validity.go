package corpus

import (
	"fmt"
	"time"
)

// ExpiringDays is how many days ahead officers are warned that a document
// in force expires.
const ExpiringDays = 30

// Validity kinds of a document on a day.
const (
	ValidityInForce    = "in_force"
	ValidityExpiring   = "expiring" // in force, expiring within ExpiringDays
	ValidityExpired    = "expired"  // active, but its expiry date has passed
	ValidityNotYet     = "not_yet"  // active, effective later
	ValiditySuperseded = StatusSuperseded
	ValidityRetired    = StatusRetired
)

// Validity is what a document's dates and status mean on a day.
type Validity struct {
	Kind string
	Date *time.Time // the expiry (or, for not_yet, the effective) date
	Days int        // days left until expiry, for expiring (0: expires today)
}

// ValidityOn tells whether the document may be cited on day and, when it
// expires, how soon.
func (d *Document) ValidityOn(day time.Time) Validity {
	day = DateOf(day)
	switch {
	case d.Status == StatusSuperseded:
		return Validity{Kind: ValiditySuperseded}
	case d.Status != StatusActive:
		return Validity{Kind: ValidityRetired}
	case d.ExpiresOn != nil && day.After(DateOf(*d.ExpiresOn)):
		return Validity{Kind: ValidityExpired, Date: d.ExpiresOn}
	case d.EffectiveOn != nil && day.Before(DateOf(*d.EffectiveOn)):
		return Validity{Kind: ValidityNotYet, Date: d.EffectiveOn}
	case d.ExpiresOn != nil:
		left := int(DateOf(*d.ExpiresOn).Sub(day).Hours() / 24)
		if left <= ExpiringDays {
			return Validity{Kind: ValidityExpiring, Date: d.ExpiresOn, Days: left}
		}
	}
	return Validity{Kind: ValidityInForce, Date: d.ExpiresOn}
}

// String renders the validity for officers: 有效, 即将到期（12天，2027-02-28）,
// 已到期（2027-02-28）, 未生效（2027-01-01起）, 已替换, 已废止.
func (v Validity) String() string {
	switch v.Kind {
	case ValidityExpiring:
		left := fmt.Sprintf("%d天", v.Days)
		if v.Days == 0 {
			left = "今天"
		}
		return "即将到期（" + left + "，" + v.Date.Format(time.DateOnly) + "）"
	case ValidityExpired:
		return "已到期（" + v.Date.Format(time.DateOnly) + "）"
	case ValidityNotYet:
		return "未生效（" + v.Date.Format(time.DateOnly) + "起）"
	case ValiditySuperseded:
		return "已替换"
	case ValidityRetired:
		return "已废止"
	}
	return "有效"
}

// Expiring returns the active documents that have expired or expire within
// ExpiringDays of day, soonest first: what officers must renew or retire.
func Expiring(docs []Document, day time.Time) []Document {
	var out []Document
	for _, d := range docs {
		if k := d.ValidityOn(day).Kind; k == ValidityExpired || k == ValidityExpiring {
			out = append(out, d)
		}
	}
	for i := 1; i < len(out); i++ { // few documents: insertion sort by expiry
		for j := i; j > 0 && out[j].ExpiresOn.Before(*out[j-1].ExpiresOn); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// DateOf is t's calendar day, at midnight UTC.
func DateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
