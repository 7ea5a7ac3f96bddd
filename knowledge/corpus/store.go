// Package corpus holds the records of the policy corpus that storage and
// retrieval share (documents, chunks, hits, answers, FAQs) and the Store
// interface. It imports only leaf packages, so storage does not pull in
// file readers or model clients.
package corpus

import (
	"context"
	"time"
)

// Store is what the knowledge base needs from the database. The postgres
// package implements it; every method that writes does so in one
// transaction.
type Store interface {
	// ActiveByHash finds the active document with this content, or ErrNotFound.
	ActiveByHash(ctx context.Context, hash string) (*Document, error)
	// ActiveByTitle finds the active document with this title, or ErrNotFound.
	ActiveByTitle(ctx context.Context, title string) (*Document, error)
	// ActiveByNumber finds the active document with this 文号, or
	// ErrNotFound.
	ActiveByNumber(ctx context.Context, number string) (*Document, error)
	// UpdateDocumentMeta stores corrected metadata of an active document
	// (title, 文号, issuer, source, dates), its chunks untouched.
	UpdateDocumentMeta(ctx context.Context, d *Document, by Editor) error
	// FindDocument resolves an officer's reference: an id, a 文号 or a
	// title (or a unique part of one), among active documents first.
	FindDocument(ctx context.Context, ref string) (*Document, error)
	// SaveDocument stores a document, its chunks and their vectors, and
	// supersedes the document replaces (0: none), all in one transaction.
	// by names who made the change, for the audit log.
	// places are the places the document is of (none: national).
	SaveDocument(ctx context.Context, doc *Document, places []string, chunks []IndexedChunk, vectors []ModelVectors, replaces int64, by Editor) error
	// RetireDocument ends an active document.
	RetireDocument(ctx context.Context, id int64, by Editor) error
	// Documents lists documents, newest first; all includes ended ones.
	Documents(ctx context.Context, all bool) ([]Document, error)
	// DocumentChunks returns a document's chunks in order.
	DocumentChunks(ctx context.Context, id int64) ([]Chunk, error)
	// Instructions returns the ids of a document's chunks flagged at
	// ingest as reading like instructions to an assistant.
	Instructions(ctx context.Context, docID int64) ([]int64, error)
	// ExpiryDates lists the latest distinct expiry dates, at most n, of
	// active documents that expired before day, newest first.
	ExpiryDates(ctx context.Context, day time.Time, n int) ([]time.Time, error)
	// CoveredPlaces lists the places documents in force on the day are of.
	CoveredPlaces(ctx context.Context, day time.Time) ([]string, error)

	// EnsureModel registers an embedding model (and its index) once.
	EnsureModel(ctx context.Context, name string, dims int) (Model, error)
	// Model returns a registered model by name, or ErrNotFound.
	Model(ctx context.Context, name string) (Model, error)
	// MissingEmbeddings lists up to limit chunks of active documents that
	// have no vector of the model.
	MissingEmbeddings(ctx context.Context, modelID int, limit int) ([]TitledChunk, error)
	// SaveEmbeddings stores vectors for chunks.
	SaveEmbeddings(ctx context.Context, modelID int, chunkIDs []int64, vectors [][]float32) error
	// SetModelReady records whether every active chunk has a vector.
	SetModelReady(ctx context.Context, modelID int, ready bool) error

	// TermStats returns the document frequency of terms and the corpus size.
	TermStats(ctx context.Context, terms []string) (map[string]int, CorpusStats, error)
	// LexicalSearch ranks chunks of documents valid on the day by BM25.
	LexicalSearch(ctx context.Context, q LexicalQuery) ([]Hit, error)
	// VectorSearch ranks chunks of documents valid on the day by cosine
	// similarity with the model's vectors.
	VectorSearch(ctx context.Context, q VectorQuery) ([]Hit, error)
	// Mentioning returns those of docs whose title or text holds any of the
	// spellings.
	Mentioning(ctx context.Context, spellings []string, docs []int64, day time.Time) (map[int64]bool, error)
	// Mentioned reports whether any document valid on the day holds any of
	// the spellings in its title or text.
	Mentioned(ctx context.Context, spellings []string, day time.Time) (bool, error)
	// HitsByID loads chunks with their documents.
	HitsByID(ctx context.Context, ids []int64) ([]Hit, error)
}

// Editor is who changes the corpus: a name, a role and the channel used.
type Editor struct {
	Name, Role, Channel string
}

// IndexedChunk is a chunk with its lexical tokens, and whether it reads
// as an instruction to an assistant (never quoted as an answer).
type IndexedChunk struct {
	Chunk
	Tokens      []string
	Instruction bool
}

// ModelVectors are one model's vectors for a document's chunks, in order.
type ModelVectors struct {
	Model   Model
	Vectors [][]float32
}

// Model is a registered embedding model.
type Model struct {
	ID    int
	Name  string
	Dims  int
	Ready bool
}

// TitledChunk is a chunk with its document's title, what IndexText needs.
type TitledChunk struct {
	Title string
	Chunk
}

// CorpusStats are totals over the chunks of active documents.
type CorpusStats struct {
	Chunks    int64
	AvgTokens float64
}

// LexicalQuery asks for BM25 over weighted terms. Filter terms select the
// candidates (the rarer ones, so that very common words do not make every
// chunk a candidate); all terms score.
type LexicalQuery struct {
	Terms  []string
	IDF    []float64
	Filter []string
	Day    time.Time
	AvgLen float64
	Limit  int
	// TitleWeight scales a term matched in the document title; TitleEcho
	// scales the same term matched again in the chunk's own text.
	TitleWeight float64
	TitleEcho   float64
	// K1 and B are BM25's term-frequency saturation and length normalisation.
	K1, B   float64
	Exclude []int64 // documents to leave out
}

// VectorQuery asks for the nearest chunks by one model's vectors.
type VectorQuery struct {
	Model  Model
	Vector []float32
	Day    time.Time
	Limit  int
}

// Hit is a retrieved chunk with its document and scores.
type Hit struct {
	Chunk Chunk
	Doc   Document
	// DocPlaces are the places the document is of, read at ingest (none:
	// it binds everywhere).
	DocPlaces []string
	// Instruction says the chunk reads as an instruction to an assistant.
	Instruction bool
	BM25        float64  // lexical score
	Coverage    float64  // share of the question's term weight the chunk matches
	Matched     []string // question terms found in the chunk
	Vector      float64  // cosine similarity
	LexRank     int      // 1-based rank in the lexical list, 0 if absent
	VecRank     int      // 1-based rank in the vector list, 0 if absent
	Score       float64  // fused score (knowledge: fuse)
}
