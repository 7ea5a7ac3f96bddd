package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/incubot/incubot/internal/model"
)

// MaxReportPhotos bounds the photos one asset report keeps.
const MaxReportPhotos = 9

// SaveReceivedFile stores the bytes a channel downloaded for one message,
// once: the same channel and message id again (a redelivery) keeps the
// first copy and returns its id.
func (db *DB) SaveReceivedFile(ctx context.Context, f *model.ReceivedFile) (int64, error) {
	sum := sha256.Sum256(f.Data)
	var id int64
	err := db.pool.QueryRow(ctx, `WITH ins AS (
			INSERT INTO received_files (channel, message_id, name, mime, size, sha256, data)
			VALUES ($1::text, $2::text, $3::text, $4::text, $5::bigint, $6::text, $7::bytea)
			ON CONFLICT (channel, message_id) DO NOTHING RETURNING id)
		SELECT id FROM ins UNION ALL SELECT id FROM received_files WHERE channel = $1::text AND message_id = $2::text LIMIT 1`,
		f.Channel, f.MessageID, f.Name, f.MIME, int64(len(f.Data)), hex.EncodeToString(sum[:]), f.Data).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("postgres: save received file: %w", err)
	}
	return id, nil
}

const fileColumns = `id, channel, message_id, name, mime, size, sha256, asset_report_id, created_at`

func scanFile(r pgx.Row, data *[]byte) (model.ReceivedFile, error) {
	var f model.ReceivedFile
	dest := []any{&f.ID, &f.Channel, &f.MessageID, &f.Name, &f.MIME, &f.Size, &f.SHA256, &f.ReportID, &f.CreatedAt}
	if data != nil {
		dest = append(dest, data)
	}
	err := r.Scan(dest...)
	return f, err
}

// ReceivedFile returns the file a message carried, with its bytes, or
// model.ErrNotFound when the channel stored none.
func (db *DB) ReceivedFile(ctx context.Context, channel, messageID string) (model.ReceivedFile, error) {
	var data []byte
	f, err := scanFile(db.pool.QueryRow(ctx, `SELECT `+fileColumns+`, data FROM received_files WHERE channel = $1::text AND message_id = $2::text`, channel, messageID), &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, fmt.Errorf("postgres: file of message %s: %w", messageID, model.ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("postgres: file of message %s: %w", messageID, err)
	}
	f.Data = data
	return f, nil
}

// ReceivedFileByID returns a stored file with its bytes.
func (db *DB) ReceivedFileByID(ctx context.Context, id int64) (model.ReceivedFile, error) {
	var data []byte
	f, err := scanFile(db.pool.QueryRow(ctx, `SELECT `+fileColumns+`, data FROM received_files WHERE id = $1::bigint`, id), &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, fmt.Errorf("postgres: file %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("postgres: file %d: %w", id, err)
	}
	f.Data = data
	return f, nil
}

// AttachPhoto attaches a stored photo to the latest asset report the person
// made since the time, and audits it; model.ErrNotFound when they made none,
// model.ErrConflict when that report already has MaxReportPhotos.
func (db *DB) AttachPhoto(ctx context.Context, fileID, reporterID int64, since time.Time, a model.Actor) (model.AttachedPhoto, error) {
	p := model.AttachedPhoto{FileID: fileID}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT r.id, a.code, a.name FROM asset_reports r JOIN assets a ON a.id = r.asset_id
			WHERE r.reporter_id = $1::bigint AND r.created_at >= $2::timestamptz ORDER BY r.created_at DESC, r.id DESC LIMIT 1 FOR UPDATE OF r`,
			reporterID, since).Scan(&p.ReportID, &p.AssetCode, &p.AssetName)
		if errors.Is(err, pgx.ErrNoRows) {
			return model.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM received_files WHERE asset_report_id = $1::bigint AND id <> $2::bigint`, p.ReportID, fileID).Scan(&p.Count); err != nil {
			return err
		}
		if p.Count >= MaxReportPhotos {
			return model.ErrConflict
		}
		tag, err := tx.Exec(ctx, `UPDATE received_files SET asset_report_id = $1::bigint WHERE id = $2::bigint`, p.ReportID, fileID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return model.ErrNotFound
		}
		p.Count++
		return audit(ctx, tx, a, "attach_photo", "asset_report", fmt.Sprint(p.ReportID), nil, map[string]any{"file": fileID})
	})
	if err != nil {
		return p, fmt.Errorf("postgres: attach photo: %w", err)
	}
	return p, nil
}

// ReportPhotos lists the photos attached to an asset report, oldest first,
// without their bytes.
func (db *DB) ReportPhotos(ctx context.Context, reportID int64) ([]model.ReceivedFile, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+fileColumns+` FROM received_files WHERE asset_report_id = $1::bigint ORDER BY id`, reportID)
	if err != nil {
		return nil, fmt.Errorf("postgres: photos of report %d: %w", reportID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.ReceivedFile, error) { return scanFile(r, nil) })
	if err != nil {
		return nil, fmt.Errorf("postgres: photos of report %d: %w", reportID, err)
	}
	return out, nil
}

// PurgeReceivedFiles deletes the stored files received before the time that
// no asset report keeps (documents, once indexed or dropped, live on as
// chunks or not at all); it returns how many it deleted.
func (db *DB) PurgeReceivedFiles(ctx context.Context, before time.Time) (int64, error) {
	// A photo of a stock-take's finding waits for the close (AttachStocktakePhoto).
	tag, err := db.pool.Exec(ctx, `DELETE FROM received_files WHERE asset_report_id IS NULL AND created_at < $1::timestamptz
		AND (stocktake_id IS NULL OR stocktake_id IN (SELECT id FROM stocktakes WHERE status = 'closed'))`, before)
	if err != nil {
		return 0, fmt.Errorf("postgres: purge received files: %w", err)
	}
	return tag.RowsAffected(), nil
}
