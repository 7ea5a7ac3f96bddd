package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/internal/model"
	"github.com/jackc/pgx/v5"
)

// Actor is who made a change, for the audit log.
type Actor = model.Actor

func audit(ctx context.Context, tx pgx.Tx, a Actor, action, entity, id string, before, after any) error {
	enc := func(v any) any {
		if v == nil {
			return nil
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	_, err := tx.Exec(ctx, `INSERT INTO audit_log (actor, role, channel, action, entity, entity_id, before, after)
		VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::jsonb, $8::jsonb)`,
		a.Name, a.Role, a.Channel, action, entity, id, enc(before), enc(after))
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// EnsureIncubator returns the incubator of that name, creating it.
func (db *DB) EnsureIncubator(ctx context.Context, name string, a Actor) (incubator.Incubator, error) {
	var inc incubator.Incubator
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		inc, err = ensureIncubator(ctx, tx, name, a)
		return err
	})
	if err != nil {
		return inc, fmt.Errorf("postgres: incubator %q: %w", name, err)
	}
	return inc, nil
}

func ensureIncubator(ctx context.Context, tx pgx.Tx, name string, a Actor) (incubator.Incubator, error) {
	var inc incubator.Incubator
	err := tx.QueryRow(ctx, `SELECT id, name, operator FROM incubators WHERE name = $1::text`, name).Scan(&inc.ID, &inc.Name, &inc.Operator)
	if err == nil || !errors.Is(err, pgx.ErrNoRows) {
		return inc, err
	}
	if err := tx.QueryRow(ctx, `INSERT INTO incubators (name) VALUES ($1::text) RETURNING id, name, operator`, name).Scan(&inc.ID, &inc.Name, &inc.Operator); err != nil {
		return inc, err
	}
	return inc, audit(ctx, tx, a, "create", "incubator", fmt.Sprint(inc.ID), nil, inc)
}

// IncubatorByName finds an incubator, or ErrNotFound.
func (db *DB) IncubatorByName(ctx context.Context, name string) (incubator.Incubator, error) {
	var inc incubator.Incubator
	err := db.pool.QueryRow(ctx, `SELECT id, name, operator FROM incubators WHERE name = $1::text`, name).Scan(&inc.ID, &inc.Name, &inc.Operator)
	if errors.Is(err, pgx.ErrNoRows) {
		return inc, fmt.Errorf("incubator %q: %w", name, ErrNotFound)
	}
	return inc, err
}

const assetColumns = `a.id, a.incubator_id, i.name, a.code, a.name, a.category, a.spec, a.quantity, (a.unit_price * 100)::bigint, a.location, a.purchased_on, a.note, a.status, a.custodian`

func scanAsset(row pgx.Row) (incubator.Asset, error) {
	var a incubator.Asset
	err := row.Scan(&a.ID, &a.IncubatorID, &a.Incubator, &a.Code, &a.Name, &a.Category, &a.Spec, &a.Quantity, &a.UnitPrice, &a.Location, &a.PurchasedOn, &a.Note, &a.Status, &a.Custodian)
	return a, err
}

// ImportResult counts what an import did.
type ImportResult struct{ Added, Updated, Unchanged int }

// ImportAssets upserts a register in one transaction: codes are stored
// clean (incubator.CleanCode) and rows are matched by incubator.CodeKey
// (case, full-width forms and invisible characters ignored); an item's
// status is kept; every change is audited. An asset that fails Validate
// stores nothing.
func (db *DB) ImportAssets(ctx context.Context, incubatorID int, assets []incubator.Asset, a Actor) (ImportResult, error) {
	var res ImportResult
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		res, err = importAssets(ctx, tx, incubatorID, assets, a)
		return err
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("postgres: import assets: %w", err)
	}
	return res, nil
}

