package knowledge

import (
	"github.com/incubot/incubot/knowledge/zh"
	"iter"
	"slices"
	"strings"
)

// Tokenize is zh.Tokenize, for callers outside knowledge.
func Tokenize(text string) []string { return zh.Tokenize(text) }

// fillers are words of a question that say nothing about its subject. They
// are cut out before tokenizing so that no bigram spans them.
var fillers = []string{
	"请问一下", "请问", "想问一下", "想问", "问一下", "咨询一下", "咨询",
	"怎么样", "怎么办", "怎么", "怎样", "如何", "为什么",
	"是不是", "是否", "有没有", "能不能", "可不可以", "会不会", "要不要", "算不算", "够不够",
	"什么", "哪些", "哪个", "哪里", "多少", "多久", "几号", "啥", "咋",
	"可以", "能够", "需要", "应该", "还能", "还要", "还有",
	"我们", "我司", "咱们", "你们", "我", "您",
	"一下", "一共", "听说", "现在", "那个", "这个", "那边", "这边",
	"吗", "呢", "啊", "吧", "呀", "哦", "嘛", "了",
}

// stopChars are particles that join words in a question; a query bigram
// holding one spans a word boundary ("的比", "例是") and matches nothing
// meaningful.
const stopChars = "的了吗呢吧啊是"

// thesaurus maps everyday and abbreviated policy words to the terms the
// documents use. It is general domain vocabulary, not tuned to any question.
var thesaurus = map[string][]string{
	"高企":   {"高新技术企业"},
	"申报":   {"申请"},
	"高校":   {"高等院校"},
	"学校":   {"院校"},
	"大学":   {"高等院校"},
	"时间":   {"期限", "年限"},
	"多久":   {"期限", "日内"},
	"高新企业": {"高新技术企业"},
	"研发":   {"研究开发"},
	"环保":   {"环境"},
	"孵化器":  {"科技企业孵化器"},
	"双创":   {"创新创业"},
	"专利费":  {"专利收费"},
	"减免":   {"减征", "免征", "减缴"},
	"免税":   {"免征"},
	"补贴":   {"补助", "资助"},
	"奖励":   {"奖补"},
	"钱":    {"资金", "金额"},
	"公司":   {"企业"},
	"厂":    {"企业"},
	"老板":   {"法定代表人"},
	"丢了":   {"丢失", "损失"},
	"罚":    {"罚款", "处罚"},
	"骗":    {"骗取", "虚假"},
	"年报":   {"年度发展情况报表"},
	"成果转化": {"科技成果转化"},
	"技术合同": {"技术合同认定登记"},
	"入驻":   {"入孵"},
	"报备":   {"报告", "备案"},
}

// thesaurusWords are the thesaurus's words in a fixed order, so that a
// question's expansions come out the same on every call.
var thesaurusWords = func() []string {
	ws := make([]string, 0, len(thesaurus))
	for w := range thesaurus {
		ws = append(ws, w)
	}
	slices.Sort(ws)
	return ws
}()

// thesaurusIn returns the thesaurus words the question uses, sorted.
func thesaurusIn(question string) []string {
	var out []string
	for _, w := range thesaurusWords {
		if strings.Contains(question, w) {
			out = append(out, w)
		}
	}
	return out
}

// QueryTerms prepares a question for lexical search: fillers removed, domain
// synonyms added, then tokenized. Duplicates are kept once.
func QueryTerms(question string) []string {
	q := question
	for _, f := range fillers {
		q = strings.ReplaceAll(q, f, " ")
	}
	var extra []string
	for _, w := range thesaurusIn(question) {
		extra = append(extra, thesaurus[w]...)
	}
	toks := Tokenize(q + " " + strings.Join(extra, " "))
	seen := make(map[string]bool, len(toks))
	out := toks[:0]
	for _, t := range toks {
		if strings.ContainsAny(t, stopChars) {
			continue
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// synonymOf maps each token of a thesaurus word the question uses (利费 of
// 专利费) to the tokens of the words it stands for (利收, 收费 of 专利收费),
// from the question's synonym groups. Retrieval weighs such a token no
// higher than the rarest token of its expansion, as Lucene's synonym query
// scores synonyms as one term: a rare spelling of a common concept must not
// outweigh the rest of the question.
func synonymOf(groups [][][]string) map[string][]string {
	out := map[string][]string{}
	for _, g := range groups {
		expansion := slices.Concat(g[1:]...)
		for _, t := range g[0] {
			if !slices.Contains(expansion, t) {
				out[t] = append(out[t], expansion...)
			}
		}
	}
	return out
}

// synonymGroups lists, for each thesaurus word the question uses, the
// token lists of its spellings: the word's own, then each word it stands
// for (高企: [高企], [高新 新技 技术 术企 企业]). Coverage counts a group
// once, however it is spelled.
func synonymGroups(question string) [][][]string {
	var out [][][]string
	for _, w := range thesaurusIn(question) {
		g := [][]string{Tokenize(w)}
		for _, a := range thesaurus[w] {
			g = append(g, Tokenize(a))
		}
		out = append(out, g)
	}
	return out
}

// ChunkTokens yields a chunk's lexical tokens, as stored at ingest and
// counted again when BM25 scores it.
func ChunkTokens(c *Chunk) iter.Seq[string] { return zh.Tokens(LexicalText(c)) }
