// Package incubator holds the rules of incubator operations: the fixed-asset
// register, asset reports and their verification, and periodic status
// reports. It has no database code.
package incubator

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/incubot/incubot/internal/model"
	"golang.org/x/text/unicode/norm"
)

// Errors callers test for: the project's one set of sentinels.
var (
	ErrNotFound = model.ErrNotFound
	ErrInvalid  = model.ErrInvalid
	ErrConflict = model.ErrConflict
)

// Asset statuses.
const (
	StatusRegistered = "在册"
	StatusMissing    = "缺失"
	StatusDamaged    = "损坏"
	StatusRestored   = "已补齐"
	StatusVerified   = "已核验"
	StatusWrittenOff = "已报废" // an approved disposal (报废/报损)
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
	Custodian   string // 责任人
}

// Bounds on one row of a register. Beyond them a figure is a typing error
// (an extra digit, a code pasted into the wrong column); within them the
// value of any register, summed over millions of rows, fits in 64 bits.
const (
	MaxQuantity  = 100_000         // 数量 of one row
	MaxUnitPrice = 100_000_000_00  // 单价 of one item: ¥1亿, in fen
	MaxValue     = 1000_000_000_00 // 原值 of one row (数量 × 单价): ¥10亿, in fen
)

// Value is quantity × unit price, in fen. A row stored before the bounds
// existed may exceed them: its value stops at the largest int64 instead of
// wrapping round to a wrong figure.
func (a *Asset) Value() int64 {
	if a.Quantity <= 0 || a.UnitPrice <= 0 {
		return 0
	}
	if a.UnitPrice > math.MaxInt64/int64(a.Quantity) {
		return math.MaxInt64
	}
	return int64(a.Quantity) * a.UnitPrice
}

// Validate checks an asset before it is stored.
func (a *Asset) Validate() error {
	switch {
	case CleanCode(a.Code) == "":
		return fmt.Errorf("%w: 资产编号为空", ErrInvalid)
	case strings.TrimSpace(a.Name) == "":
		return fmt.Errorf("%w: 资产名称为空", ErrInvalid)
	case a.Quantity <= 0:
		return fmt.Errorf("%w: 数量必须是正整数", ErrInvalid)
	case a.Quantity > MaxQuantity:
		return fmt.Errorf("%w: 数量不能超过%d", ErrInvalid, MaxQuantity)
	case a.UnitPrice < 0:
		return fmt.Errorf("%w: 单价不能为负数", ErrInvalid)
	case a.UnitPrice > MaxUnitPrice:
		return fmt.Errorf("%w: 单价不能超过%s", ErrInvalid, Yuan(MaxUnitPrice))
	case a.Value() > MaxValue:
		return fmt.Errorf("%w: 原值（数量×单价）不能超过%s", ErrInvalid, Yuan(MaxValue))
	}
	return nil
}

// CleanCode is an asset code as it is stored and shown: compatibility forms
// folded (full-width ＣＫＣ－００１ → CKC-001), dashes unified, invisible
// characters (zero-width spaces, BOM, direction marks) and controls dropped,
// spaces trimmed and collapsed.
func CleanCode(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Cf, r) || unicode.IsControl(r) && !unicode.IsSpace(r):
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case r >= 0x2010 && r <= 0x2015 || r == 0x2212:
			r = '-'
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CodeKey is what makes two asset codes the same asset: the clean code
// without regard to case (DUP-002, dup-002, ＤＵＰ－００２ and DUP-002 with a
// zero-width space are one key).
func CodeKey(s string) string { return strings.ToUpper(CleanCode(s)) }

// Transition says what a report of kind does to an asset in status from:
// the new status, or a *Refusal saying why not.
func Transition(from, kind string) (string, error) {
	if from == StatusWrittenOff {
		return "", conflict(RefuseWrittenOff, from, kind)
	}
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

// ReviewTransition is what an officer's verification of r alone would do to
// an asset (a passed restoration is verified; a rejected one goes back to
// what it was), or a refusal when r was verified already. Storage sets the
// status from all of the asset's reports (DeriveStatus), so that verifying
// an older report never undoes a newer one.
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

var reMoney = regexp.MustCompile(`^(-?)(\d+)(?:\.(\d{1,2}))?$`)

// ErrTooLarge is an amount or count beyond what can be a real figure; it
// also matches ErrInvalid.
var ErrTooLarge = fmt.Errorf("%w: too large", ErrInvalid)

// maxYuanFen bounds ParseYuan: ¥1万亿, far above any limit a caller sets, so
// that the arithmetic below never overflows.
const maxYuanFen = 1_000_000_000_000_00

// ParseYuan reads an amount in yuan ("12,800", "¥3500.5", "1.2万") into fen,
// exactly (no floating point). Amounts above ¥1万亿 are ErrTooLarge.
func ParseYuan(s string) (int64, error) {
	s = strings.TrimSpace(s)
	s = strings.NewReplacer(",", "", "，", "", "¥", "", "￥", "", "元", "", " ", "").Replace(s)
	mult := int64(1)
	if strings.HasSuffix(s, "万") {
		s, mult = strings.TrimSuffix(s, "万"), 10000
	}
	m := reMoney.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("%w: “%s”不是金额", ErrInvalid, s)
	}
	if m[1] == "-" {
		return 0, fmt.Errorf("%w: 金额不能为负数", ErrInvalid)
	}
	whole := strings.TrimLeft(m[2], "0")
	if len(whole) > 13 {
		return 0, ErrTooLarge
	}
	yuan, _ := strconv.ParseInt("0"+whole, 10, 64)
	cents, _ := strconv.ParseInt((m[3] + "00")[:2], 10, 64)
	fen := yuan*100 + cents
	if fen > maxYuanFen/mult {
		return 0, ErrTooLarge
	}
	return fen * mult, nil
}
