package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/zh"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/pgvector/pgvector-go"
)

var _ corpus.Store = (*DB)(nil)

const docColumns = `d.id, d.title, d.doc_number, d.issuer, d.effective_on, d.expires_on, d.source, d.file_name,
	d.content_hash, d.status, d.replaced_by, d.created_at`

func scanDoc(row pgx.Row, extra ...any) (*corpus.Document, error) {
	var d corpus.Document
	dest := append([]any{&d.ID, &d.Title, &d.DocNumber, &d.Issuer, &d.EffectiveOn, &d.ExpiresOn, &d.Source, &d.FileName,
		&d.Hash, &d.Status, &d.ReplacedBy, &d.CreatedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, corpus.ErrNotFound
		}
		return nil, err
	}
	return &d, nil
}

func (db *DB) oneDoc(ctx context.Context, where string, args ...any) (*corpus.Document, error) {
	d, err := scanDoc(db.pool.QueryRow(ctx, "SELECT "+docColumns+" FROM documents d WHERE "+where+" ORDER BY d.id DESC LIMIT 1", args...))
	if err != nil && !errors.Is(err, corpus.ErrNotFound) {
		return nil, fmt.Errorf("postgres: find document: %w", err)
	}
	return d, err
}

// ActiveByHash implements knowledge.Store.
func (db *DB) ActiveByHash(ctx context.Context, hash string) (*corpus.Document, error) {
	return db.oneDoc(ctx, "d.status = 'active' AND d.content_hash = $1::text", hash)
}

// ActiveByTitle implements knowledge.Store.
func (db *DB) ActiveByTitle(ctx context.Context, title string) (*corpus.Document, error) {
	return db.oneDoc(ctx, "d.status = 'active' AND d.title = $1::text", title)
}

// FindDocument implements knowledge.Store: an id, then an exact 文号 or
// title, then a unique part of a title; active documents first.
func (db *DB) FindDocument(ctx context.Context, ref string) (*corpus.Document, error) {
	ref = strings.TrimSpace(strings.Trim(strings.TrimSpace(ref), "《》"))
	if ref == "" {
		return nil, fmt.Errorf("%w: empty document reference", corpus.ErrInvalid)
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return db.oneDoc(ctx, "d.id = $1::bigint", id)
	}
	for _, status := range []string{"d.status = 'active'", "true"} {
		d, err := db.oneDoc(ctx, status+" AND (d.doc_number = $1::text OR d.title = $1::text)", ref)
		if err == nil || !errors.Is(err, corpus.ErrNotFound) {
			return d, err
		}
		rows, err := db.pool.Query(ctx, "SELECT "+docColumns+" FROM documents d WHERE "+status+
			" AND (strpos(d.title, $1::text) > 0 OR strpos(d.file_name, $1::text) > 0) ORDER BY d.id DESC LIMIT 5", ref)
		if err != nil {
			return nil, fmt.Errorf("postgres: find document: %w", err)
		}
		docs, err := collectDocs(rows)
		if err != nil {
			return nil, err
		}
		switch len(docs) {
		case 0:
			continue
		case 1:
			return &docs[0], nil
		default:
			var names []string
			for _, d := range docs {
				names = append(names, fmt.Sprintf("%d 《%s》", d.ID, d.Title))
			}
			return nil, fmt.Errorf("%w: %q matches several documents: %s; use the id", corpus.ErrInvalid, ref, strings.Join(names, ", "))
		}
	}
	return nil, fmt.Errorf("document %q: %w", ref, corpus.ErrNotFound)
}

func collectDocs(rows pgx.Rows) ([]corpus.Document, error) {
	defer rows.Close()
	var docs []corpus.Document
	for rows.Next() {
		d, err := scanDoc(rows)
		if err != nil {
			return nil, err
		}
		docs = append(docs, *d)
	}
	return docs, rows.Err()
}

// tsvectorOf groups tokens into a tsvector, so that PostgreSQL stores
// exactly the Go tokenizer's terms: each distinct term once, in order of
// first appearance, with the positions of its first 255 occurrences,
// counted from 1 and capped at 16383 (those past it merged into one), as
// PostgreSQL keeps them.
func tsvectorOf(tokens []string) pgtype.TSVector {
	ids := make(map[string]int, len(tokens))
	v := pgtype.TSVector{Valid: true}
	for i, t := range tokens {
		id, ok := ids[t]
		if !ok {
			id = len(v.Lexemes)
			ids[t] = id
			v.Lexemes = append(v.Lexemes, pgtype.TSVectorLexeme{Word: t})
		}
		l := &v.Lexemes[id]
		p := uint16(min(i+1, 16383))
		if len(l.Positions) < 255 && (len(l.Positions) == 0 || l.Positions[len(l.Positions)-1].Position < p) {
			l.Positions = append(l.Positions, pgtype.TSVectorPosition{Position: p, Weight: pgtype.TSVectorWeightD})
		}
	}
	return v
}

