// Package incubator holds the rules of incubator operations: the fixed-asset
// register, asset reports and their verification, and periodic status
// reports. It has no database code.
package incubator

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Errors callers test for.
var (
	ErrNotFound = errors.New("not found")
	ErrInvalid  = errors.New("invalid")
	ErrConflict = errors.New("conflict")
)

// Asset statuses.
const (
	StatusRegistered = "在册"
	StatusMissing    = "缺失"
	StatusDamaged    = "损坏"
	StatusRestored   = "已补齐"
	StatusVerified   = "已核验"
)

// Report kinds a manager sends.
const (
	KindMissing  = "缺失"
	KindDamaged  = "损坏"
	KindRestored = "补齐"
)

// Review outcomes.
const (
	ReviewPending  = "待核验"
	ReviewPassed   = "通过"
	ReviewRejected = "不通过"
)

// Incubator is an incubator or maker space.
type Incubator struct {
	ID       int
	Name     string
	Operator string
}

// Asset is one item of the fixed-asset register. Money is in fen (cents).
type Asset struct {
	ID          int64
	IncubatorID int
	Incubator   string
	Code        string
	Name        string
	Category    string
	Spec        string
	Quantity    int
	UnitPrice   int64 // fen
	Location    string
	PurchasedOn *time.Time
	Note        string
	Status      string
}

// Value is quantity × unit price, in fen.
func (a *Asset) Value() int64 { return int64(a.Quantity) * a.UnitPrice }

// Validate checks an asset before it is stored.
func (a *Asset) Validate() error {
	switch {
	case strings.TrimSpace(a.Code) == "":
		return fmt.Errorf("%w: 资产编号为空", ErrInvalid)
	case strings.TrimSpace(a.Name) == "":
		return fmt.Errorf("%w: 资产名称为空", ErrInvalid)
	case a.Quantity <= 0:
		return fmt.Errorf("%w: 数量必须是正整数", ErrInvalid)
	case a.UnitPrice < 0:
		return fmt.Errorf("%w: 单价不能为负数", ErrInvalid)
	}
	return nil
}

// Transition says what a report of kind does to an asset in status from:
// the new status, or a *Refusal saying why not.
func Transition(from, kind string) (string, error) {
	switch kind {
	case KindMissing:
		switch from {
		case StatusRegistered, StatusVerified, StatusRestored:
			return StatusMissing, nil
		case StatusMissing:
			return "", conflict(RefuseAlreadyMissing, from, kind)
		case StatusDamaged:
			return StatusMissing, nil
		}
	case KindDamaged:
		switch from {
		case StatusRegistered, StatusVerified, StatusRestored:
			return StatusDamaged, nil
		case StatusDamaged:
			return "", conflict(RefuseAlreadyDamaged, from, kind)
		case StatusMissing:
			return "", conflict(RefuseMissingFirst, from, kind)
		}
	case KindRestored:
		switch from {
		case StatusMissing, StatusDamaged:
			return StatusRestored, nil
		case StatusRestored:
			return "", conflict(RefuseRestorePending, from, kind)
		default:
			return "", conflict(RefuseNothingMissing, from, kind)
		}
	}
	return "", &Refusal{Rule: RefuseUnknownKind, Status: from, Kind: kind, err: ErrInvalid}
}

// ReportKind reads the word a manager used: 缺失/丢失/找不到 → 缺失, 损坏/坏了
// → 损坏, 找到/补齐/找回 → 补齐.
func ReportKind(word string) (string, bool) {
	switch word {
	case "缺失", "丢失", "遗失", "找不到":
		return KindMissing, true
	case "损坏", "坏了", "报损":
		return KindDamaged, true
	case "补齐", "找到", "找回", "已补齐", "已找到":
		return KindRestored, true
	}
	return "", false
}

var (
	reLossWords  = regexp.MustCompile(`不见了|丢了|丢失|找不到|缺失|遗失|被偷|失窃`)
	reBrokenWord = regexp.MustCompile(`坏了|损坏|报废了|不能用了|故障`)
	reFoundWords = regexp.MustCompile(`找到了|找回|补齐|补上了|已补|买回`)
)

// KindInText recognises an asset report in free text ("三楼会议室的投影仪
// 不见了"); ok is false when the text reports nothing.
func KindInText(text string) (string, bool) {
	switch {
	case reFoundWords.MatchString(text):
		return KindRestored, true
	case reLossWords.MatchString(text):
		return KindMissing, true
	case reBrokenWord.MatchString(text):
		return KindDamaged, true
	}
	return "", false
}

// AssetReport is a manager's report on one asset.
type AssetReport struct {
	ID         int64
	AssetID    int64
	AssetCode  string
	AssetName  string
	Incubator  string
	Value      int64
	Kind       string
	FromStatus string
	ToStatus   string
	Note       string
	RawText    string
	ReporterID int64
	Reporter   string
	Channel    string
	CreatedAt  time.Time
	Review     string
	Reviewer   string
	ReviewNote string
	ReviewedAt *time.Time
}

// ReviewTransition is what an officer's verification does to an asset: a
// passed restoration is verified; a rejected one goes back to what it was.
func ReviewTransition(r *AssetReport, passed bool) (string, error) {
	if r.Review != ReviewPending {
		return "", &Refusal{Rule: RefuseReviewed, Status: r.Review, Kind: r.Kind, Report: r.ID, err: ErrConflict}
	}
	switch {
	case r.Kind == KindRestored && passed:
		return StatusVerified, nil
	case r.Kind == KindRestored:
		return r.FromStatus, nil
	case passed:
		return r.ToStatus, nil
	default:
		return r.FromStatus, nil
	}
}

// Yuan formats fen as ¥1,234,567.89.
func Yuan(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	s := strconv.FormatInt(fen/100, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := fmt.Sprintf("¥%s.%02d", b.String(), fen%100)
	if neg {
		return "-" + out
	}
	return out
}

var reMoney = regexp.MustCompile(`^-?\d+(\.\d{1,2})?$`)

// ParseYuan reads an amount in yuan ("12,800", "¥3500.5", "1.2万") into fen.
func ParseYuan(s string) (int64, error) {
	s = strings.TrimSpace(s)
	s = strings.NewReplacer(",", "", "，", "", "¥", "", "￥", "", "元", "", " ", "").Replace(s)
	mult := int64(1)
	if strings.HasSuffix(s, "万") {
		s, mult = strings.TrimSuffix(s, "万"), 10000
	}
	if !reMoney.MatchString(s) {
		return 0, fmt.Errorf("%w: “%s”不是金额", ErrInvalid, s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: “%s”不是金额", ErrInvalid, s)
	}
	if f < 0 {
		return 0, fmt.Errorf("%w: 金额不能为负数", ErrInvalid)
	}
	return int64(f*float64(mult)*100 + 0.5), nil
}