// ImportRegister creates the incubator when it is new and imports its
// register, in one transaction: an import that fails leaves nothing behind,
// not even the incubator.
func (db *DB) ImportRegister(ctx context.Context, name string, assets []incubator.Asset, a Actor) (incubator.Incubator, ImportResult, error) {
	var inc incubator.Incubator
	var res ImportResult
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if inc, err = ensureIncubator(ctx, tx, name, a); err != nil {
			return err
		}
		res, err = importAssets(ctx, tx, inc.ID, assets, a)
		return err
	})
	if err != nil {
		return incubator.Incubator{}, ImportResult{}, fmt.Errorf("postgres: import register of %q: %w", name, err)
	}
	return inc, res, nil
}

func importAssets(ctx context.Context, tx pgx.Tx, incubatorID int, assets []incubator.Asset, a Actor) (ImportResult, error) {
	var res ImportResult
	seen := map[string]bool{}
	for i := range assets {
		x := &assets[i]
		x.Code = incubator.CleanCode(x.Code)
		if err := x.Validate(); err != nil {
			return res, fmt.Errorf("asset %q: %w", x.Code, err)
		}
		if seen[incubator.CodeKey(x.Code)] {
			return res, fmt.Errorf("asset %q appears twice: %w", x.Code, incubator.ErrInvalid)
		}
		seen[incubator.CodeKey(x.Code)] = true
	}
	// One import per incubator at a time: codes are matched by key here,
	// not by a unique index, so two imports must not interleave.
	if _, err := tx.Exec(ctx, `SELECT id FROM incubators WHERE id = $1::int FOR UPDATE`, incubatorID); err != nil {
		return res, err
	}
	rows, err := tx.Query(ctx, `SELECT `+assetColumns+` FROM assets a JOIN incubators i ON i.id = a.incubator_id WHERE a.incubator_id = $1::int ORDER BY a.id`, incubatorID)
	if err != nil {
		return res, err
	}
	existing, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (incubator.Asset, error) { return scanAsset(r) })
	if err != nil {
		return res, err
	}
	byKey := map[string]incubator.Asset{}
	for _, e := range existing {
		if _, dup := byKey[incubator.CodeKey(e.Code)]; !dup {
			byKey[incubator.CodeKey(e.Code)] = e
		}
	}
	for _, x := range assets {
		old, found := byKey[incubator.CodeKey(x.Code)]
		if found && old.Code == x.Code && old.Name == x.Name && old.Category == x.Category && old.Spec == x.Spec && old.Quantity == x.Quantity &&
			old.UnitPrice == x.UnitPrice && old.Location == x.Location && old.Note == x.Note && sameDay(old.PurchasedOn, x.PurchasedOn) &&
			old.Custodian == x.Custodian {
			res.Unchanged++
			continue
		}
		id := old.ID
		var err error
		if found {
			_, err = tx.Exec(ctx, `UPDATE assets SET code = $2::text, name = $3::text, category = $4::text, spec = $5::text, quantity = $6::int,
				unit_price = $7::bigint / 100.0, location = $8::text, purchased_on = $9::date, note = $10::text, custodian = $11::text, updated_at = now() WHERE id = $1::bigint`,
				id, x.Code, x.Name, x.Category, x.Spec, x.Quantity, x.UnitPrice, x.Location, x.PurchasedOn, x.Note, x.Custodian)
		} else {
			err = tx.QueryRow(ctx, `INSERT INTO assets (incubator_id, code, name, category, spec, quantity, unit_price, location, purchased_on, note, custodian)
				VALUES ($1::int, $2::text, $3::text, $4::text, $5::text, $6::int, $7::bigint / 100.0, $8::text, $9::date, $10::text, $11::text) RETURNING id`,
				incubatorID, x.Code, x.Name, x.Category, x.Spec, x.Quantity, x.UnitPrice, x.Location, x.PurchasedOn, x.Note, x.Custodian).Scan(&id)
		}
		if err != nil {
			return res, fmt.Errorf("asset %s: %w", x.Code, err)
		}
		var before any
		if found {
			before = old
			res.Updated++
		} else {
			res.Added++
		}
		if err := audit(ctx, tx, a, "import", "asset", fmt.Sprint(id), before, x); err != nil {
			return res, err
		}
	}
	return res, nil
}