// tsvectorLiteral writes tokens' tsvector (tsvectorOf) as text, for the
// embedded server, where rows are inserted, not copied.
func tsvectorLiteral(tokens []string) string {
	b := make([]byte, 0, 16*len(tokens))
	for i, l := range tsvectorOf(tokens).Lexemes {
		if i > 0 {
			b = append(b, ' ')
		}
		b = appendLexeme(b, l.Word)
		b = append(b, ':')
		for j, p := range l.Positions {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(p.Position), 10)
		}
	}
	return string(b)
}

// appendLexeme appends t quoted as a tsvector or tsquery lexeme: in single
// quotes, with quotes and backslashes doubled.
func appendLexeme(b []byte, t string) []byte {
	b = append(b, '\'')
	for i := 0; i < len(t); i++ {
		if t[i] == '\'' || t[i] == '\\' {
			b = append(b, t[i])
		}
		b = append(b, t[i])
	}
	return append(b, '\'')
}

func quoteLexeme(t string) string { return string(appendLexeme(nil, t)) }

// tsqueryOr writes terms as an OR query.
func tsqueryOr(terms []string) string { return tsquery(terms, " | ") }

func tsqueryAnd(terms []string) string { return tsquery(terms, " & ") }

func tsquery(terms []string, op string) string {
	q := make([]string, len(terms))
	for i, t := range terms {
		q[i] = quoteLexeme(t)
	}
	return strings.Join(q, op)
}

func vectorLiteral(v []float32) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, x := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatFloat(float64(x), 'g', 7, 32))
	}
	b.WriteByte(']')
	return b.String()
}

// SaveDocument implements knowledge.Store.
func (db *DB) SaveDocument(ctx context.Context, doc *corpus.Document, places []string, chunks []corpus.IndexedChunk, vectors []corpus.ModelVectors, replaces int64, by corpus.Editor) error {
	if places == nil {
		places = []string{}
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if replaces != 0 {
			tag, err := tx.Exec(ctx, `UPDATE documents SET status = 'superseded', ended_at = now() WHERE id = $1::bigint AND status = 'active'`, replaces)
			if err != nil {
				return err
			}
			if tag.RowsAffected() != 1 {
				return fmt.Errorf("document %d is no longer active: %w", replaces, ErrConflict)
			}
			if !db.bulk.Load() {
				if err := lexiconRemove(ctx, tx, replaces); err != nil {
					return err
				}
			}
		}
		bodies := make([]string, len(chunks))
		for i, c := range chunks {
			bodies[i] = c.Body
		}
		err := tx.QueryRow(ctx, `INSERT INTO documents (title, doc_number, issuer, effective_on, expires_on, source, file_name, content_hash, title_tokens, places, mentions)
			VALUES ($1::text, $2::text, $3::text, $4::date, $5::date, $6::text, $7::text, $8::text, $9::text::tsvector, $10::text[], $11::text[]) RETURNING id, created_at`,
			doc.Title, doc.DocNumber, doc.Issuer, doc.EffectiveOn, doc.ExpiresOn, doc.Source, doc.FileName, doc.Hash,
			tsvectorLiteral(zh.Tokenize(doc.Title)), places, corpus.Mentions(doc.Title, bodies)).Scan(&doc.ID, &doc.CreatedAt)
		if err != nil {
			return err
		}
		if replaces != 0 {
			if _, err := tx.Exec(ctx, `UPDATE documents SET replaced_by = $1::bigint WHERE id = $2::bigint`, doc.ID, replaces); err != nil {
				return err
			}
		}
		write, writeVectors := insertChunks, saveEmbeddings
		if !db.embedded {
			write, writeVectors = copyChunks, copyEmbeddings
		}
		ids, err := write(ctx, tx, doc.ID, chunks)
		if err != nil {
			return err
		}
		for i := range chunks {
			chunks[i].ID = ids[i]
		}
		for _, mv := range vectors {
			if err := writeVectors(ctx, tx, mv.Model.ID, ids, mv.Vectors); err != nil {
				return err
			}
		}
		if !db.bulk.Load() {
			// Terms in order: documents saved side by side lock the rows
			// they share in one order, so they wait for each other, never
			// deadlock.
			if _, err := tx.Exec(ctx, fmt.Sprintf(`INSERT INTO lexicon (term, df)
				SELECT word, ndoc FROM ts_stat('SELECT c.tokens || d.title_tokens FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.document_id = %d') ORDER BY word
				ON CONFLICT (term) DO UPDATE SET df = lexicon.df + excluded.df`, doc.ID)); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE corpus_stats SET chunks = chunks + s.n, tokens = tokens + s.t
				FROM (SELECT count(*) AS n, coalesce(sum(token_count), 0) AS t FROM chunks WHERE document_id = $1::bigint) s`, doc.ID); err != nil {
				return err
			}
		}
		action, before := "add", any(nil)
		if replaces != 0 {
			action, before = "replace", map[string]any{"document": replaces, "status": corpus.StatusActive}
		}
		return audit(ctx, tx, Actor(by), action, "document", strconv.FormatInt(doc.ID, 10), before,
			map[string]any{"title": doc.Title, "doc_number": doc.DocNumber, "chunks": len(chunks), "hash": doc.Hash})
	})
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23505" {
			return fmt.Errorf("postgres: save document: the same content was added at the same time: %w", ErrConflict)
		}
		return fmt.Errorf("postgres: save document %q: %w", doc.Title, err)
	}
	doc.Status = corpus.StatusActive
	return nil
}

// insertChunks writes a document's chunks in one INSERT (the embedded
// server: no COPY through its socket) and returns their ids in order.
func insertChunks(ctx context.Context, tx pgx.Tx, docID int64, chunks []corpus.IndexedChunk) ([]int64, error) {
	n := len(chunks)
	ords, counts := make([]int32, n), make([]int32, n)
	heads, arts, bodies, toks := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	instr := make([]bool, n)
	for i, c := range chunks {
		ords[i], counts[i] = int32(c.Ordinal), int32(len(c.Tokens))
		heads[i], arts[i], bodies[i], toks[i] = c.Heading, c.Article, c.Body, tsvectorLiteral(c.Tokens)
		instr[i] = c.Instruction
	}
	rows, err := tx.Query(ctx, `INSERT INTO chunks (document_id, ordinal, heading, article, body, token_count, tokens, instruction)
		SELECT $1::bigint, o, h, a, b, n, t::tsvector, i
		FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::bool[]) AS u(o, h, a, b, n, t, i)
		RETURNING id, ordinal`, docID, ords, heads, arts, bodies, counts, toks, instr)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := make([]int64, n)
	for rows.Next() {
		var id int64
		var ord int32
		if err := rows.Scan(&id, &ord); err != nil {
			return nil, err
		}
		for i := range chunks {
			if chunks[i].Ordinal == int(ord) {
				ids[i] = id
			}
		}
	}
	return ids, rows.Err()
}

// copyChunks writes a document's chunks with COPY (binary: no text to
// parse), their ids taken from the sequence first.
func copyChunks(ctx context.Context, tx pgx.Tx, docID int64, chunks []corpus.IndexedChunk) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('chunks', 'id')) FROM generate_series(1, $1::int)`, len(chunks))
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"chunks"}, []string{"id", "document_id", "ordinal", "heading", "article", "body", "token_count", "tokens", "instruction"},
		pgx.CopyFromSlice(len(chunks), func(i int) ([]any, error) {
			c := &chunks[i]
			return []any{ids[i], docID, int32(c.Ordinal), c.Heading, c.Article, c.Body, int32(len(c.Tokens)), tsvectorOf(c.Tokens), c.Instruction}, nil
		}))
	return ids, err
}

