package knowledge

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/incubot/incubot/internal/place"
	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/zh"
)

// Question is a question read once: everything retrieval and answering
// need to know about it, derived deterministically from its text and passed
// down, so that no stage re-reads it differently.
type Question struct {
	Text string // as asked, trimmed
	// Terms are the lexical query tokens: fillers removed, synonyms added,
	// in the order they first appear.
	Terms []string
	// Groups are the synonym groups of the thesaurus words the question
	// uses (each: the word's tokens, then each expansion's tokens).
	Groups [][][]string
	// Focus are the tokens next to the question word (什么证明 → 证明).
	Focus map[string]bool
	// Subject are the terms that name the matter asked about: the terms
	// without those of the quantity asked for (比例, 多少天).
	Subject []string
	Asked   Asked // the kind of quantity asked for
	// Counted is the classifier of the count asked for (多少分 → 分).
	Counted string
	// Verb is what the ratio asked for measures (能减多少 → 减).
	Verb string
	// Objects name the thing asked for (什么条件 → 条件, 审计哪些内容 →
	// 内容): a clause that does not name it does not answer directly.
	Objects []string
	// Listed are the things the question asks to have named, wherever the
	// interrogative stands (哪些方式转化 → 方式).
	Listed []string
	// Places are the places the question is about; Origins are places it
	// names only as where something comes from (从北京引进), which do not
	// decide which local rules apply.
	Places, Origins []string
	// Programmes are the programmes named (高新技术企业 …), each as its
	// spellings.
	Programmes [][]string
	// Figures are amounts, ratios and durations the question asserts
	// (是不是按10%算, 结转10年): a clause that states none of them cannot
	// confirm them.
	Figures []string
	// Words are the content words, as a general-language dictionary
	// segments them, with how informative each is in general language.
	Words []Word
	// SmallTalk is a greeting, thanks or acknowledgement, not a question.
	SmallTalk bool
	// Self is what the asker says of themselves (我们是做竹编的, 我们公司是
	// 开酒店的): context, not the matter asked about.
	Self []string
}

// ParseQuestion reads a question.
func ParseQuestion(text string) Question {
	text = strings.TrimSpace(text)
	q := Question{Text: text, SmallTalk: IsSmallTalk(text)}
	if q.SmallTalk {
		return q
	}
	q.Terms = QueryTerms(text)
	q.Groups = synonymGroups(text)
	q.Focus = FocusTerms(text)
	q.Asked = AskedQuantity(text)
	q.Counted = CountedIn(text)
	q.Verb = ReducedBy(text, q.Asked)
	q.Objects, q.Listed = asksFor(text)
	key := QueryTerms(KeyTerms(text))
	q.Subject = slices.DeleteFunc(slices.Clone(q.Terms), func(t string) bool { return !slices.Contains(key, t) })
	q.Places, q.Origins = placesIn(text)
	q.Programmes = corpus.ProgrammesIn(text)
	q.Figures = assertedFigures(text)
	q.Self = selfDescriptions(text)
	rest := text
	for _, c := range q.Self {
		rest = strings.Replace(rest, c, " ", 1)
	}
	// A word is searched by those of its tokens the query keeps.
	for _, w := range ContentWords(text) {
		w.Self = len(q.Self) > 0 && !strings.Contains(rest, w.Text)
		w.Tokens = slices.DeleteFunc(w.Tokens, func(t string) bool { return !slices.Contains(q.Terms, t) })
		for i := range w.Alts {
			w.Alts[i] = slices.DeleteFunc(w.Alts[i], func(t string) bool { return !slices.Contains(q.Terms, t) })
		}
		if len(w.Tokens) > 0 {
			q.Words = append(q.Words, w)
		}
	}
	return q
}

// WithAsked is the question asking for another kind of quantity (a
// follow-up joined to its topic asks what the follow-up asks).
func (q Question) WithAsked(a Asked) Question {
	q.Asked = a
	return q
}

// placesIn splits the places a question names into those it is about and
// those it names only as an origin or a destination.
func placesIn(text string) (about, origins []string) {
	for _, p := range place.In(text) {
		i := strings.Index(text, p)
		before := text[:i]
		if strings.HasSuffix(before, "从") || strings.HasSuffix(before, "由") || strings.HasSuffix(before, "来自") {
			origins = append(origins, p)
			continue
		}
		about = append(about, p)
	}
	return about, origins
}

