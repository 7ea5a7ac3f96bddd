package incubator

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// DefaultNoticePrefix is the 文号 prefix of generated notice numbers:
// 柳鱼科字〔2021〕3号.
const DefaultNoticePrefix = "柳鱼科字"

// Where a notice item stands.
const (
	ItemOutstanding = "未补齐"
	ItemPending     = "已报补齐待核验"
	ItemReplaced    = "已补齐核验"
)

// Notice is a compensation notice (赔偿通知) to an incubator's operator for
// the items a stock-take found missing.
type Notice struct {
	ID          int64
	Number      string
	StocktakeID int64
	IncubatorID int
	Incubator   string
	Operator    string
	Deadline    time.Time
	IssuedBy    string
	IssuedAt    time.Time
	Items       []NoticeItem
}

// NoticeItem is one missing item a notice asks to be replaced, and how far
// its replacement has got. Money in fen.
type NoticeItem struct {
	AssetID   int64
	Code      string
	Name      string
	Spec      string
	Quantity  int
	UnitPrice int64
	State     string // ItemOutstanding, ItemPending or ItemReplaced
	ReportID  int64  // the 补齐 report, when there is one
}

// Value is the item's 原值 in fen.
func (it *NoticeItem) Value() int64 {
	a := Asset{Quantity: it.Quantity, UnitPrice: it.UnitPrice}
	return a.Value()
}

// Total is the notice's amount in fen.
func (n *Notice) Total() int64 {
	var t int64
	for i := range n.Items {
		t += n.Items[i].Value()
	}
	return t
}

// Overdue lists the items not replaced and verified after the deadline.
func (n *Notice) Overdue(today time.Time) []NoticeItem {
	if !today.After(n.Deadline.AddDate(0, 0, 1).Add(-time.Nanosecond)) {
		return nil
	}
	var out []NoticeItem
	for _, it := range n.Items {
		if it.State != ItemReplaced {
			out = append(out, it)
		}
	}
	return out
}

// Count counts the items in a state.
func (n *Notice) Count(state string) (int, int64) {
	c, v := 0, int64(0)
	for i := range n.Items {
		if n.Items[i].State == state {
			c++
			v += n.Items[i].Value()
		}
	}
	return c, v
}

// NoticeNumber is a 文号: prefix〔year〕seq号.
func NoticeNumber(prefix string, year, seq int) string {
	return fmt.Sprintf("%s〔%d〕%d号", prefix, year, seq)
}

// CleanNoticeNumber writes a number given by an officer one way:
// 柳鱼科字[2021]3号 and 柳鱼科字〔2021〕3 号 are 柳鱼科字〔2021〕3号.
func CleanNoticeNumber(s string) string {
	s = strings.Join(strings.Fields(s), "")
	return strings.NewReplacer("[", "〔", "]", "〕", "【", "〔", "】", "〕", "(", "〔", ")", "〕", "（", "〔", "）", "〕").Replace(s)
}

var reNoticeNumber = regexp.MustCompile(`^\pL[\pL\d]{0,20}〔\d{4}〕\d{1,4}号$`)

// ValidNoticeNumber says whether a cleaned number reads as a 文号:
// 柳鱼科字〔2021〕3号.
func ValidNoticeNumber(s string) bool { return reNoticeNumber.MatchString(s) }

var (
	cnDigits = []string{"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"}
	cnUnits  = []string{"", "拾", "佰", "仟"}
	cnGroups = []string{"", "万", "亿", "万亿"}
)

// ChineseAmount writes fen in capital Chinese figures (大写) as financial
// documents do: 2345678.90 → 贰佰叁拾肆万伍仟陆佰柒拾捌元玖角整,
// 100305.07 → 壹拾万零叁佰零伍元零柒分.
func ChineseAmount(fen int64) string {
	if fen < 0 {
		return "负" + ChineseAmount(-fen)
	}
	yuan, jiao, f := fen/100, (fen/10)%10, fen%10
	var b strings.Builder
	if yuan == 0 {
		if jiao == 0 && f == 0 {
			return "零元整"
		}
	} else {
		b.WriteString(chineseInteger(yuan))
		b.WriteString("元")
	}
	switch {
	case jiao == 0 && f == 0:
		b.WriteString("整")
	case f == 0:
		b.WriteString(cnDigits[jiao] + "角整")
	case jiao == 0:
		if yuan > 0 {
			b.WriteString("零")
		}
		b.WriteString(cnDigits[f] + "分")
	default:
		b.WriteString(cnDigits[jiao] + "角" + cnDigits[f] + "分")
	}
	return b.String()
}

// chineseInteger writes n > 0 with units, runs of zeros as one 零:
// 100200 → 壹拾万零贰佰.
func chineseInteger(n int64) string {
	var groups []int64
	for n > 0 {
		groups = append(groups, n%10000)
		n /= 10000
	}
	var b strings.Builder
	zero := false
	for g := len(groups) - 1; g >= 0; g-- {
		v := groups[g]
		if v == 0 {
			zero = b.Len() > 0
			continue
		}
		if zero || (b.Len() > 0 && v < 1000) {
			b.WriteString("零")
		}
		zero = false
		started := false
		for u := 3; u >= 0; u-- {
			d := (v / pow10(u)) % 10
			if d == 0 {
				if started && v%pow10(u+1) != 0 && (v%pow10(u)) != 0 {
					zero = true
				}
				continue
			}
			if zero {
				b.WriteString("零")
				zero = false
			}
			b.WriteString(cnDigits[d] + cnUnits[u])
			started = true
		}
		zero = false
		b.WriteString(cnGroups[g])
	}
	return b.String()
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}