// copyEmbeddings writes new chunks' vectors with COPY.
func copyEmbeddings(ctx context.Context, tx pgx.Tx, modelID int, ids []int64, vectors [][]float32) error {
	if len(ids) != len(vectors) {
		return fmt.Errorf("%d chunks but %d vectors", len(ids), len(vectors))
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"embeddings"}, []string{"chunk_id", "model_id", "embedding"},
		pgx.CopyFromSlice(len(ids), func(i int) ([]any, error) {
			return []any{ids[i], int32(modelID), pgvector.NewVector(vectors[i])}, nil
		}))
	return err
}

// lexiconRemove takes an ending document's chunks out of the statistics.
func lexiconRemove(ctx context.Context, tx pgx.Tx, docID int64) error {
	if _, err := tx.Exec(ctx, fmt.Sprintf(`UPDATE lexicon l SET df = greatest(0, l.df - s.ndoc)
		FROM ts_stat('SELECT c.tokens || d.title_tokens FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.document_id = %d') s
		WHERE l.term = s.word`, docID)); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE corpus_stats SET chunks = greatest(0, chunks - s.n), tokens = greatest(0, tokens - s.t)
		FROM (SELECT count(*) AS n, coalesce(sum(token_count), 0) AS t FROM chunks WHERE document_id = $1::bigint) s`, docID)
	return err
}

func saveEmbeddings(ctx context.Context, tx pgx.Tx, modelID int, ids []int64, vectors [][]float32) error {
	if len(ids) != len(vectors) {
		return fmt.Errorf("%d chunks but %d vectors", len(ids), len(vectors))
	}
	const batch = 500
	for start := 0; start < len(ids); start += batch {
		end := min(len(ids), start+batch)
		lits := make([]string, 0, end-start)
		for _, v := range vectors[start:end] {
			lits = append(lits, vectorLiteral(v))
		}
		_, err := tx.Exec(ctx, `INSERT INTO embeddings (chunk_id, model_id, embedding)
			SELECT c, $2::int, v::vector FROM unnest($1::bigint[], $3::text[]) AS u(c, v)
			ON CONFLICT (model_id, chunk_id) DO UPDATE SET embedding = excluded.embedding`, ids[start:end], modelID, lits)
		if err != nil {
			return err
		}
	}
	return nil
}

// RetireDocument implements knowledge.Store.
func (db *DB) RetireDocument(ctx context.Context, id int64, by corpus.Editor) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE documents SET status = 'retired', ended_at = now() WHERE id = $1::bigint AND status = 'active'`, id)
		if err != nil {
			return fmt.Errorf("postgres: retire document %d: %w", id, err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("postgres: retire document %d: %w", id, corpus.ErrNotFound)
		}
		if err := lexiconRemove(ctx, tx, id); err != nil {
			return err
		}
		return audit(ctx, tx, Actor(by), "retire", "document", strconv.FormatInt(id, 10),
			map[string]string{"status": corpus.StatusActive}, map[string]string{"status": corpus.StatusRetired})
	})
}