func sameDay(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Format(time.DateOnly) == b.Format(time.DateOnly)
}

// Assets lists assets of an incubator (0: all) and status ("": any).
func (db *DB) Assets(ctx context.Context, incubatorID int, status string) ([]incubator.Asset, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+assetColumns+` FROM assets a JOIN incubators i ON i.id = a.incubator_id
		WHERE ($1::int = 0 OR a.incubator_id = $1::int) AND ($2::text = '' OR a.status = $2::text) ORDER BY i.name, a.code`, incubatorID, status)
	if err != nil {
		return nil, fmt.Errorf("postgres: assets: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (incubator.Asset, error) { return scanAsset(r) })
}

// AssetsByCode finds assets with a code in any incubator, the code compared
// as incubator.CodeKey (ＣＫＣ－００１, ckc-001 and CKC-001 are one code;
// codes are stored clean, so the key is their upper case).
func (db *DB) AssetsByCode(ctx context.Context, code string) ([]incubator.Asset, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+assetColumns+` FROM assets a JOIN incubators i ON i.id = a.incubator_id WHERE upper(a.code) = $1::text ORDER BY i.name, a.id`, incubator.CodeKey(code))
	if err != nil {
		return nil, fmt.Errorf("postgres: asset %s: %w", code, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (incubator.Asset, error) { return scanAsset(r) })
}

// CreateAssetReport records a report and moves the asset's status, in one
// transaction, checking the transition against the status at that moment.
func (db *DB) CreateAssetReport(ctx context.Context, rep *incubator.AssetReport, a Actor) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		asset, err := scanAsset(tx.QueryRow(ctx, `SELECT `+assetColumns+` FROM assets a JOIN incubators i ON i.id = a.incubator_id WHERE a.id = $1::bigint FOR UPDATE OF a`, rep.AssetID))
		if errors.Is(err, pgx.ErrNoRows) {
			return incubator.ErrNotFound
		}
		if err != nil {
			return err
		}
		to, err := incubator.Transition(asset.Status, rep.Kind)
		if err != nil {
			return err
		}
		rep.FromStatus, rep.ToStatus, rep.Review = asset.Status, to, incubator.ReviewPending
		var reporter any
		if rep.ReporterID != 0 {
			reporter = rep.ReporterID
		}
		if err := tx.QueryRow(ctx, `INSERT INTO asset_reports (asset_id, kind, from_status, to_status, note, raw_text, reporter_id, reporter, channel)
			VALUES ($1::bigint, $2::text, $3::text, $4::text, $5::text, $6::text, $7::bigint, $8::text, $9::text) RETURNING id, created_at`,
			rep.AssetID, rep.Kind, rep.FromStatus, rep.ToStatus, rep.Note, rep.RawText, reporter, rep.Reporter, rep.Channel).Scan(&rep.ID, &rep.CreatedAt); err != nil {
			return err
		}
		if to, err = syncAssetStatus(ctx, tx, rep.AssetID, asset.Status); err != nil {
			return err
		}
		return audit(ctx, tx, a, "report:"+rep.Kind, "asset", fmt.Sprint(rep.AssetID), map[string]string{"status": asset.Status}, map[string]any{"status": to, "report": rep.ID})
	})
	if err != nil && !errors.Is(err, incubator.ErrConflict) && !errors.Is(err, incubator.ErrNotFound) {
		return fmt.Errorf("postgres: asset report: %w", err)
	}
	return err
}