// Word is a content word of a question: its text, the lexical tokens it
// is searched by (and those of the words it stands for, 高企 → 高新技术
// 企业), and how informative it is in everyday Chinese (zh.IDF).
type Word struct {
	Text   string
	Tokens []string
	Alts   [][]string
	IDF    float64
	Known  bool // the general-language table knows it (not a run of unknown characters)
	// Programme says it names a programme (高新技术企业): whether the
	// corpus has it is judged, and said, on its own.
	Programme bool
	// Self says it stands only in what the asker says of themselves
	// (竹编 in 我们是做竹编的): whether a clause answers does not turn on it.
	Self bool
}

// reSelf opens a clause in which the asker says who they are: a first-person
// subject, perhaps its firm, and a verb of being or trade.
var reSelf = regexp.MustCompile(`^(我们|我司|咱们|我|本公司|本单位)(公司|厂|单位|企业|这边|家)?(是|就是|主要是|是做|是搞|做|搞|开|干|从事|属于)`)

// selfDescriptions are the clauses of a question in which the asker says
// who they are (我们是做竹编的小厂), without asking anything: such a clause
// places the question, it is not what is asked.
func selfDescriptions(text string) []string {
	var out []string
	for _, c := range reClause.Split(text, -1) {
		c = strings.TrimSpace(c)
		if reSelf.MatchString(c) && !reAsk.MatchString(c) && !strings.ContainsAny(c, "能可要") {
			out = append(out, c)
		}
	}
	return out
}

var reClause = regexp.MustCompile(`[，,。；;！!？?\s]+`)

// grammatical are characters that make a two-character "word" a
// grammatical phrase rather than a name of something (能到, 还用, 没写, 出过,
// 表里): a modal, adverb or negation before a verb, an aspect or result
// after it, a localizer after a noun.
const (
	grammaticalFirst = "不没未别能会要想可得该还最再都也就才又被把给让几"
	grammaticalLast  = "过了着到完去来里"
)

// isGrammatical reports whether a two-character word is such a phrase.
func isGrammatical(w string) bool {
	rs := []rune(w)
	return len(rs) == 2 && (strings.ContainsRune(grammaticalFirst, rs[0]) || strings.ContainsRune(grammaticalLast, rs[1]))
}

// ContentWords segments a question into the words that name what it is
// about: fillers (请问, 怎么, 有没有) and the quantity asked for (多少钱)
// removed, single characters dropped.
func ContentWords(text string) []Word {
	t := KeyTerms(text)
	var out []Word
	// A programme's name is one word, however the table would cut it
	// (专精特新小巨人 → 专精特新, 小巨人).
	for _, p := range corpus.ProgrammesIn(t) {
		w := Word{Programme: true, IDF: zh.RareIDF, Known: true}
		for _, sp := range p {
			if strings.Contains(t, sp) {
				if w.Text == "" {
					w.Text, w.Tokens = sp, zh.Tokenize(sp)
					w.IDF = zh.IDF(sp)
				}
				t = strings.ReplaceAll(t, sp, " ")
			} else {
				w.Alts = append(w.Alts, zh.Tokenize(sp))
			}
		}
		out = append(out, w)
	}
	for _, f := range fillers {
		t = strings.ReplaceAll(t, f, " ")
	}
	t = withoutANotA(t)
	// A figure the asker gives of themselves (营收3000万左右) is context;
	// its magnitude and hedge (万左右) are no matter a clause must hold.
	t = reRoughFigure.ReplaceAllString(t, " ")
	seen := map[string]bool{}
	for _, w := range zh.Segment(t) {
		if utf8.RuneCountInString(w) < 2 || seen[w] || isNumberWord(w) || len(place.In(w)) > 0 {
			continue // places are judged on their own
		}
		seen[w] = true
		word := Word{Text: w, Tokens: zh.Tokenize(w), IDF: zh.IDF(w), Known: zh.Known(w)}
		for _, k := range thesaurusIn(w) {
			for _, a := range thesaurus[k] {
				word.Alts = append(word.Alts, zh.Tokenize(strings.Replace(w, k, a, 1)))
			}
		}
		out = append(out, word)
	}
	return out
}