// Documents implements knowledge.Store.
func (db *DB) Documents(ctx context.Context, all bool) ([]corpus.Document, error) {
	where := "d.status = 'active'"
	if all {
		where = "true"
	}
	rows, err := db.pool.Query(ctx, "SELECT "+docColumns+", (SELECT count(*) FROM chunks c WHERE c.document_id = d.id) FROM documents d WHERE "+where+" ORDER BY d.id")
	if err != nil {
		return nil, fmt.Errorf("postgres: list documents: %w", err)
	}
	defer rows.Close()
	var docs []corpus.Document
	for rows.Next() {
		var n int
		d, err := scanDoc(rows, &n)
		if err != nil {
			return nil, err
		}
		d.Chunks = n
		docs = append(docs, *d)
	}
	return docs, rows.Err()
}

// DocumentChunks implements knowledge.Store.
func (db *DB) DocumentChunks(ctx context.Context, id int64) ([]corpus.Chunk, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, document_id, ordinal, heading, article, body FROM chunks WHERE document_id = $1::bigint ORDER BY ordinal`, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: chunks of %d: %w", id, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (corpus.Chunk, error) {
		var c corpus.Chunk
		err := r.Scan(&c.ID, &c.DocumentID, &c.Ordinal, &c.Heading, &c.Article, &c.Body)
		return c, err
	})
}

// Instructions implements knowledge.Store.
func (db *DB) Instructions(ctx context.Context, docID int64) ([]int64, error) {
	rows, err := db.pool.Query(ctx, `SELECT id FROM chunks WHERE document_id = $1::bigint AND instruction ORDER BY ordinal`, docID)
	if err != nil {
		return nil, fmt.Errorf("postgres: flagged chunks of %d: %w", docID, err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// CoveredPlaces implements knowledge.Store.
func (db *DB) CoveredPlaces(ctx context.Context, day time.Time) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT DISTINCT p FROM documents d, unnest(d.places) AS p WHERE `+strings.ReplaceAll(validOn, "$DAY", "$1")+` ORDER BY p`, day)
	if err != nil {
		return nil, fmt.Errorf("postgres: covered places: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// EnsureModel implements knowledge.Store: the model's row and its partial
// HNSW index, created once.
func (db *DB) EnsureModel(ctx context.Context, name string, dims int) (corpus.Model, error) {
	if dims < 1 || dims > 2000 {
		return corpus.Model{}, fmt.Errorf("postgres: model %s has %d dimensions; HNSW indexes take 1 to 2000", name, dims)
	}
	m, err := db.Model(ctx, name)
	if err == nil {
		if m.Dims != dims {
			return m, fmt.Errorf("postgres: model %s was registered with %d dimensions, now it returns %d: give the new model its own name", name, m.Dims, dims)
		}
		return m, nil
	}
	if !errors.Is(err, corpus.ErrNotFound) {
		return m, err
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO embedding_models (name, dims) VALUES ($1::text, $2::int)
			ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id, dims`, name, dims).Scan(&m.ID, &m.Dims); err != nil {
			return err
		}
		if db.bulk.Load() {
			return nil
		}
		_, err := tx.Exec(ctx, vectorIndexSQL(m))
		return err
	})
	if err != nil {
		return m, fmt.Errorf("postgres: register model %s: %w", name, err)
	}
	m.Name = name
	return m, nil
}

// vectorIndexSQL creates a model's partial HNSW index. Literal id and
// dimension: a bind parameter would lose the partial index.
func vectorIndexSQL(m corpus.Model) string {
	return fmt.Sprintf(`CREATE INDEX IF NOT EXISTS embeddings_hnsw_%d ON embeddings
			USING hnsw ((embedding::vector(%d)) vector_cosine_ops) WHERE model_id = %d`, m.ID, m.Dims, m.ID)
}

// BeginBulkLoad starts a bulk load (many documents, no one searching yet):
// the models' HNSW indexes are dropped and EnsureModel creates none, so
// vectors are written without maintaining the graph (on native PostgreSQL
// that upkeep was 83% of ingest time); and the term statistics (lexicon,
// corpus_stats) are not kept per document, where documents saved side by
// side wait on each other's shared terms. EndBulkLoad builds both once.
// Until then vector search scans exactly and BM25 reads stale statistics.
func (db *DB) BeginBulkLoad(ctx context.Context) error {
	db.bulk.Store(true)
	models, err := db.models(ctx)
	if err != nil {
		return err
	}
	for _, m := range models {
		if _, err := db.pool.Exec(ctx, fmt.Sprintf(`DROP INDEX IF EXISTS embeddings_hnsw_%d`, m.ID)); err != nil {
			return fmt.Errorf("postgres: defer vector index of %s: %w", m.Name, err)
		}
	}
	return nil
}

// EndBulkLoad ends a bulk load: the term statistics are counted afresh over
// the active documents, the tables analyzed, and every model's HNSW index
// is built (when missing) with more maintenance memory; new models get
// theirs at once again.
func (db *DB) EndBulkLoad(ctx context.Context) error {
	db.bulk.Store(false)
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM lexicon;
			INSERT INTO lexicon (term, df)
				SELECT word, ndoc FROM ts_stat('SELECT c.tokens || d.title_tokens FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.status = ''active''');
			UPDATE corpus_stats SET chunks = s.n, tokens = s.t
				FROM (SELECT count(*) AS n, coalesce(sum(token_count), 0) AS t FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.status = 'active') s`,
			pgx.QueryExecModeSimpleProtocol)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: count term statistics: %w", err)
	}
	// The planner's statistics too, before anyone searches: autovacuum
	// would get to the new rows only later, and until then plans assume
	// the tables as they were.
	if _, err := db.pool.Exec(ctx, `ANALYZE documents, chunks, embeddings, lexicon`, pgx.QueryExecModeSimpleProtocol); err != nil {
		return fmt.Errorf("postgres: analyze after the bulk load: %w", err)
	}
	models, err := db.models(ctx)
	if err != nil {
		return err
	}
	for _, m := range models {
		err := db.inTx(ctx, func(tx pgx.Tx) error {
			var n, setting int64
			if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM embeddings WHERE model_id = $1),
				(SELECT setting::bigint * 1024 FROM pg_settings WHERE name = 'maintenance_work_mem')`, m.ID).Scan(&n, &setting); err != nil {
				return err
			}
			limit := int64(maxIndexMemory)
			if db.embedded {
				limit = maxEmbeddedIndexMemory
			}
			mem := indexBuildMemory(n, m.Dims, setting, limit)
			if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL maintenance_work_mem = '%dkB'", mem/1024), pgx.QueryExecModeSimpleProtocol); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, vectorIndexSQL(m))
			return err
		})
		if err != nil {
			return fmt.Errorf("postgres: build vector index of %s: %w", m.Name, err)
		}
	}
	return nil
}

// The most maintenance memory a bulk load's index build asks for, on a
// real server and on the embedded one (PGlite's whole heap is 4 GB). A
// server set higher (maintenance_work_mem, say by ALTER ROLE) keeps its
// own setting.
const (
	maxIndexMemory         = 2 << 30
	maxEmbeddedIndexMemory = 512 << 20
)

// indexBuildMemory is the maintenance memory, in bytes, for building an
// HNSW index over n vectors of dims dimensions: the graph pgvector builds
// in memory (each vector with its neighbour lists, about dims×4 + 1 kB)
// with a fifth to spare, at most limit, and never less than the server's
// own setting. A graph that outgrows maintenance_work_mem is finished on
// disk, many times slower: 300,000 vectors in 256 MB took over ten minutes.
func indexBuildMemory(n int64, dims int, setting, limit int64) int64 {
	need := n*(int64(dims)*4+1024)*6/5 + 64<<20
	return max(min(need, limit), setting)
}

func (db *DB) models(ctx context.Context) ([]corpus.Model, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, name, dims, ready_at IS NOT NULL FROM embedding_models ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: models: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (corpus.Model, error) {
		var m corpus.Model
		err := r.Scan(&m.ID, &m.Name, &m.Dims, &m.Ready)
		return m, err
	})
}

// Model implements knowledge.Store.
func (db *DB) Model(ctx context.Context, name string) (corpus.Model, error) {
	var m corpus.Model
	err := db.pool.QueryRow(ctx, `SELECT id, name, dims, ready_at IS NOT NULL FROM embedding_models WHERE name = $1::text`, name).Scan(&m.ID, &m.Name, &m.Dims, &m.Ready)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, corpus.ErrNotFound
	}
	if err != nil {
		return m, fmt.Errorf("postgres: model %s: %w", name, err)
	}
	return m, nil
}

// MissingEmbeddings implements knowledge.Store.
func (db *DB) MissingEmbeddings(ctx context.Context, modelID int, limit int) ([]corpus.TitledChunk, error) {
	rows, err := db.pool.Query(ctx, `SELECT d.title, c.id, c.document_id, c.ordinal, c.heading, c.article, c.body
		FROM chunks c JOIN documents d ON d.id = c.document_id
		WHERE d.status = 'active' AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.model_id = $1::int AND e.chunk_id = c.id)
		ORDER BY c.id LIMIT $2::int`, modelID, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: missing embeddings: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (corpus.TitledChunk, error) {
		var c corpus.TitledChunk
		err := r.Scan(&c.Title, &c.ID, &c.DocumentID, &c.Ordinal, &c.Heading, &c.Article, &c.Body)
		return c, err
	})
}

// SaveEmbeddings implements knowledge.Store.
func (db *DB) SaveEmbeddings(ctx context.Context, modelID int, ids []int64, vectors [][]float32) error {
	return db.inTx(ctx, func(tx pgx.Tx) error { return saveEmbeddings(ctx, tx, modelID, ids, vectors) })
}

// SetModelReady implements knowledge.Store.
func (db *DB) SetModelReady(ctx context.Context, modelID int, ready bool) error {
	_, err := db.pool.Exec(ctx, `UPDATE embedding_models SET ready_at = CASE WHEN $2::boolean THEN coalesce(ready_at, now()) END WHERE id = $1::int`, modelID, ready)
	return err
}

// TermStats implements knowledge.Store.
func (db *DB) TermStats(ctx context.Context, terms []string) (map[string]int, corpus.CorpusStats, error) {
	var st corpus.CorpusStats
	var tokens int64
	if err := db.pool.QueryRow(ctx, `SELECT chunks, tokens FROM corpus_stats`).Scan(&st.Chunks, &tokens); err != nil {
		return nil, st, fmt.Errorf("postgres: corpus stats: %w", err)
	}
	if st.Chunks > 0 {
		st.AvgTokens = float64(tokens) / float64(st.Chunks)
	}
	rows, err := db.pool.Query(ctx, `SELECT term, df FROM lexicon WHERE term = ANY($1::text[]) AND df > 0`, terms)
	if err != nil {
		return nil, st, fmt.Errorf("postgres: term stats: %w", err)
	}
	df := map[string]int{}
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			rows.Close()
			return nil, st, err
		}
		df[t] = n
	}
	rows.Close()
	return df, st, rows.Err()
}

const hitColumns = `c.id, c.document_id, c.ordinal, c.heading, c.article, c.body, ` + docColumns + `, d.places, c.instruction`

const validOn = `d.status = 'active' AND (d.effective_on IS NULL OR d.effective_on <= $DAY::date)
	AND (d.expires_on IS NULL OR d.expires_on >= $DAY::date)`

func scanHit(r pgx.CollectableRow, extra ...any) (corpus.Hit, error) {
	var h corpus.Hit
	c, d := &h.Chunk, &h.Doc
	dest := append([]any{&c.ID, &c.DocumentID, &c.Ordinal, &c.Heading, &c.Article, &c.Body,
		&d.ID, &d.Title, &d.DocNumber, &d.Issuer, &d.EffectiveOn, &d.ExpiresOn, &d.Source, &d.FileName,
		&d.Hash, &d.Status, &d.ReplacedBy, &d.CreatedAt, &h.DocPlaces, &h.Instruction}, extra...)
	err := r.Scan(dest...)
	return h, err
}

// LexicalSearch implements knowledge.Store. A chunk scores for the question
// terms in its document's title (once each, weighted by TitleWeight) and by
// BM25 (k1 0.8, b 0.3) for the terms in its own text; terms the title
// already matched count there at TitleEcho of their weight, so the article
// that answers the rest of the question rises within its document.
//
// Its cost follows the answer, not the corpus: the candidates are the
// chunks holding the rarest filter terms (body or title, both found by GIN
// index), taken rarest first until their document frequencies reach
// lexicalCandidates, and only those are scored.
func (db *DB) LexicalSearch(ctx context.Context, q corpus.LexicalQuery) ([]corpus.Hit, error) {
	if len(q.Filter) == 0 || q.AvgLen <= 0 {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT term, df FROM lexicon WHERE term = ANY($1::text[]) AND df > 0`, q.Filter)
	if err != nil {
		return nil, fmt.Errorf("postgres: lexical search: %w", err)
	}
	df := map[string]int{}
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: lexical search: %w", err)
		}
		df[t] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: lexical search: %w", err)
	}
	pick := CandidateTerms(q.Filter, df, lexicalCandidates)
	if len(pick) == 0 {
		return nil, nil
	}
	rows, err = db.pool.Query(ctx, lexicalSQL, tsqueryOr(pick), q.Day, 2*lexicalCandidates)
	if err != nil {
		return nil, fmt.Errorf("postgres: lexical search: %w", err)
	}
	idf := map[string]float64{}
	for i, t := range q.Terms {
		idf[t] += q.IDF[i]
	}
	type scored struct {
		id      int64
		score   float64
		matched []string
	}
	var cands []scored
	for rows.Next() {
		var (
			id     int64
			length int
			chunk  corpus.Chunk
			title  []string
		)
		if err := rows.Scan(&id, &length, &chunk.Heading, &chunk.Article, &chunk.Body, &title); err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: lexical search: %w", err)
		}
		tf := storedCounts(corpus.ChunkTokens(&chunk), idf)
		norm := q.K1 * (1 - q.B + q.B*float64(length)/q.AvgLen)
		c := scored{id: id}
		for _, t := range q.Terms {
			if slices.Contains(c.matched, t) {
				continue
			}
			n, inBody := tf[t]
			inTitle := slices.Contains(title, t)
			if !inBody && !inTitle {
				continue
			}
			c.matched = append(c.matched, t)
			bm25 := idf[t] * (float64(n) * (q.K1 + 1)) / (float64(n) + norm)
			switch {
			case inTitle && inBody:
				c.score += idf[t]*q.TitleWeight + bm25*q.TitleEcho
			case inTitle:
				c.score += idf[t] * q.TitleWeight
			default:
				c.score += bm25
			}
		}
		if len(c.matched) > 0 {
			cands = append(cands, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: lexical search: %w", err)
	}
	slices.SortFunc(cands, func(a, b scored) int {
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.id, b.id)
	})
	if len(cands) > q.Limit {
		cands = cands[:q.Limit]
	}
	ids := make([]int64, len(cands))
	for i, c := range cands {
		ids[i] = c.id
	}
	hits, err := db.HitsByID(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: lexical search: %w", err)
	}
	byID := make(map[int64]scored, len(cands))
	for _, c := range cands {
		byID[c.id] = c
	}
	for i := range hits {
		c := byID[hits[i].Chunk.ID]
		hits[i].BM25, hits[i].Matched = c.score, c.matched
	}
	return hits, nil
}

