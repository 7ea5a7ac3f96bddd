package knowledge

import (
	"context"
	"errors"
	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/docfile"
	"github.com/incubot/incubot/knowledge/models"
	"github.com/incubot/incubot/knowledge/zh"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/incubot/incubot/internal/place"
)

// RetrieveOptions are the relevance thresholds and list sizes of hybrid
// retrieval.
type RetrieveOptions struct {
	// MinCoverage is the share of the question's term weight (IDF) a chunk
	// must match to count as a lexical candidate.
	MinCoverage float64
	// MinVector is the least cosine similarity of a vector candidate, and
	// the zero of the vector score in fusion (fuse): above it, similarity
	// adds in proportion, so a moderately similar clause breaks a near tie
	// of the words without overturning a clear lexical winner.
	MinVector float64
	// Candidates is the length of each list before fusion.
	Candidates int
	// TitleWeight scales a question term found in a chunk's document title;
	// TitleEcho scales the same term found again in the chunk's own text.
	TitleWeight, TitleEcho float64
	// K1 and B are BM25's parameters.
	K1, B float64
	// FocusBoost multiplies the weight of the terms next to the question
	// word (什么证明, 有没有要求), which name what is asked.
	FocusBoost float64
	// SubjectPrior raises a clause's lexical score by this much times the
	// share of the question its measure's own name (ShortTitle) covers: of
	// clauses that match about as well, those of the measure about the
	// question's subject lead.
	SubjectPrior float64
	// ListPrior raises the lexical score of a clause of the leading
	// measure that introduces a list of the thing the question asks to have
	// named (哪些方式 → 可以采用下列方式：): of its clauses that mention the
	// thing, it is the one that names them.
	ListPrior float64
	// AbsentWeight scales a question term no chunk holds, relative to a
	// term found once.
	AbsentWeight float64
	// StatedShare is how much of the best clause's coverage of the
	// question's subject a clause stating the asked quantity must reach,
	// when that best clause states none: below it, the number belongs to
	// another matter.
	StatedShare float64
	// LocalWeight scales the lexical score of a local document (one whose
	// title names a place) for a question whose place is unknown.
	LocalWeight float64
	// MinKeyCoverage is the share of the weight of the question's content
	// words (weighed by their general-language IDF) the best clause must
	// match to answer directly.
	MinKeyCoverage float64
	// RareWord is the general-language IDF from which a content word the
	// corpus lacks is a matter it does not cover (稳岗, 退税率), rather than
	// an everyday word it need not hold (去年, 今年).
	RareWord float64
}

// DefaultRetrieveOptions were chosen on the development set for the local
// embedder (README, "Retrieval").
var DefaultRetrieveOptions = RetrieveOptions{MinCoverage: 0.15, MinVector: 0.2, Candidates: 40, TitleWeight: 1, TitleEcho: 0, K1: 0.8, B: 0.3, FocusBoost: 2, SubjectPrior: 0.5, ListPrior: 0.5, AbsentWeight: 0.2, StatedShare: 0.7, LocalWeight: 0.6, MinKeyCoverage: 0.45, RareWord: 8}

// Retriever finds the chunks that answer a question: BM25 over Go-made
// tokens and vector similarity, each thresholded, fused by score (fuse).
type Retriever struct {
	Store    corpus.Store
	Local    models.LocalEmbedder
	Embedder models.Embedder // configured embedder; nil or the local one offline
	Today    func() time.Time
	Opts     RetrieveOptions
	// Home are the places the bureau serves: a question naming no place is
	// read as asked about them. Empty: such a question searches everything.
	Home []string
}

