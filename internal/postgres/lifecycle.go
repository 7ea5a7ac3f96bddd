package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/incubot/incubot/internal/incubator"
	"github.com/jackc/pgx/v5"
)

// TransferAsset moves an asset to another location and/or custodian (""
// keeps what it has), checked against the asset as it is at that moment
// (incubator.CheckTransfer), recorded with who and when, in one
// transaction. A refusal changes nothing.
func (db *DB) TransferAsset(ctx context.Context, assetID int64, location, custodian, note string, a Actor) (incubator.Transfer, error) {
	var t incubator.Transfer
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		t, err = transferTx(ctx, tx, assetID, location, custodian, note, a)
		return err
	})
	if err != nil && !errors.Is(err, incubator.ErrInvalid) && !errors.Is(err, incubator.ErrConflict) && !errors.Is(err, incubator.ErrNotFound) {
		return t, fmt.Errorf("postgres: transfer asset %d: %w", assetID, err)
	}
	return t, err
}

// transferTx is the one way an asset changes place or custodian: 调拨 and a
// stock-take's 移位 finding both write it.
func transferTx(ctx context.Context, tx pgx.Tx, assetID int64, location, custodian, note string, a Actor) (incubator.Transfer, error) {
	var t incubator.Transfer
	asset, err := scanAsset(tx.QueryRow(ctx, `SELECT `+assetColumns+` FROM assets a JOIN incubators i ON i.id = a.incubator_id WHERE a.id = $1::bigint FOR UPDATE OF a`, assetID))
	if errors.Is(err, pgx.ErrNoRows) {
		return t, incubator.ErrNotFound
	}
	if err != nil {
		return t, err
	}
	if t, err = incubator.CheckTransfer(asset, location, custodian); err != nil {
		return t, err
	}
	t.Note, t.By, t.Role, t.Channel = note, a.Name, a.Role, a.Channel
	if err := tx.QueryRow(ctx, `INSERT INTO asset_transfers (asset_id, from_location, to_location, from_custodian, to_custodian, note, by_name, by_role, channel)
		VALUES ($1::bigint, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text) RETURNING id, at`,
		assetID, t.FromLocation, t.ToLocation, t.FromCustodian, t.ToCustodian, note, a.Name, a.Role, a.Channel).Scan(&t.ID, &t.At); err != nil {
		return t, err
	}
	if _, err := tx.Exec(ctx, `UPDATE assets SET location = $2::text, custodian = $3::text, updated_at = now() WHERE id = $1::bigint`,
		assetID, t.ToLocation, t.ToCustodian); err != nil {
		return t, err
	}
	return t, audit(ctx, tx, a, "transfer", "asset", fmt.Sprint(assetID),
		map[string]string{"location": t.FromLocation, "custodian": t.FromCustodian},
		map[string]any{"location": t.ToLocation, "custodian": t.ToCustodian, "transfer": t.ID})
}

// Transfers lists an asset's transfers (0: every asset's), oldest first.
func (db *DB) Transfers(ctx context.Context, assetID int64) ([]incubator.Transfer, error) {
	rows, err := db.pool.Query(ctx, `SELECT t.id, t.asset_id, a.code, a.name, i.name, t.from_location, t.to_location, t.from_custodian, t.to_custodian,
		t.note, t.by_name, t.by_role, t.channel, t.at
		FROM asset_transfers t JOIN assets a ON a.id = t.asset_id JOIN incubators i ON i.id = a.incubator_id
		WHERE $1::bigint = 0 OR t.asset_id = $1::bigint ORDER BY t.id`, assetID)
	if err != nil {
		return nil, fmt.Errorf("postgres: transfers: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (incubator.Transfer, error) {
		var t incubator.Transfer
		err := r.Scan(&t.ID, &t.AssetID, &t.AssetCode, &t.AssetName, &t.Incubator, &t.FromLocation, &t.ToLocation, &t.FromCustodian, &t.ToCustodian,
			&t.Note, &t.By, &t.Role, &t.Channel, &t.At)
		return t, err
	})
}

// ServiceLives is the table of service lives by category.
func (db *DB) ServiceLives(ctx context.Context) ([]incubator.ServiceLife, error) {
	rows, err := db.pool.Query(ctx, `SELECT category, years, basis FROM service_lives ORDER BY years DESC, category`)
	if err != nil {
		return nil, fmt.Errorf("postgres: service lives: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (incubator.ServiceLife, error) {
		var l incubator.ServiceLife
		err := r.Scan(&l.Category, &l.Years, &l.Basis)
		return l, err
	})
}