// storedCounts counts the terms among a chunk's tokens as its stored
// tsvector (tsvectorLiteral) holds them: at most 255 positions a term,
// positions past 16383 merged into one. Counting the tokens of the chunk's
// text, read with it, spares reading the tsvector: at 100k chunks that
// was four times the pages (it is stored out of line) for the same counts.
func storedCounts(tokens iter.Seq[string], terms map[string]float64) map[string]int {
	tf := map[string]int{}
	seen := map[string]int{}
	var capped map[string]bool
	i := -1
	for t := range tokens {
		i++
		if _, ok := terms[t]; !ok || seen[t] == 255 {
			continue
		}
		seen[t]++
		if i+1 >= 16383 {
			if capped[t] {
				continue
			}
			if capped == nil {
				capped = map[string]bool{}
			}
			capped[t] = true
		}
		tf[t]++
	}
	return tf
}

// lexicalCandidates bounds the chunks BM25 scores, as the sum of the
// document frequencies of the terms that select them.
const lexicalCandidates = 300

// CandidateTerms picks the terms whose chunks become candidates: the
// rarest first (fewest chunks, ties in the given order), as long as their
// document frequencies add up to at most bound, and always the rarest one
// (a question of common words only still finds something; the SQL then
// caps the candidates). Terms no chunk holds are left out.
func CandidateTerms(filter []string, df map[string]int, bound int) []string {
	var known []string
	for _, t := range filter {
		if df[t] > 0 && !slices.Contains(known, t) {
			known = append(known, t)
		}
	}
	slices.SortStableFunc(known, func(a, b string) int { return df[a] - df[b] })
	var pick []string
	sum := 0
	for _, t := range known {
		if sum+df[t] > bound && len(pick) > 0 {
			break
		}
		pick = append(pick, t)
		sum += df[t]
	}
	return pick
}

