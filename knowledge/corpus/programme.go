package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// A policy question usually names the programme it is about: a status an
// enterprise is recognised for (高新技术企业, 技术先进型服务企业) or a kind
// of carrier (孵化器, 众创空间). Documents about one programme do not answer
// for another, however many words they share: the 高企 conditions say
// nothing about 技术先进型服务企业. A question that names a programme is
// therefore answered only from documents that mention it.
//
// programmes lists the programmes of science and technology policy, each
// with the spellings people and documents use; the first is the name a
// reply shows.
var programmes = [][]string{
	{"高新技术企业", "高企", "高新企业"},
	{"科技型中小企业"},
	{"技术先进型服务企业", "技术先进型企业"},
	{"专精特新", "小巨人"},
	{"创新型中小企业"},
	{"瞪羚企业", "瞪羚"},
	{"独角兽企业", "独角兽"},
	{"雏鹰企业", "雏鹰"},
	{"单项冠军"},
	{"科技领军企业"},
	{"科技企业孵化器", "孵化器"},
	{"科技企业加速器", "加速器"},
	{"众创空间"},
	{"大学科技园"},
	{"星创天地"},
	{"企业技术中心"},
	{"工程技术研究中心"},
	{"重点实验室"},
	{"新型研发机构"},
	{"技术转移机构", "技术转移示范机构"},
	{"中试基地"},
	{"首台套", "首台（套）", "首台(套)"},
	{"软件企业"},
	{"知识产权示范企业"},
	{"知识产权优势企业"},
	{"院士工作站"},
	{"博士后科研工作站", "博士后工作站", "博士后创新实践基地"},
	{"产业技术创新战略联盟"},
}

// ProgrammesIn returns the programmes a text names, each as its spellings.
func ProgrammesIn(text string) [][]string {
	var out [][]string
	for _, p := range programmes {
		for _, s := range p {
			if strings.Contains(text, s) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// Mentions returns the spellings of programmes that a document's title or
// one of its texts holds. It is read once at ingest and stored with the
// document, so that a question's programmes are matched against stored
// facts (Store.Mentioning, Store.Mentioned) instead of scanning chunks.
func Mentions(title string, texts []string) []string {
	out := []string{}
	for _, p := range programmes {
		for _, s := range p {
			if strings.Contains(title, s) || slices.ContainsFunc(texts, func(t string) bool { return strings.Contains(t, s) }) {
				out = append(out, s)
			}
		}
	}
	return out
}

// FactsVersion names the lists a document's stored facts are read with
// (programmes, places): when it changes, the stored facts are read again.
func FactsVersion() string {
	h := sha256.New()
	fmt.Fprint(h, programmes, factsRevision)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// factsRevision is raised when DocumentPlaces or the gazetteer changes what
// it reads from a document.
const factsRevision = 1
