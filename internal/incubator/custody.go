package incubator

import (
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Refusals of custody changes.
const (
	RefuseTransferNowhere = "transfer_nowhere" // no new location or custodian, or both as they are
	RefuseCustodianFormat = "custodian_format" // a custodian that is not a person's name
	RefuseLocationFormat  = "location_format"  // a location too long or with control characters
	RefuseTransferMissing = "transfer_missing" // a missing asset cannot be moved
	RefuseLifeYears       = "life_years"       // a service life outside 1–100 years
	RefuseLifeCategory    = "life_category"    // an empty or overlong category
)

// Transfer is one move of an asset to another location or custodian (调拨).
type Transfer struct {
	ID            int64
	AssetID       int64
	AssetCode     string
	AssetName     string
	Incubator     string
	FromLocation  string
	ToLocation    string
	FromCustodian string
	ToCustodian   string
	Note          string
	By            string
	Role          string
	Channel       string
	At            time.Time
}

// reCustodian is a person's name: Chinese or Latin letters, with · or a
// space between parts (欧阳娜娜, 阿卜杜·热合曼, Li Wei), 2 to 20 characters.
var reCustodian = regexp.MustCompile(`^[\p{Han}A-Za-z](?:[\p{Han}A-Za-z]|[·• ][\p{Han}A-Za-z])+$`)

// CheckTransfer says whether asset a may move to location and custodian
// ("" keeps what it has) and returns the move, or a *Refusal.
func CheckTransfer(a Asset, location, custodian string) (Transfer, error) {
	location, custodian = strings.TrimSpace(location), strings.TrimSpace(custodian)
	t := Transfer{AssetID: a.ID, AssetCode: a.Code, AssetName: a.Name, Incubator: a.Incubator,
		FromLocation: a.Location, FromCustodian: a.Custodian, ToLocation: a.Location, ToCustodian: a.Custodian}
	refuse := func(rule string) (Transfer, error) {
		return Transfer{}, &Refusal{Rule: rule, Status: a.Status, err: ErrInvalid}
	}
	if custodian != "" {
		if n := utf8.RuneCountInString(custodian); n > 20 || !reCustodian.MatchString(custodian) {
			return refuse(RefuseCustodianFormat)
		}
		t.ToCustodian = custodian
	}
	if location != "" {
		if utf8.RuneCountInString(location) > 50 || strings.ContainsFunc(location, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			return refuse(RefuseLocationFormat)
		}
		t.ToLocation = location
	}
	if t.ToLocation == t.FromLocation && t.ToCustodian == t.FromCustodian {
		return refuse(RefuseTransferNowhere)
	}
	if a.Status == StatusMissing {
		return Transfer{}, &Refusal{Rule: RefuseTransferMissing, Status: a.Status, err: ErrConflict}
	}
	return t, nil
}

// ServiceLife is how many years assets of a category serve (the standard
// table of the government fixed-asset accounting guidance, as edited).
type ServiceLife struct {
	Category string
	Years    int
	Basis    string
}

// CheckServiceLife validates an officer's edit of the table.
func CheckServiceLife(l ServiceLife) error {
	switch {
	case strings.TrimSpace(l.Category) == "" || utf8.RuneCountInString(l.Category) > 40:
		return &Refusal{Rule: RefuseLifeCategory, err: ErrInvalid}
	case l.Years < 1 || l.Years > 100:
		return &Refusal{Rule: RefuseLifeYears, err: ErrInvalid}
	}
	return nil
}

// Overdue is an asset past its service life and still on the register.
type Overdue struct {
	Asset
	Years int       // its category's service life
	Due   time.Time // purchase date + service life
}

// PastLife lists the assets whose service life ended before today and that
// are still carried (not written off: every status but 已报废), oldest
// first, and the categories of the register that the table does not cover
// (their assets cannot be judged), with how many assets each holds. An
// asset without a purchase date cannot be judged either.
func PastLife(assets []Asset, lives []ServiceLife, today time.Time) (overdue []Overdue, uncovered map[string]int) {
	years := map[string]int{}
	for _, l := range lives {
		years[strings.TrimSpace(l.Category)] = l.Years
	}
	uncovered = map[string]int{}
	for _, a := range assets {
		if a.Status == StatusWrittenOff {
			continue
		}
		y, ok := years[strings.TrimSpace(a.Category)]
		if !ok {
			uncovered[a.Category]++
			continue
		}
		if a.PurchasedOn == nil {
			continue
		}
		due := a.PurchasedOn.AddDate(y, 0, 0)
		if due.Before(today) {
			overdue = append(overdue, Overdue{Asset: a, Years: y, Due: due})
		}
	}
	sort.SliceStable(overdue, func(i, j int) bool { return overdue[i].Due.Before(overdue[j].Due) })
	return overdue, uncovered
}

// Disposal outcomes and refusals.
const (
	DisposalPending  = "待审批"
	DisposalApproved = "批准"
	DisposalRejected = "驳回"

	RefuseDisposeMissing  = "dispose_missing"  // a missing asset is compensated, not written off
	RefuseDisposeDone     = "dispose_done"     // written off already
	RefuseDisposePending  = "dispose_pending"  // a request waits already
	RefuseDisposeReason   = "dispose_reason"   // no reason, or one too long
	RefuseDisposalDecided = "disposal_decided" // approving or rejecting twice
	RefuseWrittenOff      = "written_off"      // a report on an asset written off
)

// Disposal is a request to write an asset off (报废, 报损) and its decision.
type Disposal struct {
	ID          int64
	AssetID     int64
	AssetCode   string
	AssetName   string
	Incubator   string
	Value       int64
	Kind        string
	Reason      string
	Requester   string
	Channel     string
	RequestedAt time.Time
	Review      string
	Reviewer    string
	ReviewNote  string
	ReviewedAt  *time.Time
}

// CheckDisposal says whether asset a may be put up for disposal, pending
// telling whether a request waits already.
func CheckDisposal(a Asset, reason string, pending bool) error {
	refuse := func(rule string, err error) error { return &Refusal{Rule: rule, Status: a.Status, err: err} }
	switch n := utf8.RuneCountInString(strings.TrimSpace(reason)); {
	case n == 0 || n > 200:
		return refuse(RefuseDisposeReason, ErrInvalid)
	case a.Status == StatusMissing:
		return refuse(RefuseDisposeMissing, ErrConflict)
	case a.Status == StatusWrittenOff:
		return refuse(RefuseDisposeDone, ErrConflict)
	case pending:
		return refuse(RefuseDisposePending, ErrConflict)
	}
	return nil
}

// AssetStatus is an asset's status from everything that sets it: written
// off once a disposal is approved, else as its reports say (DeriveStatus).
func AssetStatus(current string, reps []ReportEntry, writtenOff bool) string {
	if writtenOff {
		return StatusWrittenOff
	}
	return DeriveStatus(current, reps)
}

// DisposalDecided refuses a second decision on disposal request id, whose
// review is review.
func DisposalDecided(id int64, review string) error {
	return &Refusal{Rule: RefuseDisposalDecided, Status: review, Report: id, err: ErrConflict}
}