// lexicalSQL: hit is the candidates by index (body terms, and the other
// chunks of documents whose title holds one: a UNION, since an OR across
// the two tables defeats both indexes); of those in force, each chunk's
// text and its title's lexemes. BM25 is computed in Go (LexicalSearch): in
// SQL, one row per (candidate, term) joined, grouped and sorted cost three
// quarters of the query's CPU at 100k chunks.
var lexicalSQL = `WITH hit AS MATERIALIZED (
		SELECT c.id, c.document_id, c.token_count, c.heading, c.article, c.body FROM chunks c WHERE c.tokens @@ $1::tsquery
		UNION ALL
		SELECT c.id, c.document_id, c.token_count, c.heading, c.article, c.body FROM documents d JOIN chunks c ON c.document_id = d.id
		WHERE d.title_tokens @@ $1::tsquery AND NOT c.tokens @@ $1::tsquery
	)
	SELECT hit.id, hit.token_count, hit.heading, hit.article, hit.body, tsvector_to_array(d.title_tokens)
	FROM hit JOIN documents d ON d.id = hit.document_id
	WHERE ` + strings.ReplaceAll(validOn, "$DAY", "$2") + `
	LIMIT $3::int`

// VectorSearchSQL builds the nearest-neighbour query for one model. The
// model id and dimension are validated integers written into the SQL, so
// the planner matches the model's partial HNSW index.
func VectorSearchSQL(modelID, dims int) string {
	expr := fmt.Sprintf("e.embedding::vector(%d)", dims)
	return `SELECT ` + hitColumns + `, 1 - (` + expr + ` <=> $1::text::vector(` + strconv.Itoa(dims) + `)) AS similarity
	FROM embeddings e JOIN chunks c ON c.id = e.chunk_id JOIN documents d ON d.id = c.document_id
	WHERE e.model_id = ` + strconv.Itoa(modelID) + ` AND ` + strings.ReplaceAll(validOn, "$DAY", "$2") + `
	ORDER BY ` + expr + ` <=> $1::text::vector(` + strconv.Itoa(dims) + `)
	LIMIT $3::int`
}

