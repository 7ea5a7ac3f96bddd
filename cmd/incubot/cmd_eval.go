package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/incubot/incubot/internal/devdb"
	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/eval"
)

func cmdEval(ctx context.Context, a *app, args []string) error {
	fs := newFlags("eval", a)
	corpus := fs.String("corpus", "", "folder of policy documents to index (required)")
	questions := fs.String("questions", "", "question set, JSON Lines (required)")
	k := fs.Int("k", 5, "answers are composed from the top k chunks")
	asJSON := fs.Bool("json", false, "print one JSON object with the figures")
	verbose := fs.Bool("v", false, "print every question's outcome")
	minCov := fs.Float64("min-coverage", knowledge.DefaultRetrieveOptions.MinCoverage, "lexical threshold: share of the question's term weight a chunk must match")
	minVec := fs.Float64("min-vector", knowledge.DefaultRetrieveOptions.MinVector, "vector threshold: least cosine similarity")
	k1 := fs.Float64("bm25-k1", knowledge.DefaultRetrieveOptions.K1, "BM25 term-frequency saturation")
	b := fs.Float64("bm25-b", knowledge.DefaultRetrieveOptions.B, "BM25 length normalisation")
	titleWeight := fs.Float64("title-weight", knowledge.DefaultRetrieveOptions.TitleWeight, "weight of a question term found in the document title")
	focus := fs.Float64("focus-boost", knowledge.DefaultRetrieveOptions.FocusBoost, "weight multiplier of the terms next to the question word")
	subjectPrior := fs.Float64("subject-prior", knowledge.DefaultRetrieveOptions.SubjectPrior, "lexical score raise per share of the question a clause's measure names in its own title")
	listPrior := fs.Float64("list-prior", knowledge.DefaultRetrieveOptions.ListPrior, "lexical score raise of a clause introducing a list of what the question asks to have named (下列条件：)")
	absent := fs.Float64("absent-weight", knowledge.DefaultRetrieveOptions.AbsentWeight, "weight of a question term no chunk holds, relative to a term found once")
	stated := fs.Float64("stated-share", knowledge.DefaultRetrieveOptions.StatedShare, "share of the best clause's coverage a clause stating the asked quantity must reach")
	local := fs.Float64("local-weight", knowledge.DefaultRetrieveOptions.LocalWeight, "lexical score multiplier of a local document when the question's place is unknown")
	minKey := fs.Float64("min-key-coverage", knowledge.DefaultRetrieveOptions.MinKeyCoverage, "share of the weight of the question's content words the best clause must cover to answer directly")
	rare := fs.Float64("rare-word", knowledge.DefaultRetrieveOptions.RareWord, "general-language IDF from which a word the corpus lacks is a matter it does not cover")
	synthetic := fs.Int("synthetic", 0, "instead: generate N chunks (from the sentences of --corpus when given) and measure ingest rate, retrieval latency and memory")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the run to this file (go tool pprof)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if *synthetic > 0 {
		return evalSynthetic(ctx, a, *synthetic, *corpus, *asJSON)
	}
	if *corpus == "" || *questions == "" {
		return usagef("eval needs --corpus DIR and --questions FILE")
	}
	f, err := os.Open(*questions)
	if err != nil {
		return err
	}
	qs, err := eval.ReadQuestions(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", *questions, err)
	}
	db, cleanup, err := a.scratchDB(ctx)
	if err != nil {
		return err
	}
	defer cleanup()

	kb := a.kbOn(db)
	start := time.Now()
	sum, results, err := a.addFiles(ctx, kb, []string{*corpus}, knowledge.AddOptions{}, *asJSON)
	if err != nil {
		return err
	}
	ingest := time.Since(start)
	for _, r := range results {
		if r.Outcome == knowledge.Failed {
			fmt.Fprintf(a.stderr, "✗ %s: %v\n", r.Path, r.Err)
		}
	}
	r := a.retrieverOn(db)
	r.Opts.MinCoverage, r.Opts.MinVector, r.Opts.MinKeyCoverage, r.Opts.RareWord = *minCov, *minVec, *minKey, *rare
	r.Opts.K1, r.Opts.B, r.Opts.TitleWeight, r.Opts.FocusBoost, r.Opts.AbsentWeight, r.Opts.StatedShare, r.Opts.LocalWeight = *k1, *b, *titleWeight, *focus, *absent, *stated, *local
	r.Opts.SubjectPrior = *subjectPrior
	r.Opts.ListPrior = *listPrior
	bar := newProgress(a.stderr, "questions", len(qs))
	res, err := eval.EvaluateRetrieval(ctx, r, qs, func(i int) {
		if !*asJSON {
			bar.set(i, "")
		}
	})
	if !*asJSON {
		bar.done()
	}
	if err != nil {
		return err
	}
	rep := eval.Summarize(res, sum.Chunks, ingest)
	ans, err := a.evaluateAnswers(ctx, db, r, qs, *k)
	if err != nil {
		return err
	}
	if *verbose {
		tw := tabwriter.NewWriter(a.stderr, 0, 4, 1, ' ', 0)
		for _, q := range res {
			mark := "✓"
			switch {
			case !q.Question.Answerable && !q.Refused, q.Question.Answerable && (q.Rank == 0 || q.Rank > 3):
				mark = "✗"
			}
			top := ""
			if len(q.Hits) > 0 {
				h := q.Hits[0]
				top = fmt.Sprintf("%s %s\tcov=%.2f vec=%.2f", h.Doc.FileName, h.Chunk.Article, h.Coverage, h.Vector)
			}
			var words []string
			for _, w := range q.Result.Question.Words {
				words = append(words, fmt.Sprintf("%s/%.1f", w.Text, w.IDF))
			}
			fmt.Fprintf(tw, "%s\t%s\trank=%d\tdoc=%d\trefused=%v\tkey=%.2f lacks=%v unstated=%v\t%s\t%s\t%s\n", mark, q.Question.ID, q.Rank, q.DocRank, q.Refused,
				q.Result.KeyCoverage, q.Result.Lacks, q.Result.Unstated, q.Question.Question, top, strings.Join(words, " "))
		}
		tw.Flush()
		for _, q := range res {
			matched := map[string]bool{}
			if len(q.Hits) > 0 {
				for _, m := range q.Hits[0].Matched {
					matched[m] = true
				}
			}
			var terms []string
			for _, t := range q.Terms {
				mark := "·"
				if matched[t] {
					mark = "✓"
				}
				terms = append(terms, fmt.Sprintf("%s%d%s", t, q.DF[t], mark))
			}
			fmt.Fprintf(a.stderr, "%s answerable=%v refused=%v terms: %s\n", q.Question.ID, q.Question.Answerable, q.Refused, strings.Join(terms, " "))
		}
		for _, q := range res {
			if !q.Question.Answerable || q.Rank == 1 {
				continue
			}
			fmt.Fprintf(a.stderr, "\n%s %s (gold %s %v)\n", q.Question.ID, q.Question.Question, q.Question.Doc, q.Question.Articles)
			for i, h := range q.Hits[:min(5, len(q.Hits))] {
				fmt.Fprintf(a.stderr, "   %d %s %s lex#%d cov=%.2f bm25=%.1f vec#%d %.2f | %s\n", i+1, h.Doc.FileName, h.Chunk.Article, h.LexRank, h.Coverage, h.BM25, h.VecRank, h.Vector, clip(strings.ReplaceAll(h.Chunk.Body, "\n", " "), 50))
			}
		}
		for _, line := range ans.Lines {
			fmt.Fprintln(a.stderr, line)
		}
	}
	if *asJSON {
		out := map[string]any{}
		b, _ := json.Marshal(rep)
		json.Unmarshal(b, &out)
		b, _ = json.Marshal(ans.Report)
		json.Unmarshal(b, &out)
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	a.printf("\nretrieval on %d questions (%d chunks from %d documents, %.0f chunks/s)\n", rep.Questions, sum.Chunks, sum.Added+sum.Replaced, rep.IngestChunksPerS)
	a.printf("  Recall@1 %.3f   Recall@3 %.3f   Recall@5 %.3f   doc Recall@5 %.3f   MRR@10 %.3f\n", rep.RecallAt1, rep.RecallAt3, rep.RecallAt5, rep.DocRecallAt5, rep.MRRAt10)
	a.printf("  refusal precision %.3f   recall %.3f\n", rep.RefusalPrecision, rep.RefusalRecall)
	a.printf("  latency p50 %.1f ms   p95 %.1f ms\n", rep.LatencyP50, rep.LatencyP95)
	a.printf("answers\n  answered with gold citation %.3f   declined unanswerable %.3f   number faithfulness %.3f\n  latency p50 %.1f ms   p95 %.1f ms\n",
		ans.Report.AnsweredWithGoldCitation, ans.Report.DeclinedUnanswerable, ans.Report.NumberFaithfulness, ans.Report.LatencyP50, ans.Report.LatencyP95)
	return nil
}

// scratchDB is a fresh, migrated database for an evaluation: a throwaway
// in-memory embedded server, or a new schema on the configured PostgreSQL,
// dropped afterwards.
func (a *app) scratchDB(ctx context.Context) (*postgres.DB, func(), error) {
	if a.cfg.DatabaseURL == "" {
		logPath := filepath.Join(os.TempDir(), fmt.Sprintf("incubot-eval-%d.log", os.Getpid()))
		srv, err := devdb.Start(ctx, devdb.Options{PackageDir: a.cfg.DevDBDir, DataDir: "memory://", LogPath: logPath})
		if err != nil {
			return nil, nil, err
		}
		db, err := postgres.Open(ctx, srv.URL, postgres.Options{Embedded: true}, a.log)
		if err != nil {
			srv.Stop()
			return nil, nil, err
		}
		if _, err := db.Migrate(ctx); err != nil {
			db.Close()
			srv.Stop()
			return nil, nil, err
		}
		return db, func() { db.Close(); srv.Stop(); os.Remove(logPath) }, nil
	}
	b := make([]byte, 4)
	rand.Read(b)
	schema := "eval_" + hex.EncodeToString(b)
	admin, err := a.rawDB(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return nil, nil, err
	}
	drop := func() { admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") }
	db, err := postgres.Open(ctx, a.cfg.DatabaseURL, postgres.Options{SearchPath: schema, MaxConns: int32(a.cfg.DBMaxConns)}, a.log)
	if err != nil {
		drop()
		return nil, nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		drop()
		return nil, nil, err
	}
	return db, func() { db.Close(); drop() }, nil
}