// SearchResult is the ranked hits and how the question was read.
type SearchResult struct {
	Question Question // the question as read
	Terms    []string
	Model    string // the embedding model whose vectors were searched
	Asked    Asked  // the kind of quantity the question asks for, if any
	// Places are the places the question names, or else the retriever's
	// home places: other places' local
	// documents are skipped, and OtherPlaces counts the clauses skipped so.
	// Elsewhere says the best match of all was such a clause: the corpus
	// lacks the place's own measure, and the hits are national or
	// provincial clauses at best.
	Places      []string
	OtherPlaces int
	Elsewhere   bool
	// Unknown are the programmes the question names (技术先进型服务企业)
	// that no document mentions; only documents that mention every
	// programme named are searched.
	Unknown []string
	// Closest is the best clause that states no quantity of the kind
	// asked, when it matched better than every clause that states one: the
	// corpus speaks of the matter but gives no figure. Nil otherwise.
	Closest *corpus.Hit
	DF      map[string]int // how many chunks hold each term
	Hits    []corpus.Hit
	// Changed maps a quoted clause's chunk to the clause of a later
	// document that states a different figure on the same matter.
	Changed map[int64]corpus.Hit
	// Flagged are matching clauses left out because they read as
	// instructions to an assistant.
	Flagged []corpus.Hit
	// Answers says the best hit answers the question directly: it covers
	// at least MinKeyCoverage of the weight of the question's content words
	// (KeyCoverage), states every figure the question asserts (Unstated
	// lists those it does not), and the corpus holds every rare word of
	// the question (Lacks lists those it does not).
	Answers     bool
	KeyCoverage float64
	Unstated    []string
	Lacks       []string
	// Unnamed are the things asked for (Question.Objects) that the
	// corpus names but the best hit does not.
	Unnamed []string
	// Aside says the best hit states a quantity of the kind asked only in
	// sentences about another matter than the question's.
	Aside bool
}

// Search returns at most k hits, best first; none when nothing passes the
// thresholds or no hit holds the kind of quantity the question asks for.
func (r *Retriever) Search(ctx context.Context, question string, k int) (*SearchResult, error) {
	return r.SearchFor(ctx, ParseQuestion(question), k)
}

// SearchFor is Search of a question already read.
func (r *Retriever) SearchFor(ctx context.Context, q Question, k int) (*SearchResult, error) {
	res := &SearchResult{Question: q, Terms: q.Terms, Asked: q.Asked}
	if len(res.Terms) == 0 {
		return res, nil
	}
	day := r.Today()
	// The two searches are independent: the vector one (embedding the
	// question, then the index) runs beside the lexical one, so a
	// question waits for the slower of the two, not their sum.
	var (
		vec    []corpus.Hit
		model  string
		vecErr error
		done   = make(chan struct{})
	)
	go func() {
		defer close(done)
		vec, model, vecErr = r.vector(ctx, q.Text, day)
	}()
	lex, dfs, subject, err := r.lexical(ctx, q, day)
	<-done
	if err != nil {
		return nil, err
	}
	if vecErr != nil {
		return nil, vecErr
	}
	res.Model, res.DF = model, dfs
	res.Places = q.Places
	if len(res.Places) == 0 {
		res.Places = r.Home
	}
	local := func(h *corpus.Hit) []string {
		if h.DocPlaces == nil { // added before places were read at ingest
			h.DocPlaces = place.In(h.Doc.Title)
		}
		return h.DocPlaces
	}
	if len(res.Places) == 0 && r.Opts.LocalWeight != 1 {
		// Where the asker is, is unknown: a document that binds everywhere
		// surely applies to them, a local one only perhaps.
		for i := range lex {
			if len(local(&lex[i])) > 0 {
				lex[i].BM25 *= r.Opts.LocalWeight
			}
		}
		rerank(lex)
	}
	if r.Opts.ListPrior > 0 && len(q.Listed) > 0 && len(lex) > 0 {
		// Of the leading measure's clauses that mention what the question
		// asks to have named, the one that lists it leads. It chooses the
		// provision, not the measure: another city's list of conditions
		// must not outrank the measure the question is about.
		lead := lex[0].Doc.ID
		for i := range lex {
			if lex[i].Doc.ID == lead && listsAsked(lex[i], q.Listed) {
				lex[i].BM25 *= 1 + r.Opts.ListPrior
			}
		}
		rerank(lex)
	}
	fused := fuse(lex, vec, r.Opts.MinVector, len(lex)+len(vec))
	onTopic, unknown, err := r.programmes(ctx, q.Programmes, fused, day)
	if err != nil {
		return nil, err
	}
	res.Unknown = unknown
	fused = slices.DeleteFunc(fused, func(h corpus.Hit) bool { return !onTopic[h.Doc.ID] })
	if err := r.withReferences(ctx, fused, q.Terms); err != nil {
		return nil, err
	}

	// Each hit judged once: whether its document applies where the question
	// is asked, whether it states the quantity asked, and how much of the
	// question's subject it matches.
	type judged struct {
		hit             *corpus.Hit
		applies, states bool
		subject         float64
	}
	js := make([]judged, len(fused))
	// The best clause that states no quantity of the kind asked: a clause
	// that states one must match the question nearly as well, or its number
	// answers another matter. Both are measured on the question's subject,
	// since a clause that states 100% answers 比例 without the word.
	var closest *corpus.Hit
	best, first := 0.0, 0.0
	for i := range fused {
		h := &fused[i]
		j := judged{h, len(res.Places) == 0 || place.Applies(res.Places, local(h)), res.Asked.Holds(h.Chunk.Body), subject.of(h.Matched)}
		if j.applies && !j.states && j.subject > best {
			closest, best = h, j.subject
		}
		js[i] = j
	}
	for _, j := range js {
		switch {
		case !j.states:
		case closest != nil && j.subject < r.Opts.StatedShare*best:
		case !j.applies:
			res.OtherPlaces++
			res.Elsewhere = res.Elsewhere || len(res.Hits) == 0
		default:
			if len(res.Hits) == 0 {
				first = j.subject
			}
			res.Hits = append(res.Hits, *j.hit)
		}
	}
	// A clause that reads as an instruction to an assistant is never
	// offered as an answer, however well it matches.
	res.Hits = slices.DeleteFunc(res.Hits, func(h corpus.Hit) bool {
		if h.Instruction {
			res.Flagged = append(res.Flagged, h)
		}
		return h.Instruction
	})
	currentFirst(res, subject)
	if len(res.Hits) > k {
		res.Hits = res.Hits[:k]
	}
	if closest != nil && (len(res.Hits) == 0 || best > first) {
		res.Closest = closest
	}
	r.judge(res)
	return res, nil
}