// SetServiceLife sets (or adds) a category's service life, audited.
func (db *DB) SetServiceLife(ctx context.Context, l incubator.ServiceLife, a Actor) error {
	if err := incubator.CheckServiceLife(l); err != nil {
		return err
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var before any
		var years int
		err := tx.QueryRow(ctx, `SELECT years FROM service_lives WHERE category = $1::text FOR UPDATE`, l.Category).Scan(&years)
		switch {
		case err == nil:
			before = map[string]int{"years": years}
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO service_lives (category, years, basis, updated_by) VALUES ($1::text, $2::int, $3::text, $4::text)
			ON CONFLICT (category) DO UPDATE SET years = EXCLUDED.years, basis = CASE WHEN EXCLUDED.basis = '' THEN service_lives.basis ELSE EXCLUDED.basis END,
			updated_by = EXCLUDED.updated_by, updated_at = now()`, l.Category, l.Years, l.Basis, a.Name); err != nil {
			return err
		}
		return audit(ctx, tx, a, "service_life", "category", l.Category, before, map[string]int{"years": l.Years})
	})
	if err != nil {
		return fmt.Errorf("postgres: service life %q: %w", l.Category, err)
	}
	return nil
}

const disposalColumns = `d.id, d.asset_id, a.code, a.name, i.name, ` + valueFen + `::bigint, d.kind, d.reason, d.requester, d.channel, d.requested_at,
	d.review, d.reviewer, d.review_note, d.reviewed_at`

func scanDisposal(row pgx.Row) (incubator.Disposal, error) {
	var d incubator.Disposal
	err := row.Scan(&d.ID, &d.AssetID, &d.AssetCode, &d.AssetName, &d.Incubator, &d.Value, &d.Kind, &d.Reason, &d.Requester, &d.Channel, &d.RequestedAt,
		&d.Review, &d.Reviewer, &d.ReviewNote, &d.ReviewedAt)
	return d, err
}

// RequestDisposal records a manager's request to write an asset off,
// checked against the asset at that moment (incubator.CheckDisposal).
func (db *DB) RequestDisposal(ctx context.Context, d *incubator.Disposal, a Actor) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		asset, err := scanAsset(tx.QueryRow(ctx, `SELECT `+assetColumns+` FROM assets a JOIN incubators i ON i.id = a.incubator_id WHERE a.id = $1::bigint FOR UPDATE OF a`, d.AssetID))
		if errors.Is(err, pgx.ErrNoRows) {
			return incubator.ErrNotFound
		}
		if err != nil {
			return err
		}
		var pending bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM asset_disposals WHERE asset_id = $1::bigint AND review = '待审批')`, d.AssetID).Scan(&pending); err != nil {
			return err
		}
		if err := incubator.CheckDisposal(asset, d.Reason, pending); err != nil {
			return err
		}
		d.Review, d.AssetCode, d.AssetName, d.Incubator, d.Value = incubator.DisposalPending, asset.Code, asset.Name, asset.Incubator, asset.Value()
		if err := tx.QueryRow(ctx, `INSERT INTO asset_disposals (asset_id, kind, reason, requester, channel) VALUES ($1::bigint, $2::text, $3::text, $4::text, $5::text)
			RETURNING id, requested_at`, d.AssetID, d.Kind, d.Reason, a.Name, a.Channel).Scan(&d.ID, &d.RequestedAt); err != nil {
			return err
		}
		d.Requester, d.Channel = a.Name, a.Channel
		return audit(ctx, tx, a, "dispose:request", "asset", fmt.Sprint(d.AssetID), nil, map[string]any{"disposal": d.ID, "kind": d.Kind, "reason": d.Reason})
	})
	if err != nil && !errors.Is(err, incubator.ErrInvalid) && !errors.Is(err, incubator.ErrConflict) && !errors.Is(err, incubator.ErrNotFound) {
		return fmt.Errorf("postgres: request disposal: %w", err)
	}
	return err
}

// DecideDisposal records an officer's approval or rejection; an approval
// writes the asset off. A decided request is refused (RefuseDisposalDecided).
func (db *DB) DecideDisposal(ctx context.Context, id int64, approve bool, note string, a Actor) (incubator.Disposal, error) {
	var d incubator.Disposal
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var assetID int64
		err := tx.QueryRow(ctx, `SELECT asset_id FROM asset_disposals WHERE id = $1::bigint`, id).Scan(&assetID)
		if errors.Is(err, pgx.ErrNoRows) {
			return incubator.ErrNotFound
		}
		if err != nil {
			return err
		}
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM assets WHERE id = $1::bigint FOR UPDATE`, assetID).Scan(&status); err != nil {
			return err
		}
		if d, err = scanDisposal(tx.QueryRow(ctx, `SELECT `+disposalColumns+` FROM asset_disposals d JOIN assets a ON a.id = d.asset_id
			JOIN incubators i ON i.id = a.incubator_id WHERE d.id = $1::bigint FOR UPDATE OF d`, id)); err != nil {
			return err
		}
		if d.Review != incubator.DisposalPending {
			return incubator.DisposalDecided(d.ID, d.Review)
		}
		d.Review = incubator.DisposalRejected
		if approve {
			d.Review = incubator.DisposalApproved
		}
		d.Reviewer, d.ReviewNote = a.Name, note
		if _, err := tx.Exec(ctx, `UPDATE asset_disposals SET review = $2::text, reviewer = $3::text, review_note = $4::text, reviewed_at = now() WHERE id = $1::bigint`,
			id, d.Review, a.Name, note); err != nil {
			return err
		}
		to, err := syncAssetStatus(ctx, tx, assetID, status)
		if err != nil {
			return err
		}
		return audit(ctx, tx, a, "dispose:"+d.Review, "asset", fmt.Sprint(assetID), map[string]string{"status": status}, map[string]any{"status": to, "disposal": id, "note": note})
	})
	if err != nil && !errors.Is(err, incubator.ErrConflict) && !errors.Is(err, incubator.ErrNotFound) {
		return d, fmt.Errorf("postgres: decide disposal %d: %w", id, err)
	}
	return d, err
}

// PendingDisposals lists the requests waiting for an officer.
func (db *DB) PendingDisposals(ctx context.Context) ([]incubator.Disposal, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+disposalColumns+` FROM asset_disposals d JOIN assets a ON a.id = d.asset_id
		JOIN incubators i ON i.id = a.incubator_id WHERE d.review = '待审批' ORDER BY d.id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: pending disposals: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (incubator.Disposal, error) { return scanDisposal(r) })
}
