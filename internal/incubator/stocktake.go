package incubator

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Stock-take statuses.
const (
	StocktakeOpen    = "open"
	StocktakeClosing = "closing" // findings being recorded onto the assets
	StocktakeClosed  = "closed"
)

// What a stock-take found of one item.
const (
	FoundPresent = "在"
	FoundMissing = "缺失"
	FoundDamaged = "损坏"
	FoundMoved   = "移位" // 不在此处: found elsewhere
)

// Bounds on one marking message and on what it carries.
const (
	MaxMarksPerMessage = 50  // items one message may mark
	MaxPage            = 10  // items shown at a time
	MaxFindingText     = 100 // characters of a note, new location or 盘盈 description
)

// Stocktake is one stock-take of an incubator's register.
type Stocktake struct {
	ID          int64
	IncubatorID int
	Incubator   string
	Operator    string
	Status      string
	OpenedBy    string
	OpenedAt    time.Time
	ClosedBy    string
	ClosedAt    *time.Time
}

// Label is how people name a stock-take: 盘点#3.
func (s *Stocktake) Label() string { return fmt.Sprintf("盘点#%d", s.ID) }

// StocktakeItem is one register item as it stood when the stock-take opened,
// and what was found. Money in fen.
type StocktakeItem struct {
	AssetID      int64
	Code         string
	Name         string
	Spec         string
	Location     string
	Quantity     int
	UnitPrice    int64
	StatusAtOpen string
	Result       string // "" while unchecked
	NewLocation  string
	Note         string
	CheckedBy    string
	CheckedAt    *time.Time
}

// Value is 原值: unit price × quantity, in fen.
func (it *StocktakeItem) Value() int64 {
	a := Asset{Quantity: it.Quantity, UnitPrice: it.UnitPrice}
	return a.Value()
}

// StocktakeExtra is an item found that is not on the register (盘盈).
type StocktakeExtra struct {
	ID          int64
	Description string
	Location    string
	FoundBy     string
	FoundAt     time.Time
	Entered     string // the code it was added to the register under (盘盈入账), or ""
}

// LocationProgress is how far the walk of one location has got.
type LocationProgress struct {
	Location string
	Total    int
	Checked  int
}

// Tally is a count and its value in fen.
type Tally struct {
	Count int
	Value int64
}

func (t *Tally) add(v int64) { t.Count++; t.Value += v }

// StocktakeResult is a stock-take in figures.
type StocktakeResult struct {
	Stocktake Stocktake
	Total     Tally
	Present   Tally
	Missing   Tally // 盘亏
	Damaged   Tally
	Moved     Tally
	Unchecked Tally
	Extras    int // 盘盈, not on the register
	// Previous is the result of the incubator's stock-take closed before
	// this one, nil when there is none.
	Previous *StocktakeResult
}

// Checked is how many items have been looked at.
func (r *StocktakeResult) Checked() int { return r.Total.Count - r.Unchecked.Count }

// Tallies sums a stock-take's items.
func Tallies(st Stocktake, items []StocktakeItem, extras int) StocktakeResult {
	r := StocktakeResult{Stocktake: st, Extras: extras}
	for i := range items {
		v := items[i].Value()
		r.Total.add(v)
		switch items[i].Result {
		case FoundPresent:
			r.Present.add(v)
		case FoundMissing:
			r.Missing.add(v)
		case FoundDamaged:
			r.Damaged.add(v)
		case FoundMoved:
			r.Moved.add(v)
		default:
			r.Unchecked.add(v)
		}
	}
	return r
}

// Summary is the result in lines short enough for a phone.
func (r *StocktakeResult) Summary() string {
	var b strings.Builder
	st := r.Stocktake
	state := "进行中"
	if st.Status == StocktakeClosed {
		state = "已结束"
	}
	fmt.Fprintf(&b, "%s %s（%s，%s开始）", st.Incubator, st.Label(), state, st.OpenedAt.Local().Format("2006-01-02"))
	line := func(name string, t Tally) { fmt.Fprintf(&b, "\n%s %d 项，原值 %s", name, t.Count, Yuan(t.Value)) }
	line("在册", r.Total)
	line("在（账实相符）", r.Present)
	line("缺失（盘亏）", r.Missing)
	line("损坏", r.Damaged)
	line("不在原位置", r.Moved)
	line("未盘", r.Unchecked)
	fmt.Fprintf(&b, "\n台账外（盘盈）%d 项", r.Extras)
	if p := r.Previous; p != nil {
		fmt.Fprintf(&b, "\n与上次%s（%s）相比：缺失 %s 项，%s；损坏 %s 项",
			p.Stocktake.Label(), p.Stocktake.OpenedAt.Local().Format("2006-01-02"),
			signed(int64(r.Missing.Count-p.Missing.Count)), signedYuan(r.Missing.Value-p.Missing.Value), signed(int64(r.Damaged.Count-p.Damaged.Count)))
	}
	return b.String()
}

