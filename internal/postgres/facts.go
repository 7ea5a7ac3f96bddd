package postgres

import (
	"context"
	"fmt"

	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/jackc/pgx/v5"
)

// fillDocumentFacts reads the facts (places, programmes mentioned) of the
// documents that have none stored, those added before the migrations that
// keep them, or of every document when the lists they are read with
// changed since they were stored (knowledge.FactsVersion).
func (db *DB) fillDocumentFacts(ctx context.Context) (int, error) {
	version := corpus.FactsVersion()
	n := 0
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var have string
		if err := tx.QueryRow(ctx, `SELECT facts_version FROM corpus_stats FOR UPDATE`).Scan(&have); err != nil {
			return err
		}
		where := "d.places IS NULL OR d.mentions IS NULL"
		if have != version {
			where = "true"
		}
		rows, err := tx.Query(ctx, `SELECT d.id, d.title, d.doc_number FROM documents d WHERE `+where+` ORDER BY d.id`)
		if err != nil {
			return err
		}
		type doc struct {
			id            int64
			title, number string
		}
		docs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (doc, error) {
			var d doc
			err := r.Scan(&d.id, &d.title, &d.number)
			return d, err
		})
		if err != nil {
			return err
		}
		for _, d := range docs {
			if err := readFacts(ctx, tx, d.id, d.title, d.number); err != nil {
				return err
			}
		}
		n = len(docs)
		if have != version {
			_, err = tx.Exec(ctx, `UPDATE corpus_stats SET facts_version = $1::text`, version)
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: read documents' facts: %w", err)
	}
	return n, nil
}

// readFacts stores what a document's title, 文号 and chunks say of it:
// the places it is of and the programmes it mentions.
func readFacts(ctx context.Context, tx pgx.Tx, id int64, title, number string) error {
	rows, err := tx.Query(ctx, `SELECT body FROM chunks WHERE document_id = $1::bigint ORDER BY ordinal`, id)
	if err != nil {
		return err
	}
	bodies, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	places := corpus.DocumentPlaces(title, number)
	if places == nil {
		places = []string{}
	}
	_, err = tx.Exec(ctx, `UPDATE documents SET places = $2::text[], mentions = $3::text[] WHERE id = $1::bigint`,
		id, places, corpus.Mentions(title, bodies))
	return err
}