// VectorSearch implements knowledge.Store. Filters apply after the index
// scan, so iterative scans keep the result full when many vectors belong to
// ended documents.
func (db *DB) VectorSearch(ctx context.Context, q corpus.VectorQuery) ([]corpus.Hit, error) {
	if len(q.Vector) != q.Model.Dims {
		return nil, fmt.Errorf("postgres: vector search: query has %d dimensions, model %s has %d", len(q.Vector), q.Model.Name, q.Model.Dims)
	}
	// One batch, one round trip: a batch runs in one implicit transaction,
	// so the settings hold for the search and end with it.
	b := &pgx.Batch{}
	b.Queue(`SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', '100', true)`)
	b.Queue(VectorSearchSQL(q.Model.ID, q.Model.Dims), vectorLiteral(q.Vector), q.Day, q.Limit)
	br := db.pool.SendBatch(ctx, b)
	_, err := br.Exec()
	var hits []corpus.Hit
	if err == nil {
		var rows pgx.Rows
		if rows, err = br.Query(); err == nil {
			hits, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (corpus.Hit, error) {
				var sim float64
				h, err := scanHit(r, &sim)
				h.Vector = sim
				return h, err
			})
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: vector search: %w", err)
	}
	// relaxed_order may return neighbours slightly out of order.
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Vector > hits[j].Vector })
	return hits, nil
}