// judge decides from evidence whether the best clause answers the
// question. The question's content words are weighed by how informative
// they are in everyday Chinese, so that 去年 or 我们公司 count for little
// and 加计扣除 for much. A word no document holds that is rare in everyday
// Chinese (稳岗, 退税率) is a matter the corpus lacks: nothing answers.
// Otherwise the best clause must cover enough of the words' weight, and
// state every figure the question asserts (是不是按10%算), to answer
// directly; else it is only the closest provision.
func (r *Retriever) judge(res *SearchResult) {
	q := res.Question
	present := func(toks []string) bool {
		for _, t := range toks {
			if res.DF[t] == 0 {
				return false
			}
		}
		return len(toks) > 0
	}
	var weighed []Word
	for _, w := range q.Words {
		in := present(w.Tokens)
		for _, a := range w.Alts {
			in = in || present(a)
		}
		switch {
		case in:
			weighed = append(weighed, w)
		case w.Self:
			// What the asker says of themselves (我们是做竹编的) places the
			// question: it is not a matter the corpus lacks, and a clause
			// that does not hold it may still answer, so it weighs half.
			w.IDF *= selfWeight
			weighed = append(weighed, w)
		case w.Programme:
		case isGrammatical(w.Text):
			// A modal or a negation with its verb (能到, 没写): an everyday
			// phrase, whatever the table says of it.
		case w.Known && w.IDF >= r.Opts.RareWord:
			// A real word, rare in everyday Chinese, that no document
			// holds: the clause cannot cover it.
			res.Lacks = append(res.Lacks, w.Text)
			weighed = append(weighed, w)
		case w.Known && w.IDF > everyday:
			// Between everyday (去年) and rare (退税率) a word the corpus
			// lacks weighs in proportion (社保).
			w.IDF *= (w.IDF - everyday) / (r.Opts.RareWord - everyday)
			weighed = append(weighed, w)
		case !w.Known:
			// Characters no word of the table covers: a rare term (稳岗)
			// or everyday words the table does not join (想买); weighed
			// as rare (measured: better than half that), not named.
			weighed = append(weighed, w)
		}
	}
	if len(res.Hits) == 0 {
		return
	}
	res.KeyCoverage = keyCoverage(weighed, res.Hits[0])
	res.Unstated = nil
	for _, f := range q.Figures {
		if !zh.ContainsNumber(zh.Normalize(zh.HalfWidth(res.Hits[0].Chunk.Body)), f) {
			res.Unstated = append(res.Unstated, f)
		}
	}
	res.Unnamed = nil
	for _, o := range q.Objects {
		// A thing no document names (说法, 后果) is the asker's register,
		// not the corpus's: no clause could be held to name it.
		if present(zh.Tokenize(o)) && !holdsObject(res.Hits[0].Chunk.Body, o) {
			res.Unnamed = append(res.Unnamed, o)
		}
	}
	// The figure asked for must stand in a sentence about the question's
	// matter: one that carries nearly as much of it as the whole clause.
	res.Aside = res.Asked != AsksNothing && statedCoverage(weighed, res.Hits[0], q.WithAsked(res.Asked)) < r.Opts.StatedShare*res.KeyCoverage
	res.Answers = res.KeyCoverage >= r.Opts.MinKeyCoverage && len(res.Unstated) == 0 && len(res.Unnamed) == 0 && !res.Aside && speaksOf(res.Hits[0], q.Programmes)
}