// syncAssetStatus sets an asset's status to what its reports and an
// approved disposal say (incubator.AssetStatus) and returns it. The caller holds the asset's
// row lock, so no other report or verification of it interleaves.
func syncAssetStatus(ctx context.Context, tx pgx.Tx, assetID int64, current string) (string, error) {
	rows, err := tx.Query(ctx, `SELECT id, kind, from_status, review FROM asset_reports WHERE asset_id = $1::bigint ORDER BY id`, assetID)
	if err != nil {
		return "", err
	}
	reps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (incubator.ReportEntry, error) {
		var e incubator.ReportEntry
		err := r.Scan(&e.ID, &e.Kind, &e.FromStatus, &e.Review)
		return e, err
	})
	if err != nil {
		return "", err
	}
	var writtenOff bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM asset_disposals WHERE asset_id = $1::bigint AND review = '批准')`, assetID).Scan(&writtenOff); err != nil {
		return "", err
	}
	to := incubator.AssetStatus(current, reps, writtenOff)
	if to != current {
		if _, err := tx.Exec(ctx, `UPDATE assets SET status = $2::text, updated_at = now() WHERE id = $1::bigint`, assetID, to); err != nil {
			return "", err
		}
	}
	return to, nil
}

// valueFen is an asset's value in fen, kept within bigint: a row stored
// before the bounds existed must not make every query that sums it fail.
const valueFen = `least(a.quantity * a.unit_price * 100, 9223372036854775807)`

// sumFen sums valueFen over the rows filter selects, within bigint.
func sumFen(filter string) string {
	return `least(coalesce(sum(` + valueFen + `)` + filter + `, 0), 9223372036854775807)::bigint`
}

const reportColumns = `r.id, r.asset_id, a.code, a.name, i.name, ` + valueFen + `::bigint, r.kind, r.from_status, r.to_status, r.note, r.raw_text,
	coalesce(r.reporter_id, 0), r.reporter, r.channel, r.created_at, r.review, r.reviewer, r.review_note, r.reviewed_at`

func scanReport(row pgx.Row) (incubator.AssetReport, error) {
	var r incubator.AssetReport
	err := row.Scan(&r.ID, &r.AssetID, &r.AssetCode, &r.AssetName, &r.Incubator, &r.Value, &r.Kind, &r.FromStatus, &r.ToStatus, &r.Note, &r.RawText,
		&r.ReporterID, &r.Reporter, &r.Channel, &r.CreatedAt, &r.Review, &r.Reviewer, &r.ReviewNote, &r.ReviewedAt)
	return r, err
}

// ReviewReport records an officer's verification and sets the asset's
// status accordingly, in one transaction.
func (db *DB) ReviewReport(ctx context.Context, id int64, passed bool, note string, a Actor) (incubator.AssetReport, error) {
	var rep incubator.AssetReport
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		// The asset is locked before its report, as CreateAssetReport
		// does: every change to an asset's reports holds the asset, so
		// the status derived from them is never derived from a stale set.
		var assetID int64
		err := tx.QueryRow(ctx, `SELECT asset_id FROM asset_reports WHERE id = $1::bigint`, id).Scan(&assetID)
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
		rep, err = scanReport(tx.QueryRow(ctx, `SELECT `+reportColumns+` FROM asset_reports r JOIN assets a ON a.id = r.asset_id
			JOIN incubators i ON i.id = a.incubator_id WHERE r.id = $1::bigint FOR UPDATE OF r`, id))
		if err != nil {
			return err
		}
		if _, err := incubator.ReviewTransition(&rep, passed); err != nil {
			return err
		}
		rep.Review = incubator.ReviewRejected
		if passed {
			rep.Review = incubator.ReviewPassed
		}
		rep.Reviewer, rep.ReviewNote = a.Name, note
		if _, err := tx.Exec(ctx, `UPDATE asset_reports SET review = $2::text, reviewer = $3::text, review_note = $4::text, reviewed_at = now() WHERE id = $1::bigint`,
			id, rep.Review, a.Name, note); err != nil {
			return err
		}
		to, err := syncAssetStatus(ctx, tx, rep.AssetID, status)
		if err != nil {
			return err
		}
		return audit(ctx, tx, a, "review:"+rep.Review, "asset", fmt.Sprint(rep.AssetID), map[string]string{"status": status}, map[string]any{"status": to, "report": id, "note": note})
	})
	if err != nil && !errors.Is(err, incubator.ErrConflict) && !errors.Is(err, incubator.ErrNotFound) {
		return rep, fmt.Errorf("postgres: review report %d: %w", id, err)
	}
	return rep, err
}

// AssetReports lists reports created in [from, to).
func (db *DB) AssetReports(ctx context.Context, from, to time.Time) ([]incubator.AssetReport, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+reportColumns+` FROM asset_reports r JOIN assets a ON a.id = r.asset_id JOIN incubators i ON i.id = a.incubator_id
		WHERE r.created_at >= $1::timestamptz AND r.created_at < $2::timestamptz ORDER BY r.id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("postgres: asset reports: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (incubator.AssetReport, error) { return scanReport(r) })
}

