package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/zh"
	"github.com/jackc/pgx/v5"
)

// ActiveByNumber implements knowledge.Store. Spaces do not count: a scan
// reads 财政部 税务总局公告… without the one between the issuers.
func (db *DB) ActiveByNumber(ctx context.Context, number string) (*corpus.Document, error) {
	return db.oneDoc(ctx, "d.status = 'active' AND d.doc_number <> '' AND replace(d.doc_number, ' ', '') = replace($1::text, ' ', '')", number)
}

// UpdateDocumentMeta implements knowledge.Store. The title's tokens count
// in the lexicon's document frequencies, so the document's share is taken
// out and put back with the new title.
func (db *DB) UpdateDocumentMeta(ctx context.Context, d *corpus.Document, by corpus.Editor) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		var before struct {
			Title, Number, Issuer, Source string
			Effective, Expires            *string
		}
		err := tx.QueryRow(ctx, `SELECT title, doc_number, issuer, source, effective_on::text, expires_on::text
			FROM documents WHERE id = $1::bigint AND status = 'active' FOR UPDATE`, d.ID).
			Scan(&before.Title, &before.Number, &before.Issuer, &before.Source, &before.Effective, &before.Expires)
		if err == pgx.ErrNoRows {
			return fmt.Errorf("postgres: edit document %d: %w", d.ID, corpus.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("postgres: edit document %d: %w", d.ID, err)
		}
		if err := lexiconRemove(ctx, tx, d.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET title = $2::text, doc_number = $3::text, issuer = $4::text, source = $5::text,
			effective_on = $6::date, expires_on = $7::date, title_tokens = $8::text::tsvector WHERE id = $1::bigint`,
			d.ID, d.Title, d.DocNumber, d.Issuer, d.Source, d.EffectiveOn, d.ExpiresOn,
			tsvectorLiteral(zh.Tokenize(d.Title))); err != nil {
			return fmt.Errorf("postgres: edit document %d: %w", d.ID, err)
		}
		if err := lexiconAdd(ctx, tx, d.ID); err != nil {
			return err
		}
		if err := readFacts(ctx, tx, d.ID, d.Title, d.DocNumber); err != nil {
			return fmt.Errorf("postgres: edit document %d: %w", d.ID, err)
		}
		return audit(ctx, tx, Actor(by), "edit", "document", strconv.FormatInt(d.ID, 10),
			map[string]any{"title": before.Title, "doc_number": before.Number, "issuer": before.Issuer, "source": before.Source,
				"effective_on": before.Effective, "expires_on": before.Expires},
			map[string]any{"title": d.Title, "doc_number": d.DocNumber, "issuer": d.Issuer, "source": d.Source,
				"effective_on": dateOrNil(d.EffectiveOn), "expires_on": dateOrNil(d.ExpiresOn)})
	})
}

// lexiconAdd puts a document's chunks (with its title) back into the
// statistics, as SaveDocument does for a new one.
func lexiconAdd(ctx context.Context, tx pgx.Tx, docID int64) error {
	if _, err := tx.Exec(ctx, fmt.Sprintf(`INSERT INTO lexicon (term, df)
		SELECT word, ndoc FROM ts_stat('SELECT c.tokens || d.title_tokens FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.document_id = %d')
		ON CONFLICT (term) DO UPDATE SET df = lexicon.df + excluded.df`, docID)); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE corpus_stats SET chunks = chunks + s.n, tokens = tokens + s.t
		FROM (SELECT count(*) AS n, coalesce(sum(token_count), 0) AS t FROM chunks WHERE document_id = $1::bigint) s`, docID)
	return err
}

func dateOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Format(time.DateOnly)
}