// statedCoverage is the key coverage of the best sentence of h that
// states a quantity of the kind asked (a count in the classifier asked,
// when the question names one; a ratio with the verb it measures, when the
// question names one), read with the clause's opening sentence when it is
// an item of a list (（三）技术合同成交额在20万元以上 under 申请补助的企业应当同时
// 具备以下条件): the figure answers the question only if the sentence that
// states it is about the question's matter.
func statedCoverage(words []Word, h corpus.Hit, q Question) float64 {
	sents := fullSentences(strings.ReplaceAll(h.Chunk.Body, "\n", ""))
	title := zh.Tokenize(h.Doc.Title)
	best := 0.0
	for i, s := range sents {
		switch {
		case !q.Asked.Holds(s):
			continue
		case q.Asked == AsksCount && q.Counted != "" && !holdsCount(s, q.Counted):
			continue
		case q.Verb != "" && !strings.Contains(s, firstRune(q.Verb)):
			continue
		}
		if i > 0 && reItem.MatchString(s) {
			s = sents[0] + s
		}
		c := h
		// Its own words count, and the title's by half, as in keyCoverage.
		c.Chunk.Body, c.Matched = s, title
		best = math.Max(best, keyCoverage(words, c))
	}
	return best
}

// reRef finds a clause's reference to an article of its own measure
// (减缴本办法第二条规定收费的85%).
var reRef = regexp.MustCompile(`本(?:办法|条例|规定|细则|法)第([一二三四五六七八九十百零〇]+)条`)

// referenceDepth bounds the hits whose references are read: those that
// can lead or stand beside the leader.
const referenceDepth = 10

// withReferences counts, for a clause that applies an article of its own
// measure by reference, the question's terms that article holds as
// matched (as a title's are: half in key coverage): 第四条 "减缴本办法第二条
// 规定收费的85%" is about the 年费 第二条 lists.
func (r *Retriever) withReferences(ctx context.Context, hits []corpus.Hit, terms []string) error {
	docs := map[int64][]corpus.Chunk{}
	for i := range hits[:min(len(hits), referenceDepth)] {
		h := &hits[i]
		refs := reRef.FindAllStringSubmatch(h.Chunk.Body, -1)
		if len(refs) == 0 {
			continue
		}
		chunks, ok := docs[h.Doc.ID]
		if !ok {
			var err error
			if chunks, err = r.Store.DocumentChunks(ctx, h.Doc.ID); err != nil {
				return err
			}
			docs[h.Doc.ID] = chunks
		}
		for _, m := range refs {
			for _, c := range chunks {
				if c.Article != "第"+m[1]+"条" || c.ID == h.Chunk.ID {
					continue
				}
				held := zh.Tokenize(c.Body)
				for _, t := range terms {
					if slices.Contains(held, t) && !slices.Contains(h.Matched, t) {
						h.Matched = append(h.Matched, t)
					}
				}
			}
		}
	}
	return nil
}

// fullSentences splits after 。！？ only: the parts a ；divides share their
// sentence's subject (技术转让所得不超过500万元的部分，免征…；超过500万元的
// 部分，减半征收…).
func fullSentences(s string) []string {
	var out []string
	for _, p := range docfile.SentencesOf(s) {
		if n := len(out); n > 0 && (strings.HasSuffix(strings.TrimSpace(out[n-1]), "；") || strings.HasSuffix(strings.TrimSpace(out[n-1]), ";")) {
			out[n-1] += p
		} else {
			out = append(out, p)
		}
	}
	return out
}

// reItem finds the mark opening an item of a list: （三）, (3), 3., 三、.
var reItem = regexp.MustCompile(`^\s*(?:[（(][0-9一二三四五六七八九十]+[）)]|[0-9]{1,2}[.．、]|[一二三四五六七八九十]+、)`)