// PendingAssetReports lists the reports waiting for an officer's review.
func (db *DB) PendingAssetReports(ctx context.Context) ([]incubator.AssetReport, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+reportColumns+` FROM asset_reports r JOIN assets a ON a.id = r.asset_id JOIN incubators i ON i.id = a.incubator_id
		WHERE r.review = '待核验' ORDER BY r.id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: pending asset reports: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (incubator.AssetReport, error) { return scanReport(r) })
}

// AssetSummary is one incubator's register in figures (money in fen).
type AssetSummary = model.AssetSummary

// AssetSummaries sums the register per incubator.
func (db *DB) AssetSummaries(ctx context.Context, incubatorID int) ([]AssetSummary, error) {
	rows, err := db.pool.Query(ctx, `SELECT i.name, count(a.id), `+sumFen("")+`,
		count(a.id) FILTER (WHERE a.status = '缺失'), `+sumFen(` FILTER (WHERE a.status = '缺失')`)+`,
		count(a.id) FILTER (WHERE a.status = '损坏'), `+sumFen(` FILTER (WHERE a.status = '损坏')`)+`,
		count(a.id) FILTER (WHERE a.status = '已补齐'), `+sumFen(` FILTER (WHERE a.status = '已补齐')`)+`,
		count(a.id) FILTER (WHERE a.status = '已核验'), `+sumFen(` FILTER (WHERE a.status = '已核验')`)+`,
		(SELECT count(*) FROM asset_reports r JOIN assets x ON x.id = r.asset_id WHERE x.incubator_id = i.id AND r.review = '待核验')
		FROM incubators i LEFT JOIN assets a ON a.incubator_id = i.id
		WHERE $1::int = 0 OR i.id = $1::int
		GROUP BY i.id, i.name ORDER BY i.name`, incubatorID)
	if err != nil {
		return nil, fmt.Errorf("postgres: asset summary: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (AssetSummary, error) {
		var s AssetSummary
		err := r.Scan(&s.Incubator, &s.Items, &s.Value, &s.Missing, &s.MissingValue, &s.Damaged, &s.DamagedValue,
			&s.Restored, &s.RestoredValue, &s.Verified, &s.VerifiedValue, &s.PendingReviews)
		return s, err
	})
}

// SaveStatusReport stores a period's report; a report already there for the
// period is kept as history, marked replaced.
func (db *DB) SaveStatusReport(ctx context.Context, r *incubator.StatusReport, a Actor) (replaced bool, err error) {
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		replaced, err = saveStatusReport(ctx, tx, r, a)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("postgres: status report: %w", err)
	}
	return replaced, nil
}

// ImportStatusReports creates the incubator when it is new and saves its
// reports, in one transaction: all of them or, on a failure, nothing.
func (db *DB) ImportStatusReports(ctx context.Context, name string, reports []incubator.StatusReport, a Actor) (incubator.Incubator, error) {
	var inc incubator.Incubator
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if inc, err = ensureIncubator(ctx, tx, name, a); err != nil {
			return err
		}
		for i := range reports {
			reports[i].IncubatorID = inc.ID
			if _, err := saveStatusReport(ctx, tx, &reports[i], a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return incubator.Incubator{}, fmt.Errorf("postgres: import status reports of %q: %w", name, err)
	}
	return inc, nil
}

func saveStatusReport(ctx context.Context, tx pgx.Tx, r *incubator.StatusReport, a Actor) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE status_reports SET replaced_at = now() WHERE incubator_id = $1::int AND period = $2::text AND replaced_at IS NULL`, r.IncubatorID, r.Period)
	if err != nil {
		return false, err
	}
	replaced := tag.RowsAffected() > 0
	if err := tx.QueryRow(ctx, `INSERT INTO status_reports (incubator_id, period, tenants, new_tenants, graduated, events, served, patents, financing_wan, jobs, note, reporter, channel)
		VALUES ($1::int, $2::text, $3::int, $4::int, $5::int, $6::int, $7::int, $8::int, $9::bigint / 100.0, $10::int, $11::text, $12::text, $13::text)
		RETURNING id, submitted_at`, r.IncubatorID, r.Period, r.Tenants, r.NewTenants, r.Graduated, r.Events, r.Served, r.Patents, r.FinancingWan, r.Jobs, r.Note, r.Reporter, r.Channel).Scan(&r.ID, &r.SubmittedAt); err != nil {
		return false, err
	}
	return replaced, audit(ctx, tx, a, map[bool]string{true: "resubmit", false: "submit"}[replaced], "status_report", fmt.Sprint(r.ID), nil, r)
}

