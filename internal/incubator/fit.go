package incubator

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/incubot/incubot/knowledge/zh"
)

// Misfit is how a manager's description of an asset disagrees with the
// register: the words that name things or places of the register other
// than this asset's, and the floor named when the asset is on another.
type Misfit struct {
	Terms      []string // e.g. 三楼会议室, 投影仪
	Floor      string   // the floor the description names, e.g. 三楼
	AssetFloor string   // the floor of the asset's location, e.g. 一楼
}

// Describe reads a misfit as a short list for a reply: 三楼会议室、投影仪.
func (m Misfit) Describe() string {
	terms := append([]string(nil), m.Terms...)
	if m.Floor != "" && !containsSub(terms, m.Floor) {
		terms = append([]string{m.Floor}, terms...)
	}
	return strings.Join(terms, "、")
}

func containsSub(list []string, s string) bool {
	for _, t := range list {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// CheckDescription compares what a manager wrote with the asset they
// named. The register's own words are the vocabulary: a description's
// words that name some asset of the register (its name or model) but not
// this one, or some location of the register but not this one's, or a
// floor other than this one's, make a misfit ("三楼会议室投影仪找不到" for
// CKC-001, a 3D printer in 一楼创客工坊). A description that names nothing
// of the register (被偷了, 昨天发现) fits anything; ok is false then.
func CheckDescription(a Asset, register []Asset, text string) (Misfit, bool) {
	var m Misfit
	thingVocab, placeVocab := map[string]bool{}, map[string]bool{}
	for _, x := range register {
		for _, t := range hanBigrams(x.Name + " " + x.Spec) {
			thingVocab[t] = true
		}
		for _, t := range hanBigrams(x.Location) {
			placeVocab[t] = true
		}
	}
	own := map[string]bool{}
	for _, t := range hanBigrams(a.Name + " " + a.Spec) {
		own[t] = true
	}
	ownPlace := map[string]bool{}
	for _, t := range hanBigrams(a.Location) {
		ownPlace[t] = true
	}
	runes := []rune(text)
	var thingHits, placeHits []int // rune offsets of bigrams in text
	thingFits, placeFits := false, false
	for i := 0; i+1 < len(runes); i++ {
		bg := string(runes[i : i+2])
		if !isHan(runes[i]) || !isHan(runes[i+1]) {
			continue
		}
		if thingVocab[bg] {
			thingHits = append(thingHits, i)
			thingFits = thingFits || own[bg]
		}
		if placeVocab[bg] {
			placeHits = append(placeHits, i)
			placeFits = placeFits || ownPlace[bg]
		}
	}
	// covered marks each character of a misfit word, 1 a place and 2 a
	// thing; a word ends where the mark changes (三楼会议室 | 投影仪). A
	// place is marked by bigrams only locations hold (会议 of 会议室 is
	// also in 视频会议系统), a thing fills what is left.
	covered := make([]int, len(runes))
	if len(placeHits) > 0 && !placeFits {
		for _, i := range placeHits {
			if bg := string(runes[i : i+2]); !ownPlace[bg] && !thingVocab[bg] {
				covered[i], covered[i+1] = 1, 1
			}
		}
	}
	if len(thingHits) > 0 && !thingFits {
		for _, i := range thingHits {
			for _, k := range []int{i, i + 1} {
				if covered[k] == 0 {
					covered[k] = 2
				}
			}
		}
	}
	for i := 0; i < len(runes); {
		if covered[i] == 0 {
			i++
			continue
		}
		j := i
		for j < len(runes) && covered[j] == covered[i] {
			j++
		}
		m.Terms = append(m.Terms, string(runes[i:j]))
		i = j
	}
	if f, ok := floorOf(text); ok {
		if af, ok := floorOf(a.Location); ok && af.n != f.n {
			m.Floor, m.AssetFloor = f.text, af.text
		}
	}
	return m, len(m.Terms) > 0 || m.Floor != ""
}

func isHan(r rune) bool { return r >= 0x3400 && r <= 0x9fff }

func hanBigrams(s string) []string {
	var out []string
	for _, t := range zh.Tokenize(s) {
		if r := []rune(t); len(r) == 2 && isHan(r[0]) {
			out = append(out, t)
		}
	}
	return out
}

var reFloor = regexp.MustCompile(`([一二三四五六七八九十]{1,3}|\d{1,2})\s*(?:楼|层|[Ff]\b)`)

type floor struct {
	n    int
	text string
}

// floorOf finds the floor a text names (三楼, 3层, 12F); 办公楼 names none.
func floorOf(s string) (floor, bool) {
	m := reFloor.FindStringSubmatch(s)
	if m == nil {
		return floor{}, false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		n = chineseSmall(m[1])
	}
	if n <= 0 {
		return floor{}, false
	}
	return floor{n: n, text: m[0]}, true
}

// chineseSmall reads 一 … 九十九.
func chineseSmall(s string) int {
	digit := map[rune]int{'一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	n, cur := 0, 0
	for _, r := range s {
		if r == '十' {
			if cur == 0 {
				cur = 1
			}
			n += cur * 10
			cur = 0
			continue
		}
		cur = digit[r]
	}
	return n + cur
}
