// Package eval measures retrieval on a question set with gold evidence
// (incubot eval).
package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/zh"
	"io"
	"math"
	"sort"
	"strings"
	"time"
)

// EvalQuestion is one line of a question set (JSON Lines).
type EvalQuestion struct {
	ID         string   `json:"id"`
	Question   string   `json:"question"`
	Answerable bool     `json:"answerable"`
	Doc        string   `json:"doc"`
	Articles   []string `json:"articles"`
	AnswerFact string   `json:"answer_fact"`
	Evidence   []string `json:"evidence"`
}

// ReadQuestions reads a question set, naming the line of any bad entry.
func ReadQuestions(r io.Reader) ([]EvalQuestion, error) {
	var qs []EvalQuestion
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var q EvalQuestion
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if strings.TrimSpace(q.Question) == "" {
			return nil, fmt.Errorf("line %d: no question", n)
		}
		if q.Answerable && len(q.Evidence) == 0 {
			return nil, fmt.Errorf("line %d: an answerable question needs evidence", n)
		}
		qs = append(qs, q)
	}
	return qs, sc.Err()
}

// RetrievalReport holds the retrieval figures of an evaluation; the JSON keys
// are stable.
type RetrievalReport struct {
	RecallAt1        float64 `json:"recall_at_1"`
	RecallAt3        float64 `json:"recall_at_3"`
	RecallAt5        float64 `json:"recall_at_5"`
	DocRecallAt5     float64 `json:"doc_recall_at_5"`
	MRRAt10          float64 `json:"mrr_at_10"`
	RefusalPrecision float64 `json:"refusal_precision"`
	RefusalRecall    float64 `json:"refusal_recall"`
	LatencyP50       float64 `json:"latency_p50_ms"`
	LatencyP95       float64 `json:"latency_p95_ms"`
	IngestChunksPerS float64 `json:"ingest_chunks_per_s"`
	Questions        int     `json:"questions"`
}

// QuestionResult is how retrieval did on one question.
type QuestionResult struct {
	Question EvalQuestion
	Rank     int // 1-based rank of the first hit holding evidence; 0 if none in the top 10
	DocRank  int
	Refused  bool
	Latency  time.Duration
	Hits     []corpus.Hit
	Terms    []string
	DF       map[string]int
	Result   *knowledge.SearchResult
}

// EvidenceRank is the 1-based rank of the first hit that contains one of
// the evidence strings (whitespace removed), 0 if none does.
func EvidenceRank(hits []corpus.Hit, evidence []string) int {
	for i, h := range hits {
		body := zh.Normalize(h.Chunk.Body)
		for _, e := range evidence {
			if e = zh.Normalize(e); e != "" && strings.Contains(body, e) {
				return i + 1
			}
		}
	}
	return 0
}

// EvaluateRetrieval runs every question through the retriever.
func EvaluateRetrieval(ctx context.Context, r *knowledge.Retriever, qs []EvalQuestion, progress func(i int)) ([]QuestionResult, error) {
	out := make([]QuestionResult, 0, len(qs))
	for i, q := range qs {
		start := time.Now()
		res, err := r.Search(ctx, q.Question, 10)
		if err != nil {
			return nil, fmt.Errorf("question %s: %w", q.ID, err)
		}
		qr := QuestionResult{Question: q, Latency: time.Since(start), Refused: !res.Answers, Hits: res.Hits, Terms: res.Terms, DF: res.DF, Result: res}
		if q.Answerable {
			qr.Rank = EvidenceRank(res.Hits, q.Evidence)
			for j, h := range res.Hits {
				if h.Doc.FileName == q.Doc {
					qr.DocRank = j + 1
					break
				}
			}
		}
		out = append(out, qr)
		if progress != nil {
			progress(i + 1)
		}
	}
	return out, nil
}

// Summarize computes the report from per-question results.
func Summarize(results []QuestionResult, ingestChunks int, ingest time.Duration) RetrievalReport {
	var rep RetrievalReport
	rep.Questions = len(results)
	var answerable, unanswerable, refused, refusedRight float64
	var lat []float64
	for _, r := range results {
		lat = append(lat, float64(r.Latency.Microseconds())/1000)
		if r.Refused {
			refused++
		}
		if !r.Question.Answerable {
			unanswerable++
			if r.Refused {
				refusedRight++
			}
			continue
		}
		answerable++
		if r.Rank == 1 {
			rep.RecallAt1++
		}
		if r.Rank >= 1 && r.Rank <= 3 {
			rep.RecallAt3++
		}
		if r.Rank >= 1 && r.Rank <= 5 {
			rep.RecallAt5++
		}
		if r.DocRank >= 1 && r.DocRank <= 5 {
			rep.DocRecallAt5++
		}
		if r.Rank >= 1 && r.Rank <= 10 {
			rep.MRRAt10 += 1 / float64(r.Rank)
		}
	}
	if answerable > 0 {
		rep.RecallAt1 /= answerable
		rep.RecallAt3 /= answerable
		rep.RecallAt5 /= answerable
		rep.DocRecallAt5 /= answerable
		rep.MRRAt10 /= answerable
	}
	if refused > 0 {
		rep.RefusalPrecision = refusedRight / refused
	}
	if unanswerable > 0 {
		rep.RefusalRecall = refusedRight / unanswerable
	}
	rep.LatencyP50 = Percentile(lat, 50)
	rep.LatencyP95 = Percentile(lat, 95)
	if ingest > 0 {
		rep.IngestChunksPerS = round(float64(ingestChunks)/ingest.Seconds(), 1)
	}
	for _, p := range []*float64{&rep.RecallAt1, &rep.RecallAt3, &rep.RecallAt5, &rep.DocRecallAt5, &rep.MRRAt10, &rep.RefusalPrecision, &rep.RefusalRecall, &rep.LatencyP50, &rep.LatencyP95} {
		*p = round(*p, 4)
	}
	return rep
}

// Percentile is the nearest-rank percentile of xs.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}