// Mentioning implements knowledge.Store from the programmes each document
// was read to mention at ingest (documents.mentions); a document not yet
// read (NULL) is checked in its title and chunks.
func (db *DB) Mentioning(ctx context.Context, spellings []string, docs []int64, day time.Time) (map[int64]bool, error) {
	valid := strings.ReplaceAll(validOn, "$DAY", "$3")
	rows, err := db.pool.Query(ctx, `SELECT d.id FROM documents d
		WHERE d.id = ANY($4::bigint[]) AND d.mentions && $2::text[] AND `+valid+`
		UNION
		SELECT d.id FROM documents d, unnest($1::text[], $2::text[]) AS s(q, name)
		WHERE d.id = ANY($4::bigint[]) AND d.mentions IS NULL AND `+valid+` AND `+mentionsBySearch,
		spellingQueries(spellings), spellings, day, docs)
	if err != nil {
		return nil, fmt.Errorf("postgres: documents mentioning %s: %w", spellings[0], err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: documents mentioning %s: %w", spellings[0], err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// mentionsBySearch finds a spelling (s.name, its tokens s.q) in a document
// whose facts were not read yet.
const mentionsBySearch = `(strpos(d.title, s.name) > 0
	OR EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id AND c.tokens @@ s.q::tsquery AND strpos(c.body, s.name) > 0))`

// Mentioned implements knowledge.Store from the stored facts (GIN index on
// documents.mentions), searching only documents not yet read.
func (db *DB) Mentioned(ctx context.Context, spellings []string, day time.Time) (bool, error) {
	valid := strings.ReplaceAll(validOn, "$DAY", "$3")
	var found bool
	err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM documents d WHERE d.mentions && $2::text[] AND `+valid+`)
		OR EXISTS (SELECT 1 FROM documents d, unnest($1::text[], $2::text[]) AS s(q, name)
			WHERE d.mentions IS NULL AND `+valid+` AND `+mentionsBySearch+`)`,
		spellingQueries(spellings), spellings, day).Scan(&found)
	if err != nil {
		return false, fmt.Errorf("postgres: documents mentioning %s: %w", spellings[0], err)
	}
	return found, nil
}

// spellingQueries is each spelling's tsquery: all of its tokens.
func spellingQueries(spellings []string) []string {
	qs := make([]string, len(spellings))
	for i, s := range spellings {
		qs[i] = tsqueryAnd(zh.Tokenize(s))
	}
	return qs
}

// HitsByID implements knowledge.Store.
func (db *DB) HitsByID(ctx context.Context, ids []int64) ([]corpus.Hit, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+hitColumns+` FROM chunks c JOIN documents d ON d.id = c.document_id
		WHERE c.id = ANY($1::bigint[]) ORDER BY array_position($1::bigint[], c.id)`, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: chunks by id: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (corpus.Hit, error) { return scanHit(r) })
}
