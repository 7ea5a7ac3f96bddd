package knowledge

import (
	"slices"
	"testing"

	"github.com/incubot/incubot/knowledge/corpus"
)

func lexHit(id int64, rank int, bm25 float64) corpus.Hit {
	return corpus.Hit{Chunk: corpus.Chunk{ID: id}, LexRank: rank, BM25: bm25}
}

func vecHit(id int64, rank int, sim float64) corpus.Hit {
	return corpus.Hit{Chunk: corpus.Chunk{ID: id}, VecRank: rank, Vector: sim}
}

func order(hits []corpus.Hit) []int64 {
	var ids []int64
	for _, h := range hits {
		ids = append(ids, h.Chunk.ID)
	}
	return ids
}

// The clause that matches the question's words clearly best stays first
// when the vector list only just admits weaker clauses (dev2-100: 第二条
// lexically first by 17%, pushed to fourth by three chunks at similarity
// 0.35–0.37 under reciprocal-rank fusion); a clear vector match still
// decides between clauses that match the words about as well, and a chunk
// that shares no word with the question still ranks.
func TestFusionWeighsHowSureEachListIs(t *testing.T) {
	min := DefaultRetrieveOptions.MinVector
	lex := []corpus.Hit{lexHit(1, 1, 31.8), lexHit(2, 2, 31.5), lexHit(3, 3, 26.9), lexHit(4, 4, 26.4), lexHit(5, 5, 26.4), lexHit(6, 6, 26.4)}
	vec := []corpus.Hit{vecHit(4, 1, min+0.02), vecHit(6, 2, min+0.02), vecHit(5, 3, min)}
	if got := order(fuse(lex, vec, min, 10)); got[0] != 1 {
		t.Errorf("barely admitted vector hits overturned the clear lexical winner: %v", got)
	}

	// A near tie of the words (28.3 vs 28.1): the clause the vectors find
	// clearly similar leads (dev-013, the 通知 that carries the 文号); a
	// chunk only the vectors find, very similar, ranks above clauses that
	// match the words much less.
	lex = []corpus.Hit{lexHit(1, 1, 28.3), lexHit(2, 2, 28.1), lexHit(3, 3, 20.8)}
	vec = []corpus.Hit{vecHit(2, 1, min+0.07), vecHit(1, 2, min+0.02), vecHit(9, 3, 0.9)}
	got := order(fuse(lex, vec, min, 10))
	if want := []int64{2, 1, 9, 3}; !slices.Equal(got, want) {
		t.Errorf("want the near tie broken by the vectors, then the strong vector-only match above the weaker words: %v, want %v", got, want)
	}
}

// The vector score counts from the vector threshold up, and the threshold
// sits low enough that a moderately similar clause (0.3 for the local
// embedder's hashed n-grams, whose related texts rarely pass 0.45) breaks a
// near tie of the words: with the old threshold of 0.35 it was not a
// candidate and the tie went to whichever clause repeats the shared words
// more (dev-039: 报送时间 before the 申报程序 that lists the extra
// materials).
func TestModeratelySimilarClauseBreaksANearTie(t *testing.T) {
	r := &Retriever{Opts: DefaultRetrieveOptions}
	lex := []corpus.Hit{lexHit(1, 1, 38.3), lexHit(2, 2, 37.0), lexHit(3, 3, 31.9)}
	vec := r.keepVector([]corpus.Hit{vecHit(2, 1, 0.30), vecHit(3, 2, 0.25), vecHit(1, 3, 0.21)})
	if got := order(fuse(lex, vec, r.Opts.MinVector, 10)); got[0] != 2 {
		t.Errorf("the clause the vectors find clearly more similar must break the near tie: %v", got)
	}
	// A clear lexical winner stays first all the same.
	lex = []corpus.Hit{lexHit(1, 1, 38.3), lexHit(2, 2, 25.0), lexHit(3, 3, 20.0)}
	if got := order(fuse(lex, vec, r.Opts.MinVector, 10)); got[0] != 1 {
		t.Errorf("a moderately similar clause must not overturn a clear lexical winner: %v", got)
	}
}