// selfWeight scales a word of the asker's description of themselves that
// the corpus lacks.
const selfWeight = 0.5

// everyday is the general-language IDF below which a word the corpus
// lacks says nothing about whether it answers (去年, 今年, 我们).
const everyday = 6.0

// keyCoverage is the share of the words' weight a clause covers: a word
// counts by the share of its tokens the clause's own text holds, in its
// best spelling, and by half that when only the document's title holds
// them (the title names the measure, the clause must state the matter).
func keyCoverage(words []Word, h corpus.Hit) float64 {
	body := zh.Tokenize(corpus.LexicalText(&h.Chunk))
	var got, all float64
	for _, w := range words {
		best := 0.0
		for _, sp := range append([][]string{w.Tokens}, w.Alts...) {
			if len(sp) == 0 {
				continue
			}
			var n float64
			for _, t := range sp {
				switch {
				case slices.Contains(body, t):
					n++
				case slices.Contains(h.Matched, t):
					n += 0.5
				}
			}
			best = math.Max(best, n/float64(len(sp)))
		}
		got += best * w.IDF
		all += w.IDF
	}
	if all == 0 {
		return 1
	}
	return got / all
}

// programmes reads the programmes a question names and returns the
// documents of hits that mention them all; unknown are those no document
// mentions.
func (r *Retriever) programmes(ctx context.Context, named [][]string, hits []corpus.Hit, day time.Time) (onTopic map[int64]bool, unknown []string, err error) {
	onTopic = map[int64]bool{}
	var docs []int64
	for _, h := range hits {
		if !onTopic[h.Doc.ID] {
			onTopic[h.Doc.ID] = true
			docs = append(docs, h.Doc.ID)
		}
	}
	for _, p := range named {
		var m map[int64]bool
		if len(docs) > 0 {
			if m, err = r.Store.Mentioning(ctx, p, docs, day); err != nil {
				return nil, nil, err
			}
		}
		if len(m) == 0 {
			some, err := r.Store.Mentioned(ctx, p, day)
			if err != nil {
				return nil, nil, err
			}
			if !some {
				unknown = append(unknown, p[0])
			}
		}
		for d := range onTopic {
			onTopic[d] = onTopic[d] && m[d]
		}
	}
	return onTopic, unknown, nil
}

// rerank orders lexical hits by their score again, after a prior changed
// it, and renumbers their ranks.
func rerank(lex []corpus.Hit) {
	sort.SliceStable(lex, func(i, j int) bool { return lex[i].BM25 > lex[j].BM25 })
	for i := range lex {
		lex[i].LexRank = i + 1
	}
}

