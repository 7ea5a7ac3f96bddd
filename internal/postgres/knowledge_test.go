package postgres_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/internal/testdb"
	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/zh"
)

// The rarest terms select the candidates, until their chunks would pass the
// bound; a question of common words only still searches its rarest one.
func TestCandidateTerms(t *testing.T) {
	df := map[string]int{"孵化": 40, "企业": 9000, "认定": 1500, "众创": 30, "空间": 600}
	for _, c := range []struct {
		filter []string
		bound  int
		want   []string
	}{
		{[]string{"企业", "孵化", "认定", "众创", "空间"}, 2000, []string{"众创", "孵化", "空间"}},
		{[]string{"企业", "孵化", "认定", "众创", "空间"}, 100000, []string{"众创", "孵化", "空间", "认定", "企业"}},
		{[]string{"企业", "认定"}, 1000, []string{"认定"}},
		{[]string{"无此", "企业"}, 1000, []string{"企业"}},
		{[]string{"无此"}, 1000, nil},
	} {
		if got := postgres.CandidateTerms(c.filter, df, c.bound); !slices.Equal(got, c.want) {
			t.Errorf("CandidateTerms(%v, %d) = %v, want %v", c.filter, c.bound, got, c.want)
		}
	}
}

// The programmes a document mentions are read at ingest and answered from
// the stored facts; a document stored before they were kept (mentions and
// places NULL) is still found, and migrate fills its facts in.
func TestProgrammeMentionsAreStoredFacts(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	by := corpus.Editor{Name: "测试", Role: "officer", Channel: "test"}
	save := func(title string, bodies ...string) int64 {
		doc := &corpus.Document{Title: title, Hash: title, Status: corpus.StatusActive}
		var chunks []corpus.IndexedChunk
		for i, b := range bodies {
			c := corpus.Chunk{Ordinal: i + 1, Article: fmt.Sprintf("第%d条", i+1), Body: b}
			chunks = append(chunks, corpus.IndexedChunk{Chunk: c, Tokens: zh.Tokenize(corpus.LexicalText(&c))})
		}
		if err := db.SaveDocument(ctx, doc, corpus.DocumentPlaces(doc.Title, doc.DocNumber), chunks, nil, 0, by); err != nil {
			t.Fatal(err)
		}
		return doc.ID
	}
	incub := save("南宁市科技企业孵化器认定管理办法", "在孵企业不少于30家。", "孵化场地面积不低于3000平方米。")
	hightech := save("高新技术企业认定奖励办法", "对首次认定的高企给予20万元奖励。")
	none := save("科技成果转化补助办法", "按技术合同成交额的10%给予补助。")
	old := save("众创空间备案办法", "众创空间应当提供开放式办公场所。")
	// As a document stored before migration 0010 looks.
	if err := db.Exec(ctx, fmt.Sprintf("UPDATE documents SET mentions = NULL, places = NULL WHERE id = %d", old)); err != nil {
		t.Fatal(err)
	}
	day := time.Now()
	all := []int64{incub, hightech, none, old}
	for _, c := range []struct {
		spellings []string
		want      []int64
	}{
		{[]string{"科技企业孵化器", "孵化器"}, []int64{incub}},
		{[]string{"高新技术企业", "高企", "高新企业"}, []int64{hightech}},
		{[]string{"众创空间"}, []int64{old}},
		{[]string{"星创天地"}, nil},
	} {
		got, err := db.Mentioning(ctx, c.spellings, all, day)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, id := range all {
			if got[id] {
				ids = append(ids, id)
			}
		}
		if !slices.Equal(ids, c.want) {
			t.Errorf("Mentioning(%v) = %v, want %v", c.spellings, ids, c.want)
		}
		some, err := db.Mentioned(ctx, c.spellings, day)
		if err != nil || some != (len(c.want) > 0) {
			t.Errorf("Mentioned(%v) = %v %v, want %v", c.spellings, some, err, len(c.want) > 0)
		}
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	hits, err := db.HitsByID(ctx, []int64{firstChunk(t, db, old), firstChunk(t, db, incub)})
	if err != nil {
		t.Fatal(err)
	}
	if hits[0].DocPlaces == nil || len(hits[0].DocPlaces) != 0 || !slices.Equal(hits[1].DocPlaces, []string{"南宁"}) {
		t.Errorf("places after migrate: %q and %q, want [] (national) and [南宁]", hits[0].DocPlaces, hits[1].DocPlaces)
	}
	if err := db.Exec(ctx, fmt.Sprintf("DO $$ BEGIN IF (SELECT mentions FROM documents WHERE id = %d) IS DISTINCT FROM ARRAY['众创空间'] THEN RAISE 'mentions not filled'; END IF; END $$", old)); err != nil {
		t.Errorf("migrate fills the mentions of an older document: %v", err)
	}
}

func firstChunk(t *testing.T, db *postgres.DB, doc int64) int64 {
	t.Helper()
	cs, err := db.DocumentChunks(context.Background(), doc)
	if err != nil || len(cs) == 0 {
		t.Fatalf("chunks of %d: %v", doc, err)
	}
	return cs[0].ID
}

// A bulk load writes documents without the term statistics and the vector
// index and builds both once at its end: afterwards they are what
// document-by-document ingest would have made.
func TestBulkLoadBuildsStatisticsAndIndexOnce(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	by := corpus.Editor{Name: "测试", Role: "officer", Channel: "test"}
	if err := db.BeginBulkLoad(ctx); err != nil {
		t.Fatal(err)
	}
	m, err := db.EnsureModel(ctx, "bulk-test", 3)
	if err != nil {
		t.Fatal(err)
	}
	for i, body := range []string{"孵化器认定条件。", "众创空间备案材料。", "孵化器场地面积。"} {
		doc := &corpus.Document{Title: fmt.Sprintf("办法%d", i), Hash: fmt.Sprint(i), Status: corpus.StatusActive}
		c := corpus.Chunk{Ordinal: 1, Article: "第一条", Body: body}
		chunks := []corpus.IndexedChunk{{Chunk: c, Tokens: zh.Tokenize(body)}}
		vecs := []corpus.ModelVectors{{Model: m, Vectors: [][]float32{{1, float32(i), 0}}}}
		if err := db.SaveDocument(ctx, doc, nil, chunks, vecs, 0, by); err != nil {
			t.Fatal(err)
		}
	}
	if df, st, err := db.TermStats(ctx, []string{"孵化"}); err != nil || st.Chunks != 0 || df["孵化"] != 0 {
		t.Fatalf("during the load the statistics wait: %v %+v %v", df, st, err)
	}
	if err := db.EndBulkLoad(ctx); err != nil {
		t.Fatal(err)
	}
	df, st, err := db.TermStats(ctx, []string{"孵化", "众创"})
	if err != nil || st.Chunks != 3 || df["孵化"] != 2 || df["众创"] != 1 {
		t.Fatalf("after the load: df %v, %+v, %v; want 孵化 2, 众创 1 of 3 chunks", df, st, err)
	}
	if err := db.Exec(ctx, fmt.Sprintf("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'embeddings_hnsw_%d') THEN RAISE 'no index'; END IF; END $$", m.ID)); err != nil {
		t.Fatalf("the model's HNSW index is built at the end: %v", err)
	}
}

// BM25 counts a term as the stored index holds it: at most 255 positions,
// and positions past 16383 merged into one, although the scores are now
// counted from the chunk's text.
func TestLexicalCountsAsTheIndexHoldsThem(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	by := corpus.Editor{Name: "测试", Role: "officer", Channel: "test"}
	long := corpus.Chunk{Ordinal: 1, Article: "第一条", Body: "甲乙。" + strings.Repeat("天地", 8300) + "。甲乙。甲乙。甲乙。"}
	many := corpus.Chunk{Ordinal: 2, Article: "第二条", Body: strings.Repeat("丙丁。", 300)}
	doc := &corpus.Document{Title: "计数办法", Hash: "count", Status: corpus.StatusActive}
	var chunks []corpus.IndexedChunk
	for _, c := range []corpus.Chunk{long, many} {
		chunks = append(chunks, corpus.IndexedChunk{Chunk: c, Tokens: slices.Collect(corpus.ChunkTokens(&c))})
	}
	if err := db.SaveDocument(ctx, doc, nil, chunks, nil, 0, by); err != nil {
		t.Fatal(err)
	}
	// What PostgreSQL stored: 甲乙 at position 3 and three times past 16383
	// (one position), 丙丁 at its first 255 positions.
	for _, c := range []struct {
		ordinal int
		term    string
		n       int
	}{{1, "甲乙", 2}, {2, "丙丁", 255}} {
		if err := db.Exec(ctx, fmt.Sprintf(`DO $$ BEGIN IF (SELECT array_length(u.positions, 1) FROM chunks c, unnest(c.tokens) u
			WHERE c.document_id = %d AND c.ordinal = %d AND u.lexeme = '%s') <> %d THEN RAISE 'stored count differs'; END IF; END $$`, doc.ID, c.ordinal, c.term, c.n)); err != nil {
			t.Fatalf("%s in chunk %d: %v", c.term, c.ordinal, err)
		}
	}
	q := corpus.LexicalQuery{Terms: []string{"甲乙", "丙丁"}, IDF: []float64{1, 1}, Filter: []string{"甲乙", "丙丁"}, Day: time.Now(),
		AvgLen: 100, Limit: 10, TitleWeight: 1, K1: 0.8, B: 0.3}
	hits, err := db.LexicalSearch(ctx, q)
	if err != nil || len(hits) != 2 {
		t.Fatalf("LexicalSearch: %d hits, %v", len(hits), err)
	}
	bm25 := func(tf float64, c corpus.Chunk) float64 {
		length := float64(len(slices.Collect(corpus.ChunkTokens(&c))))
		return tf * (q.K1 + 1) / (tf + q.K1*(1-q.B+q.B*length/q.AvgLen))
	}
	want := map[int]float64{1: bm25(2, long), 2: bm25(255, many)}
	for _, h := range hits {
		if math.Abs(h.BM25-want[h.Chunk.Ordinal]) > 1e-9 {
			t.Errorf("chunk %d: BM25 %.6f, want %.6f", h.Chunk.Ordinal, h.BM25, want[h.Chunk.Ordinal])
		}
	}
}
