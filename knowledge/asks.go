package knowledge

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Asked is the kind of quantity a question asks for. A clause that holds no
// quantity of that kind cannot answer it, however many words it shares, and
// quoting it would invite a guess at the number.
type Asked int

// Kinds of quantity a question may ask for.
const (
	AsksNothing Asked = iota
	AsksDuration
	AsksMoney
	AsksRatio
	AsksDate
	AsksCount
	AsksArea
)

func (a Asked) String() string {
	return [...]string{"", "duration", "money", "ratio", "date", "count", "area"}[a]
}

// Noun names the kind in a reply: 期限, 金额 ….
func (a Asked) Noun() string {
	return [...]string{"", "期限", "金额", "比例", "日期", "数量", "面积"}[a]
}

// The patterns below find what a question asks for; a group of one names
// the matter asked about (补助 of 补助有多少), which stays in its subject.
var (
	qDuration = regexp.MustCompile(`多少天|几天|多少日|多少个工作日|几个工作日|多久|多长时间|多少时间|几个月|多少个月|多少年|几年|多少周`)
	qMoney    = regexp.MustCompile(`多少钱|多少元|多少万|几万|单价多少|金额多少|额度多少|多少额度|多少金额|(奖励|补助|补贴|资助|奖补|补|罚款?)(?:最多|最高|最少|一共|总共|大概|一般)?(?:是|有|能|给|拿)?多少|(?:是|有|能|给|拿)?多少(?:的)?(奖励|补助|补贴|资助|奖补|奖金|资金)`)
	qRatio    = regexp.MustCompile(`比例|百分之|按多少|占多少|几成|多少比|多少倍|能(放宽)多少|(扣除|加计|减免|减缴|减征|减|免|扣)(?:是|能|有)?多少`)
	qDate     = regexp.MustCompile(`几号|哪天|什么时候|何时|哪一天|几月|哪个月|截止(日期|时间)?是?(哪|什么|几)`)
	qCount    = regexp.MustCompile(`多少[个家项件名人次场分]|几[个家项件名人次场]`)
	qArea     = regexp.MustCompile(`面积.{0,3}(多大|多少)|多少平方米|多少平米|多少亩|多大(的)?(面积|场地)`)

	num        = `[0-9０-９一二三四五六七八九十百千万两零〇]+(?:\.[0-9]+)?`
	aDuration  = regexp.MustCompile(num + `\s*(?:个)?(?:工作日|日|天|周|星期|个月|月|年)`)
	aMoney     = regexp.MustCompile(num + `\s*(?:万元|亿元|元|万)`)
	aRatio     = regexp.MustCompile(num + `\s*(?:%|％)|百分之` + num + `|` + num + `\s*(?:倍|成)|` + num + `分之` + num + `|减半`)
	aDate      = regexp.MustCompile(num + `月` + num + `日|` + num + `年` + num + `月`)
	aCount     = regexp.MustCompile(num + `\s*(?:个|家|项|件|名|人|次|场|分)`)
	reDateLike = regexp.MustCompile(num + `月` + num + `日|` + num + `年` + num + `月|(?:19|20)[0-9]{2}\s*年|[0-9０-９一二三四五六七八九十]{1,2}月(?:底|初|中旬|上旬|下旬|份)?`)
	aArea      = regexp.MustCompile(num + `\s*(?:平方米|平米|㎡|亩|m2)`)
)

// AskedQuantity classifies a question; the first matching kind wins, the
// most specific first.
func AskedQuantity(question string) Asked {
	switch {
	case qMoney.MatchString(question):
		return AsksMoney
	case qRatio.MatchString(question):
		return AsksRatio
	case qDuration.MatchString(question):
		return AsksDuration
	case qDate.MatchString(question):
		return AsksDate
	case qArea.MatchString(question):
		return AsksArea
	case qCount.MatchString(question):
		return AsksCount
	}
	return AsksNothing
}

// Holds reports whether text holds a quantity of the asked kind.
func (a Asked) Holds(text string) bool {
	text = strings.ReplaceAll(text, " ", "")
	switch a {
	case AsksDuration:
		// 3月1日, 5月底 and 2016年 are dates, not durations.
		return aDuration.MatchString(reDateLike.ReplaceAllString(text, " "))
	case AsksMoney:
		return aMoney.MatchString(text)
	case AsksRatio:
		return aRatio.MatchString(text)
	case AsksDate:
		return aDate.MatchString(text) || strings.Contains(text, "日前") || strings.Contains(text, "日内")
	case AsksCount:
		return aCount.MatchString(text)
	case AsksArea:
		return aArea.MatchString(text)
	}
	return true
}

// ReducedBy is the verb a ratio asked for is the measure of (能减多少 → 减,
// 加计多少 → 加计): a ratio answers it only in a sentence that reduces,
// waives or deducts (减缴…85%), not one that states another matter's share
// (已申请专利的企业占…50%).
func ReducedBy(question string, asked Asked) string {
	if asked != AsksRatio {
		return ""
	}
	if m := qRatio.FindStringSubmatch(question); m != nil {
		return m[2]
	}
	return ""
}

// CountedIn is the classifier of the count a question asks for (多少分 →
// 分, 几家 → 家): a count answers it only in that classifier, since 2次
// is not a score. The general 个 names none.
func CountedIn(question string) string {
	m := qCount.FindString(question)
	if m == "" {
		return ""
	}
	if c := lastRune(m); c != "个" {
		return c
	}
	return ""
}

// firstRune is the first character of s: 减 of 减免, the verb's stem.
func firstRune(s string) string {
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}

// lastRune is the last character of s: the classifier of a count.
func lastRune(s string) string {
	_, n := utf8.DecodeLastRuneInString(s)
	return s[len(s)-n:]
}

// holdsCount reports whether text states a count in classifier c; 人 and
// 名 count people alike, and 分 of 三分之一 is a ratio.
func holdsCount(text, c string) bool {
	text = strings.ReplaceAll(text, " ", "")
	people := func(s string) bool { return s == "人" || s == "名" }
	for _, loc := range aCount.FindAllStringIndex(text, -1) {
		got := lastRune(text[loc[0]:loc[1]])
		if strings.HasPrefix(text[loc[1]:], "之") {
			continue
		}
		if got == c || people(got) && people(c) {
			return true
		}
	}
	return false
}