func signed(n int64) string {
	if n > 0 {
		return "+" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

func signedYuan(fen int64) string {
	if fen > 0 {
		return "+" + Yuan(fen)
	}
	return Yuan(fen)
}

// MarkOutcome is what a mark did: the items marked, and the page of the
// location being walked: the page shown, with its marks, until all of it is
// checked, then the next one.
type MarkOutcome struct {
	Marked   []StocktakeItem
	Location string
	Page     []StocktakeItem
	// NewPage says Page is a new page (the one shown was all checked):
	// numbers now refer to it.
	NewPage bool
	// Repeated says the message had been applied before; nothing changed.
	Repeated bool
}

// Ref names an item in a marking message: a number on the page shown last,
// or an asset code.
type Ref struct {
	Num  int
	Code string
}

// Mark is one parsed marking message: 在 1-8 10, 缺 CKC-003, 坏 2 屏幕裂,
// 移 4 三楼会议室, 在 全部.
type Mark struct {
	Result string
	Refs   []Ref
	All    bool   // every item on the page shown last
	Text   string // the note (损坏) or the new location (移位)
}

var (
	reRange   = regexp.MustCompile(`^(\d{1,4})\s*[-~～到至]\s*(\d{1,4})$`)
	reNumber  = regexp.MustCompile(`^\d{1,4}$`)
	reRefCode = regexp.MustCompile(`^[A-Za-z]{1,10}-?\d{1,10}$`)
)

// MarkWord reads the word a manager starts a mark with.
func MarkWord(word string) (string, bool) {
	switch word {
	case "在", "有", "√":
		return FoundPresent, true
	case "缺", "无", "没有":
		return FoundMissing, true
	case "坏":
		return FoundDamaged, true
	case "移", "不在此处":
		return FoundMoved, true
	}
	return "", false
}

// ParseMark reads the arguments of a mark: item numbers, ranges (1-8) and
// codes, separated by spaces, commas or 、, then free text. A *Refusal
// (RefuseMarkSyntax) says what is wrong.
func ParseMark(result, args string) (Mark, error) {
	m := Mark{Result: result}
	fields := strings.FieldsFunc(args, func(r rune) bool {
		return r == ' ' || r == ',' || r == '，' || r == '、' || r == '\u3000' || r == '\t' || r == ';' || r == '；'
	})
	i := 0
	for ; i < len(fields); i++ {
		f := CleanCode(fields[i])
		switch {
		case f == "全部" || f == "全" || f == "都在":
			m.All = true
		case reNumber.MatchString(f):
			n, _ := strconv.Atoi(f)
			m.Refs = append(m.Refs, Ref{Num: n})
		case reRange.MatchString(f):
			g := reRange.FindStringSubmatch(f)
			a, _ := strconv.Atoi(g[1])
			b, _ := strconv.Atoi(g[2])
			if b < a || b-a >= MaxMarksPerMessage {
				return m, &Refusal{Rule: RefuseMarkSyntax, Kind: f, err: ErrInvalid}
			}
			for n := a; n <= b; n++ {
				m.Refs = append(m.Refs, Ref{Num: n})
			}
		case reRefCode.MatchString(f):
			m.Refs = append(m.Refs, Ref{Code: CodeKey(f)})
		default:
			goto text
		}
		if len(m.Refs) > MaxMarksPerMessage {
			return m, &Refusal{Rule: RefuseTooMany, err: ErrInvalid}
		}
	}
text:
	m.Text = strings.TrimSpace(strings.Join(fields[i:], " "))
	if utf8.RuneCountInString(m.Text) > MaxFindingText {
		return m, &Refusal{Rule: RefuseTextTooLong, err: ErrInvalid}
	}
	if !m.All && len(m.Refs) == 0 {
		return m, &Refusal{Rule: RefuseMarkSyntax, Kind: args, err: ErrInvalid}
	}
	if m.All && len(m.Refs) > 0 {
		return m, &Refusal{Rule: RefuseMarkSyntax, Kind: args, err: ErrInvalid}
	}
	if result != FoundMoved && result != FoundDamaged && m.Text != "" {
		return m, &Refusal{Rule: RefuseMarkSyntax, Kind: m.Text, err: ErrInvalid}
	}
	return m, nil
}

// CleanFindingText checks a 盘盈 description or location: not empty, not
// too long, no control characters.
func CleanFindingText(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	switch {
	case s == "":
		return "", &Refusal{Rule: RefuseMarkSyntax, err: ErrInvalid}
	case utf8.RuneCountInString(s) > MaxFindingText:
		return "", &Refusal{Rule: RefuseTextTooLong, err: ErrInvalid}
	}
	return CleanCode(s), nil
}

// Stock-take refusals (see Refusal).
const (
	RefuseStocktakeOpen    = "stocktake_open"     // a second stock-take for an incubator with one in progress
	RefuseNoStocktake      = "no_stocktake"       // marking, progress or closing with none in progress
	RefuseStocktakeClosed  = "stocktake_closed"   // closing one already closed
	RefuseNotClosed        = "stocktake_not_done" // a notice from a stock-take still in progress
	RefuseMarkSyntax       = "mark_syntax"
	RefuseTooMany          = "too_many_marks"
	RefuseTextTooLong      = "text_too_long"
	RefuseNoPage           = "no_page"        // numbers sent before any page was shown
	RefuseUnknownRefs      = "unknown_refs"   // numbers or codes not in the stock-take
	RefuseMoveNowhere      = "move_nowhere"   // 移 without a new location
	RefuseEmptyRegister    = "empty_register" // a stock-take of an incubator without assets
	RefuseNoMissing        = "no_missing"     // a notice from a stock-take that found nothing missing
	RefuseNoticeExists     = "notice_exists"  // a second notice for one stock-take
	RefuseNoticeNumberUsed = "notice_number_used"
	RefuseExtraUnknown     = "extra_unknown" // 盘盈入账 of a number no stock-take found
	RefuseExtraEntered     = "extra_entered" // 盘盈入账 twice (Kind: the code it has)
	RefuseCodeInUse        = "code_in_use"   // 盘盈入账 under a code the register has (Kind: the code)
)

// NewRefusal makes a refusal for the stock-take rules; kind carries the
// offending input (codes, numbers, a name).
func NewRefusal(rule, kind string, conflict bool) *Refusal {
	err := ErrInvalid
	if conflict {
		err = ErrConflict
	}
	return &Refusal{Rule: rule, Kind: kind, err: err}
}