// StatusReports lists the current reports of periods between from and to
// (inclusive, compared as text: 2026-01 … 2026-12, 2026Q1 …); history
// includes replaced ones.
func (db *DB) StatusReports(ctx context.Context, from, to string, history bool) ([]incubator.StatusReport, error) {
	rows, err := db.pool.Query(ctx, `SELECT s.id, s.incubator_id, i.name, s.period, s.tenants, s.new_tenants, s.graduated, s.events, s.served, s.patents,
		(s.financing_wan * 100)::bigint, s.jobs, s.note, s.reporter, s.channel, s.submitted_at, s.replaced_at
		FROM status_reports s JOIN incubators i ON i.id = s.incubator_id
		WHERE s.period >= $1::text AND s.period <= $2::text AND ($3::boolean OR s.replaced_at IS NULL) ORDER BY s.period, i.name, s.id`, from, to, history)
	if err != nil {
		return nil, fmt.Errorf("postgres: status reports: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (incubator.StatusReport, error) {
		var s incubator.StatusReport
		err := r.Scan(&s.ID, &s.IncubatorID, &s.Incubator, &s.Period, &s.Tenants, &s.NewTenants, &s.Graduated, &s.Events, &s.Served, &s.Patents,
			&s.FinancingWan, &s.Jobs, &s.Note, &s.Reporter, &s.Channel, &s.SubmittedAt, &s.ReplacedAt)
		return s, err
	})
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Role     string    `json:"role"`
	Channel  string    `json:"channel"`
	Action   string    `json:"action"`
	Entity   string    `json:"entity"`
	EntityID string    `json:"entity_id"`
	Before   string    `json:"before,omitempty"`
	After    string    `json:"after,omitempty"`
}

// Audit lists the audit log since a time, oldest first.
func (db *DB) Audit(ctx context.Context, since time.Time) ([]AuditEntry, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, at, actor, role, channel, action, entity, entity_id, coalesce(before::text, ''), coalesce(after::text, '')
		FROM audit_log WHERE at >= $1::timestamptz ORDER BY id`, since)
	if err != nil {
		return nil, fmt.Errorf("postgres: audit: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditEntry, error) {
		var e AuditEntry
		err := r.Scan(&e.ID, &e.At, &e.Actor, &e.Role, &e.Channel, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After)
		return e, err
	})
}