// lexical scores with BM25 and keeps hits covering enough of the question.
// It also returns the coverage of the question's subject: its terms
// without those of what it asks for (比例, 多少天).
func (r *Retriever) lexical(ctx context.Context, q Question, day time.Time) ([]corpus.Hit, map[string]int, coverage, error) {
	terms, groups, focus := q.Terms, q.Groups, q.Focus
	synonyms := synonymOf(groups)
	// The expansions' statistics too: a particle filter may have dropped
	// some of their tokens from the terms.
	looked := slices.Clone(terms)
	for _, alts := range synonyms {
		for _, a := range alts {
			if !slices.Contains(looked, a) {
				looked = append(looked, a)
			}
		}
	}
	df, stats, err := r.Store.TermStats(ctx, looked)
	if err != nil {
		return nil, nil, coverage{}, err
	}
	if stats.Chunks == 0 {
		return nil, df, coverage{}, nil
	}
	n := float64(stats.Chunks)
	idf := make([]float64, len(terms))
	weight := map[string]float64{}
	type ranked struct {
		term string
		idf  float64
		df   int
	}
	var known []ranked
	idfOf := func(t string) float64 {
		d := math.Max(1, float64(df[t]))
		return math.Log(1 + (n-d+0.5)/(d+0.5))
	}
	for i, t := range terms {
		// A term the corpus lacks weighs as a term found once: it still
		// lowers coverage, but a small corpus does not make it dominate.
		idf[i] = idfOf(t)
		if alts := synonyms[t]; len(alts) > 0 {
			rarest := 0.0
			for _, a := range alts {
				if df[a] > 0 {
					rarest = math.Max(rarest, idfOf(a))
				}
			}
			if rarest > 0 {
				idf[i] = math.Min(idf[i], rarest)
			}
		}
		if df[t] == 0 {
			idf[i] *= r.Opts.AbsentWeight
		}
		if focus[t] && df[t] > 0 {
			idf[i] *= r.Opts.FocusBoost
		}
		weight[t] = idf[i]
		if df[t] > 0 {
			known = append(known, ranked{t, idf[i], df[t]})
		}
	}
	if len(known) == 0 {
		return nil, df, coverage{}, nil
	}
	// Candidates come from the rarer terms; common ones only add to scores.
	sort.Slice(known, func(i, j int) bool { return known[i].idf > known[j].idf })
	var filter []string
	for _, k := range known {
		if float64(k.df) <= 0.05*n || len(filter) < 3 {
			filter = append(filter, k.term)
		}
	}
	hits, err := r.Store.LexicalSearch(ctx, corpus.LexicalQuery{Terms: terms, IDF: idf, Filter: filter, Day: day, AvgLen: stats.AvgTokens,
		Limit: r.Opts.Candidates, TitleWeight: r.Opts.TitleWeight, TitleEcho: r.Opts.TitleEcho, K1: r.Opts.K1, B: r.Opts.B})
	if err != nil {
		return nil, nil, coverage{}, err
	}
	cov := newCoverage(terms, weight, groups)
	subject := newCoverage(q.Subject, weight, groups)
	var kept []corpus.Hit
	for _, h := range hits {
		h.Coverage = cov.of(h.Matched)
		if h.Coverage >= r.Opts.MinCoverage {
			kept = append(kept, h)
		}
	}
	if r.Opts.SubjectPrior > 0 {
		// A measure whose own name covers the question is about it; one
		// that only mentions the words in a clause is not (企业所得税
		// 汇算清缴: the 企业所得税法, not the patent-fee measure whose
		// clause names the tax return to attach).
		about := map[int64]float64{}
		for i := range kept {
			d := kept[i].Doc
			share, ok := about[d.ID]
			if !ok {
				name := zh.Tokenize(ShortTitle(d.Title))
				share = cov.of(slices.DeleteFunc(slices.Clone(terms), func(t string) bool { return !slices.Contains(name, t) }))
				about[d.ID] = share
			}
			kept[i].BM25 *= 1 + r.Opts.SubjectPrior*share
		}
		sort.SliceStable(kept, func(i, j int) bool { return kept[i].BM25 > kept[j].BM25 })
	}
	for i := range kept {
		kept[i].LexRank = i + 1
	}
	return kept, df, subject, nil
}

// coverage measures the share of a question's term weight a chunk matches.
// A thesaurus group (研发 / 研究开发) counts once, with the weight of its
// heaviest spelling, and a chunk earns the share of the spelling it matches
// best: the same clause covers a question equally whichever word it uses.
type coverage struct {
	weight map[string]float64
	plain  []string // terms in no group
	groups []group
	total  float64
}

// group is a thesaurus word's spellings, each its tokens among the terms,
// and the weight of the heaviest.
type group struct {
	spellings [][]string
	weight    float64
}

func newCoverage(terms []string, weight map[string]float64, groups [][][]string) coverage {
	c := coverage{weight: weight}
	grouped := map[string]bool{}
	for _, g := range groups {
		var spellings [][]string
		heaviest := 0.0
		for _, sp := range g {
			var toks []string
			var w float64
			for _, t := range sp {
				if slices.Contains(terms, t) && !slices.Contains(toks, t) {
					toks = append(toks, t)
					w += weight[t]
				}
			}
			if len(toks) > 0 {
				spellings = append(spellings, toks)
				heaviest = math.Max(heaviest, w)
			}
			for _, t := range toks {
				grouped[t] = true
			}
		}
		if len(spellings) > 0 {
			c.groups = append(c.groups, group{spellings, heaviest})
			c.total += heaviest
		}
	}
	for _, t := range terms {
		if !grouped[t] {
			c.plain = append(c.plain, t)
			c.total += weight[t]
		}
	}
	return c
}

func (c coverage) of(matched []string) float64 {
	if c.total == 0 {
		return 0
	}
	var w float64
	for _, t := range c.plain {
		if slices.Contains(matched, t) {
			w += c.weight[t]
		}
	}
	for _, g := range c.groups {
		best := 0.0
		for _, sp := range g.spellings {
			var got, all float64
			for _, t := range sp {
				all += c.weight[t]
				if slices.Contains(matched, t) {
					got += c.weight[t]
				}
			}
			if all > 0 {
				best = math.Max(best, got/all)
			}
		}
		w += best * g.weight
	}
	return w / c.total
}