// withoutANotA blanks a question's A-not-A forms (收不收, 在不在): they ask
// whether, and name nothing a clause must hold (不收 is no matter).
func withoutANotA(t string) string {
	rs := []rune(t)
	for i := 0; i+2 < len(rs); i++ {
		if rs[i+1] == '不' && rs[i] == rs[i+2] && unicode.Is(unicode.Han, rs[i]) {
			rs[i], rs[i+1], rs[i+2] = ' ', ' ', ' '
		}
	}
	return string(rs)
}

// reRoughFigure finds a figure written with its magnitude and a hedge:
// 3000万左右, 50来, 2亿多, 100万上下.
var reRoughFigure = regexp.MustCompile(`[0-9０-９]+(?:\.[0-9]+)?\s*[十百千万亿]*\s*(?:元|块)?\s*(?:左右|上下|出头|来|多|余)?`)

func isNumberWord(w string) bool {
	return strings.Trim(w, "0123456789.%一二三四五六七八九十百千万两零〇几多") == ""
}

// reFigure finds a figure a question asserts: a number with the unit of an
// amount, a ratio or a duration (10%, 300万, 10年, 15天).
var reFigure = regexp.MustCompile(`[0-9]+(?:\.[0-9]+)?\s*(?:%|％|万元|万|亿元|亿|元|年|个月|天|日|个工作日|倍)`)

// reConfirm asks whether a claim holds (是不是按10%算).
var reConfirm = regexp.MustCompile(`是不是|对不对|对吧|没错吧|是吧`)

// assertedFigures lists the figures a question states for confirmation,
// as numbers: those of its clauses that ask (是不是按10%算); a figure in a
// clause that only tells the asker's case (技术交易额付了250万) is a fact
// of theirs, not a claim about the rules. A question none of whose clauses
// holds a question word asserts all its figures.
func assertedFigures(text string) []string {
	var asking []string
	for _, c := range reClause.Split(text, -1) {
		if reAsk.MatchString(c) || reConfirm.MatchString(c) {
			asking = append(asking, c)
		}
	}
	if len(asking) > 0 {
		text = strings.Join(asking, "，")
	}
	var out []string
	for _, m := range reFigure.FindAllString(zh.HalfWidth(text), -1) {
		n := zh.ReNumber.FindString(m)
		if len(n) == 4 && strings.HasSuffix(m, "年") && (strings.HasPrefix(n, "19") || strings.HasPrefix(n, "20")) {
			continue // a year (2022年), not a duration
		}
		out = append(out, n)
	}
	return out
}

// smallTalk are whole messages that greet, thank or acknowledge.
var reSmallTalk = regexp.MustCompile(`^(你好|您好|哈喽|嗨|hi|hello|在吗|在不在|有人吗|早上好|上午好|中午好|下午好|晚上好|早|谢谢|谢谢你|谢谢您|多谢|感谢|辛苦了|辛苦|好的|好|好吧|行|可以|ok|嗯|嗯嗯|哦|知道了|明白了|收到|了解|懂了|没事了|没问题|再见|拜拜|[0-9]|[\p{P}\p{S}]+)$`)

// IsSmallTalk reports whether a message is a greeting, thanks or an
// acknowledgement (你好, 在吗, 谢谢, 好的, a stray digit) rather than a
// question: it gets a short friendly reply, starts no follow-up, and is not
// an unanswered question.
func IsSmallTalk(text string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	t = strings.TrimRight(t, "！!。.？?~～，, ")
	for _, p := range []string{"小助手", "老师", "你好", "您好"} {
		if t != p {
			t = strings.TrimPrefix(t, p)
			t = strings.TrimLeft(t, "，, ！!")
		}
	}
	for _, p := range []string{"小助手", "老师", "您", "你"} {
		t = strings.TrimSuffix(t, p)
	}
	t = strings.TrimRight(t, "啊呀哈啦了～~，, ")
	if t == "" {
		return text != ""
	}
	for _, part := range regexp.MustCompile(`[，,。！!\s]+`).Split(t, -1) {
		if part != "" && !reSmallTalk.MatchString(part) {
			return false
		}
	}
	return true
}