// vector searches the serving model: the configured embedder's vectors once
// they are complete, otherwise the local ones. If the configured model
// cannot embed the question, the local vectors answer instead.
func (r *Retriever) vector(ctx context.Context, question string, day time.Time) ([]corpus.Hit, string, error) {
	if r.Embedder != nil && r.Embedder.Name() != r.Local.Name() {
		m, err := r.Store.Model(ctx, r.Embedder.Name())
		if err != nil && !errors.Is(err, corpus.ErrNotFound) {
			return nil, "", err
		}
		if err == nil && m.Ready {
			hits, err := r.vectorWith(ctx, r.Embedder, m, question, day)
			var me *models.ModelError
			if !errors.As(err, &me) {
				return hits, m.Name, err
			}
		}
	}
	m, err := r.Store.Model(ctx, r.Local.Name())
	if errors.Is(err, corpus.ErrNotFound) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	hits, err := r.vectorWith(ctx, r.Local, m, question, day)
	return hits, m.Name, err
}

// vectorWith embeds the question with e and searches model m's vectors.
func (r *Retriever) vectorWith(ctx context.Context, e models.Embedder, m corpus.Model, question string, day time.Time) ([]corpus.Hit, error) {
	vs, err := e.Embed(ctx, []string{question})
	if err != nil {
		return nil, err
	}
	hits, err := r.Store.VectorSearch(ctx, corpus.VectorQuery{Model: m, Vector: vs[0], Day: day, Limit: r.Opts.Candidates})
	if err != nil {
		return nil, err
	}
	return r.keepVector(hits), nil
}

func (r *Retriever) keepVector(hits []corpus.Hit) []corpus.Hit {
	var kept []corpus.Hit
	for _, h := range hits {
		if h.Vector >= r.Opts.MinVector {
			kept = append(kept, h)
		}
	}
	for i := range kept {
		kept[i].VecRank = i + 1
	}
	return kept
}

// fuse merges the two lists and returns the top k. Each list's score is
// put on [0, 1] and the two are added: the lexical score relative to the
// best lexical score, the similarity by how far it clears minVector, of
// the most it could. So a chunk that the vector list only just admits adds
// next to nothing, and cannot overturn a clear lexical winner (as rank
// fusion let it: rank 1 of a list counts the same however weak the list);
// a clear vector match still decides between chunks that match the words
// about as well, and still surfaces a chunk that shares no word.
func fuse(lex, vec []corpus.Hit, minVector float64, k int) []corpus.Hit {
	byID := map[int64]*corpus.Hit{}
	var order []int64
	for _, list := range [][]corpus.Hit{lex, vec} {
		for i := range list {
			h := list[i]
			cur, ok := byID[h.Chunk.ID]
			if !ok {
				cp := h
				byID[h.Chunk.ID] = &cp
				order = append(order, h.Chunk.ID)
				cur = &cp
			} else {
				if h.LexRank > 0 {
					cur.LexRank, cur.BM25, cur.Coverage, cur.Matched = h.LexRank, h.BM25, h.Coverage, h.Matched
				}
				if h.VecRank > 0 {
					cur.VecRank, cur.Vector = h.VecRank, h.Vector
				}
			}
		}
	}
	best := 0.0
	for _, h := range lex {
		best = math.Max(best, h.BM25)
	}
	out := make([]corpus.Hit, 0, len(order))
	for _, id := range order {
		h := byID[id]
		h.Score = 0
		if h.LexRank > 0 && best > 0 {
			h.Score += h.BM25 / best
		}
		if h.VecRank > 0 && minVector < 1 {
			h.Score += math.Max(0, h.Vector-minVector) / (1 - minVector)
		}
		out = append(out, *h)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	if len(out) > k {
		out = out[:k]
	}
	return out
}

// currentFirst orders the leading clauses as a reader needs them. When a
// clause of a later document states a different figure of the kind asked
// on the same matter (it matches the question about as well), the later
// one leads and the earlier is marked as changed by it (加计扣除 50% →
// 100%). When two clauses of one document both state such a figure, the
// earlier article leads: a measure states its general rule before the
// exceptions to it, and the exception says so (特殊, 提高, 但 …), when
// both match the question's subject about as well (else the question names
// its case).
func currentFirst(res *SearchResult, subject coverage) {
	if len(res.Hits) < 2 {
		return
	}
	// states: the figure asked for, or, when the question asks none (研发
	// 形成无形资产怎么摊销), a rate or an amount, the figures a later
	// measure changes: the reply must not give a replaced one either.
	states := res.Asked.Holds
	if res.Asked == AsksNothing {
		states = func(body string) bool { return AsksRatio.Holds(body) || AsksMoney.Holds(body) }
	}
	top := res.Hits[0]
	if !states(top.Chunk.Body) {
		return
	}
	for i := 1; i < min(3, len(res.Hits)); i++ {
		h := res.Hits[i]
		if !states(h.Chunk.Body) {
			continue
		}
		if h.Doc.ID == top.Doc.ID {
			if res.Asked != AsksNothing && i == 1 && h.Chunk.Ordinal < top.Chunk.Ordinal && subject.of(h.Matched) >= 0.9*subject.of(top.Matched) && reException.MatchString(top.Chunk.Body) {
				res.Hits[0], res.Hits[1] = h, top
			}
			return
		}
		if i == 1 && h.Coverage >= 0.9*top.Coverage && docYear(h.Doc) > docYear(top.Doc) && restates(h.Chunk.Body, top.Chunk.Body) && differ(zh.Numbers(h.Chunk.Body), zh.Numbers(top.Chunk.Body)) {
			res.Hits = slices.Insert(slices.Delete(res.Hits, i, i+1), 0, h)
			if res.Changed == nil {
				res.Changed = map[int64]corpus.Hit{}
			}
			res.Changed[top.Chunk.ID] = h
			return
		}
	}
}

// restates says whether a later clause restates an earlier one with other
// figures: more than half of the shorter one's bigrams are in the other
// (研发费用…未形成无形资产计入当期损益的…50% and the 2023 公告's same
// sentence with 100% share 0.59), not a clause on another matter of the
// same measure that happens to state a figure too (a notice's conditions
// beside the measure's ratio: under 0.45).
func restates(later, earlier string) bool {
	a, b := map[string]bool{}, map[string]bool{}
	for _, t := range zh.Tokenize(later) {
		a[t] = true
	}
	for _, t := range zh.Tokenize(earlier) {
		b[t] = true
	}
	n := 0
	for t := range a {
		if b[t] {
			n++
		}
	}
	return 2*n > min(len(a), len(b))
}

// differ says whether two clauses' figures differ each way: each states
// one the other does not (50% → 100%). A later clause whose figures are
// all in the earlier one (a measure's 30万元 repeated from a notice that
// also states 满1年 and 100万元) changes nothing.
func differ(later, earlier []string) bool {
	return slices.ContainsFunc(later, func(n string) bool { return !slices.Contains(earlier, n) }) &&
		slices.ContainsFunc(earlier, func(n string) bool { return !slices.Contains(later, n) })
}

// reException marks a clause that makes an exception to, or raises, a
// rule stated elsewhere.
var reException = regexp.MustCompile(`特殊|特别|例外|另行|提高|上浮|放宽|除.{1,20}外|但`)

var reYear = regexp.MustCompile(`(19|20)\d\d`)

// docYear is when a document was made: its effective date, else the year
// its 文号 or title states (〔2023〕, 2019年修订), else 0.
func docYear(d corpus.Document) int {
	if d.EffectiveOn != nil {
		return d.EffectiveOn.Year()
	}
	for _, s := range []string{d.DocNumber, d.Title} {
		ys := reYear.FindAllString(s, -1)
		if len(ys) > 0 {
			y, _ := strconv.Atoi(ys[len(ys)-1])
			return y
		}
	}
	return 0
}

// speaksOf reports whether a clause, or the measure it belongs to by its
// title, names every programme the question names: a measure on
// incubators that mentions 众创空间 elsewhere does not set 众创空间's area
// in its clause on incubators'.
func speaksOf(h corpus.Hit, programmes [][]string) bool {
	for _, p := range programmes {
		if !slices.ContainsFunc(p, func(sp string) bool {
			return strings.Contains(h.Chunk.Body, sp) || strings.Contains(h.Doc.Title, sp)
		}) {
			return false
		}
	}
	return true
}
