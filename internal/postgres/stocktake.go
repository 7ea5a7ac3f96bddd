package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/internal/model"
	"github.com/jackc/pgx/v5"
)

const stocktakeColumns = `s.id, s.incubator_id, i.name, i.operator, s.status, s.opened_by, s.opened_at, s.closed_by, s.closed_at`

func scanStocktake(row pgx.Row) (incubator.Stocktake, error) {
	var s incubator.Stocktake
	err := row.Scan(&s.ID, &s.IncubatorID, &s.Incubator, &s.Operator, &s.Status, &s.OpenedBy, &s.OpenedAt, &s.ClosedBy, &s.ClosedAt)
	return s, err
}

const stocktakeItemColumns = `asset_id, code, name, spec, location, quantity, unit_price_fen, status_at_open, result, new_location, note, checked_by, checked_at`

func scanStocktakeItem(row pgx.Row) (incubator.StocktakeItem, error) {
	var it incubator.StocktakeItem
	err := row.Scan(&it.AssetID, &it.Code, &it.Name, &it.Spec, &it.Location, &it.Quantity, &it.UnitPrice, &it.StatusAtOpen, &it.Result, &it.NewLocation, &it.Note, &it.CheckedBy, &it.CheckedAt)
	return it, err
}

func collectItems(rows pgx.Rows, err error) ([]incubator.StocktakeItem, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (incubator.StocktakeItem, error) { return scanStocktakeItem(r) })
}

// SetIncubatorOperator records the company that runs an incubator (named in
// compensation notices).
func (db *DB) SetIncubatorOperator(ctx context.Context, incubatorID int, operator string, a Actor) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var before string
		if err := tx.QueryRow(ctx, `SELECT operator FROM incubators WHERE id = $1::int FOR UPDATE`, incubatorID).Scan(&before); err != nil {
			return err
		}
		if before == operator {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE incubators SET operator = $2::text WHERE id = $1::int`, incubatorID, operator); err != nil {
			return err
		}
		return audit(ctx, tx, a, "set_operator", "incubator", fmt.Sprint(incubatorID), map[string]string{"operator": before}, map[string]string{"operator": operator})
	})
	if err != nil {
		return fmt.Errorf("postgres: set operator: %w", err)
	}
	return nil
}

// OpenStocktake starts a stock-take of an incubator: its register as it
// stands is copied, to be walked. One stock-take per incubator may be in
// progress (RefuseStocktakeOpen names it).
func (db *DB) OpenStocktake(ctx context.Context, incubatorID int, now time.Time, a Actor) (incubator.Stocktake, error) {
	var st incubator.Stocktake
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT id FROM incubators WHERE id = $1::int FOR UPDATE`, incubatorID); err != nil {
			return err
		}
		var open int64
		err := tx.QueryRow(ctx, `SELECT id FROM stocktakes WHERE incubator_id = $1::int AND status <> 'closed'`, incubatorID).Scan(&open)
		if err == nil {
			return incubator.NewRefusal(incubator.RefuseStocktakeOpen, fmt.Sprintf("盘点#%d", open), true)
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO stocktakes (incubator_id, opened_by, opened_at) VALUES ($1::int, $2::text, $3::timestamptz) RETURNING id`,
			incubatorID, a.Name, now).Scan(&id); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO stocktake_items (stocktake_id, asset_id, code, name, spec, location, quantity, unit_price_fen, status_at_open)
			SELECT $1::bigint, a.id, a.code, a.name, a.spec, a.location, a.quantity, least(a.unit_price * 100, 9223372036854775807)::bigint, a.status
			FROM assets a WHERE a.incubator_id = $2::int`, id, incubatorID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return incubator.NewRefusal(incubator.RefuseEmptyRegister, "", false)
		}
		if st, err = scanStocktake(tx.QueryRow(ctx, `SELECT `+stocktakeColumns+` FROM stocktakes s JOIN incubators i ON i.id = s.incubator_id WHERE s.id = $1::bigint`, id)); err != nil {
			return err
		}
		return audit(ctx, tx, a, "stocktake:open", "stocktake", fmt.Sprint(id), nil, map[string]any{"incubator": st.Incubator, "items": tag.RowsAffected()})
	})
	return st, wrapStocktake("open stocktake", err)
}

// wrapStocktake keeps refusals and sentinels as they are for the caller to
// render and wraps everything else.
func wrapStocktake(what string, err error) error {
	if err == nil || errors.Is(err, incubator.ErrConflict) || errors.Is(err, incubator.ErrNotFound) || errors.Is(err, incubator.ErrInvalid) {
		return err
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

// CurrentStocktake is the incubator's stock-take in progress, or ErrNotFound.
func (db *DB) CurrentStocktake(ctx context.Context, incubatorID int) (incubator.Stocktake, error) {
	st, err := scanStocktake(db.pool.QueryRow(ctx, `SELECT `+stocktakeColumns+` FROM stocktakes s JOIN incubators i ON i.id = s.incubator_id
		WHERE s.incubator_id = $1::int AND s.status <> 'closed'`, incubatorID))
	if errors.Is(err, pgx.ErrNoRows) {
		return st, fmt.Errorf("stocktake of incubator %d: %w", incubatorID, ErrNotFound)
	}
	return st, wrapStocktake("current stocktake", err)
}

// Stocktakes lists an incubator's stock-takes (0: every incubator's), newest first.
func (db *DB) Stocktakes(ctx context.Context, incubatorID int) ([]incubator.Stocktake, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+stocktakeColumns+` FROM stocktakes s JOIN incubators i ON i.id = s.incubator_id
		WHERE $1::int = 0 OR s.incubator_id = $1::int ORDER BY s.id DESC`, incubatorID)
	if err != nil {
		return nil, fmt.Errorf("postgres: stocktakes: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (incubator.Stocktake, error) { return scanStocktake(r) })
}

// StocktakeByID finds a stock-take, or ErrNotFound.
func (db *DB) StocktakeByID(ctx context.Context, id int64) (incubator.Stocktake, error) {
	st, err := scanStocktake(db.pool.QueryRow(ctx, `SELECT `+stocktakeColumns+` FROM stocktakes s JOIN incubators i ON i.id = s.incubator_id WHERE s.id = $1::bigint`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return st, fmt.Errorf("stocktake %d: %w", id, ErrNotFound)
	}
	return st, wrapStocktake("stocktake", err)
}

// StocktakeProgress counts items and checked items per location.
func (db *DB) StocktakeProgress(ctx context.Context, id int64) ([]incubator.LocationProgress, error) {
	rows, err := db.pool.Query(ctx, `SELECT location, count(*), count(*) FILTER (WHERE result <> '') FROM stocktake_items
		WHERE stocktake_id = $1::bigint GROUP BY location ORDER BY location COLLATE "C"`, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: stocktake progress: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (incubator.LocationProgress, error) {
		var p incubator.LocationProgress
		err := r.Scan(&p.Location, &p.Total, &p.Checked)
		return p, err
	})
}

// StocktakeItems lists every item of a stock-take by location and code.
func (db *DB) StocktakeItems(ctx context.Context, id int64) ([]incubator.StocktakeItem, error) {
	items, err := collectItems(db.pool.Query(ctx, `SELECT `+stocktakeItemColumns+` FROM stocktake_items WHERE stocktake_id = $1::bigint ORDER BY location COLLATE "C", code COLLATE "C"`, id))
	return items, wrapStocktake("stocktake items", err)
}

// StocktakeExtras lists what was found that is not on the register, with
// the code each was added to the register under (EnterStocktakeExtra).
func (db *DB) StocktakeExtras(ctx context.Context, id int64) ([]incubator.StocktakeExtra, error) {
	rows, err := db.pool.Query(ctx, `SELECT e.id, e.description, e.location, e.found_by, e.found_at, coalesce(a.code, '')
		FROM stocktake_extras e LEFT JOIN assets a ON a.id = e.asset_id WHERE e.stocktake_id = $1::bigint ORDER BY e.id`, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: stocktake extras: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (incubator.StocktakeExtra, error) {
		var e incubator.StocktakeExtra
		err := r.Scan(&e.ID, &e.Description, &e.Location, &e.FoundBy, &e.FoundAt, &e.Entered)
		return e, err
	})
}

// EnterStocktakeExtra adds an item a stock-take found off the register
// (盘盈, by its number) to the incubator's register: x carries the code,
// unit price and category; name and spec come from the description, the
// location from where it was found. Refused, changing nothing: a number no
// stock-take found (RefuseExtraUnknown), one entered before
// (RefuseExtraEntered), a code the register has (RefuseCodeInUse), an asset
// that fails Validate (ErrInvalid).
func (db *DB) EnterStocktakeExtra(ctx context.Context, extraID int64, x incubator.Asset, a Actor) (incubator.Asset, error) {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var stID int64
		var desc, entered string
		err := tx.QueryRow(ctx, `SELECT e.stocktake_id, e.description, e.location, s.incubator_id, coalesce(a.code, '') FROM stocktake_extras e
			JOIN stocktakes s ON s.id = e.stocktake_id LEFT JOIN assets a ON a.id = e.asset_id
			WHERE e.id = $1::bigint FOR UPDATE OF e`, extraID).Scan(&stID, &desc, &x.Location, &x.IncubatorID, &entered)
		if errors.Is(err, pgx.ErrNoRows) {
			return incubator.NewRefusal(incubator.RefuseExtraUnknown, fmt.Sprint(extraID), false)
		}
		if err != nil {
			return err
		}
		if entered != "" {
			return incubator.NewRefusal(incubator.RefuseExtraEntered, entered, true)
		}
		x.Code = incubator.CleanCode(x.Code)
		if _, err := tx.Exec(ctx, `SELECT id FROM incubators WHERE id = $1::int FOR UPDATE`, x.IncubatorID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT code FROM assets WHERE incubator_id = $1::int`, x.IncubatorID)
		if err != nil {
			return err
		}
		codes, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, c := range codes {
			if incubator.CodeKey(c) == incubator.CodeKey(x.Code) {
				return incubator.NewRefusal(incubator.RefuseCodeInUse, c, true)
			}
		}
		x.Name, x.Spec, _ = strings.Cut(desc, " ")
		x.Spec = strings.TrimSpace(x.Spec)
		x.Quantity, x.Note = 1, fmt.Sprintf("盘点#%d 盘盈入账", stID)
		if _, err := importAssets(ctx, tx, x.IncubatorID, []incubator.Asset{x}, a); err != nil {
			return err
		}
		if x, err = scanAsset(tx.QueryRow(ctx, `SELECT `+assetColumns+` FROM assets a JOIN incubators i ON i.id = a.incubator_id
			WHERE a.incubator_id = $1::int AND a.code = $2::text`, x.IncubatorID, x.Code)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE stocktake_extras SET asset_id = $2::bigint WHERE id = $1::bigint`, extraID, x.ID); err != nil {
			return err
		}
		return audit(ctx, tx, a, "stocktake:enter_extra", "stocktake_extra", fmt.Sprint(extraID), nil, map[string]any{"code": x.Code, "asset": x.ID, "stocktake": stID})
	})
	return x, wrapStocktake("enter stocktake extra", err)
}

// StocktakeResult sums a stock-take and the incubator's one closed before it.
func (db *DB) StocktakeResult(ctx context.Context, id int64) (incubator.StocktakeResult, error) {
	res, err := db.tally(ctx, id)
	if err != nil {
		return res, err
	}
	var prev int64
	err = db.pool.QueryRow(ctx, `SELECT id FROM stocktakes WHERE incubator_id = $1::int AND status = 'closed' AND id < $2::bigint ORDER BY id DESC LIMIT 1`,
		res.Stocktake.IncubatorID, id).Scan(&prev)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return res, nil
	case err != nil:
		return res, fmt.Errorf("postgres: previous stocktake: %w", err)
	}
	p, err := db.tally(ctx, prev)
	if err != nil {
		return res, err
	}
	res.Previous = &p
	return res, nil
}

func (db *DB) tally(ctx context.Context, id int64) (incubator.StocktakeResult, error) {
	st, err := db.StocktakeByID(ctx, id)
	if err != nil {
		return incubator.StocktakeResult{}, err
	}
	items, err := db.StocktakeItems(ctx, id)
	if err != nil {
		return incubator.StocktakeResult{}, err
	}
	var extras int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM stocktake_extras WHERE stocktake_id = $1::bigint`, id).Scan(&extras); err != nil {
		return incubator.StocktakeResult{}, fmt.Errorf("postgres: stocktake extras: %w", err)
	}
	return incubator.Tallies(st, items, extras), nil
}

// lockOpen locks a stock-take against closing while a mark is written, and
// refuses one that is no longer in progress.
func lockOpen(ctx context.Context, tx pgx.Tx, id int64) error {
	var status string
	err := tx.QueryRow(ctx, `SELECT status FROM stocktakes WHERE id = $1::bigint FOR SHARE`, id).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && status != incubator.StocktakeOpen {
		return incubator.NewRefusal(incubator.RefuseNoStocktake, "", true)
	}
	return err
}

// firstApply records that a message was applied to a stock-take; false
// when it was already (handled again after a crash).
func firstApply(ctx context.Context, tx pgx.Tx, id, msgRow int64) (bool, error) {
	if msgRow == 0 {
		return true, nil
	}
	tag, err := tx.Exec(ctx, `INSERT INTO stocktake_applied (stocktake_id, msg_row) VALUES ($1::bigint, $2::bigint) ON CONFLICT DO NOTHING`, id, msgRow)
	return err == nil && tag.RowsAffected() == 1, err
}

// StocktakePage shows a person the next unchecked items of a location (at
// most incubator.MaxPage) and remembers them: numbers in the person's next
// marks refer to this page.
func (db *DB) StocktakePage(ctx context.Context, id, personID int64, location string) ([]incubator.StocktakeItem, error) {
	var page []incubator.StocktakeItem
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockOpen(ctx, tx, id); err != nil {
			return err
		}
		var err error
		page, err = nextPage(ctx, tx, id, personID, location)
		return err
	})
	return page, wrapStocktake("stocktake page", err)
}

func nextPage(ctx context.Context, tx pgx.Tx, id, personID int64, location string) ([]incubator.StocktakeItem, error) {
	page, err := collectItems(tx.Query(ctx, `SELECT `+stocktakeItemColumns+` FROM stocktake_items
		WHERE stocktake_id = $1::bigint AND location = $2::text AND result = '' ORDER BY code COLLATE "C" LIMIT $3::int`, id, location, incubator.MaxPage))
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(page))
	for i := range page {
		ids[i] = page[i].AssetID
	}
	_, err = tx.Exec(ctx, `INSERT INTO stocktake_views (stocktake_id, person_id, location, asset_ids) VALUES ($1::bigint, $2::bigint, $3::text, $4::bigint[])
		ON CONFLICT (stocktake_id, person_id) DO UPDATE SET location = excluded.location, asset_ids = excluded.asset_ids`, id, personID, location, ids)
	return page, err
}

// MarkStocktake applies a manager's mark to a stock-take in progress, in one
// transaction: numbers refer to the page shown last to the person, codes to
// any item of the stock-take. msgRow (the message's row id) makes it
// idempotent: the same message applied again changes nothing.
func (db *DB) MarkStocktake(ctx context.Context, id, personID, msgRow int64, m incubator.Mark, now time.Time, a Actor) (incubator.MarkOutcome, error) {
	var out incubator.MarkOutcome
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockOpen(ctx, tx, id); err != nil {
			return err
		}
		var viewIDs []int64
		err := tx.QueryRow(ctx, `SELECT location, asset_ids FROM stocktake_views WHERE stocktake_id = $1::bigint AND person_id = $2::bigint`, id, personID).Scan(&out.Location, &viewIDs)
		hasView := err == nil
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		first, err := firstApply(ctx, tx, id, msgRow)
		if err != nil {
			return err
		}
		if !first {
			out.Repeated = true
			out.Page, err = viewItems(ctx, tx, id, viewIDs)
			return err
		}
		var ids []int64
		var unknown []string
		if m.All {
			if !hasView || len(viewIDs) == 0 {
				return incubator.NewRefusal(incubator.RefuseNoPage, "", false)
			}
			// Every item on the page not yet checked: marks already made stand.
			rows, err := tx.Query(ctx, `SELECT asset_id FROM stocktake_items WHERE stocktake_id = $1::bigint AND asset_id = ANY($2::bigint[]) AND result = ''`, id, viewIDs)
			if err != nil {
				return err
			}
			open, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				return err
			}
			ids = append(ids, open...)
		}
		var codes []string
		for _, r := range m.Refs {
			switch {
			case r.Code != "":
				codes = append(codes, r.Code)
			case !hasView:
				return incubator.NewRefusal(incubator.RefuseNoPage, "", false)
			case r.Num < 1 || r.Num > len(viewIDs):
				unknown = append(unknown, fmt.Sprint(r.Num))
			default:
				ids = append(ids, viewIDs[r.Num-1])
			}
		}
		if len(codes) > 0 {
			rows, err := tx.Query(ctx, `SELECT c, asset_id FROM unnest($2::text[]) c LEFT JOIN stocktake_items s ON s.stocktake_id = $1::bigint AND upper(s.code) = c`, id, codes)
			if err != nil {
				return err
			}
			var code string
			var aid *int64
			_, err = pgx.ForEachRow(rows, []any{&code, &aid}, func() error {
				if aid == nil {
					unknown = append(unknown, code)
				} else {
					ids = append(ids, *aid)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		if len(unknown) > 0 {
			return incubator.NewRefusal(incubator.RefuseUnknownRefs, strings.Join(unknown, "、"), false)
		}
		note, newLoc := "", ""
		switch m.Result {
		case incubator.FoundDamaged:
			note = m.Text
		case incubator.FoundMoved:
			newLoc = m.Text
		}
		if m.Result == incubator.FoundMoved && newLoc == "" {
			// Found here, registered elsewhere: here is the new place.
			var elsewhere bool
			if err := tx.QueryRow(ctx, `SELECT bool_and(location <> $3::text) FROM stocktake_items WHERE stocktake_id = $1::bigint AND asset_id = ANY($2::bigint[])`,
				id, ids, out.Location).Scan(&elsewhere); err != nil {
				return err
			}
			if !hasView || !elsewhere {
				return incubator.NewRefusal(incubator.RefuseMoveNowhere, "", false)
			}
			newLoc = out.Location
		}
		out.Marked, err = collectItems(tx.Query(ctx, `UPDATE stocktake_items SET result = $3::text, new_location = $4::text, note = $5::text, checked_by = $6::text, checked_at = $7::timestamptz
			WHERE stocktake_id = $1::bigint AND asset_id = ANY($2::bigint[]) RETURNING `+stocktakeItemColumns, id, ids, m.Result, newLoc, note, a.Name, now))
		if err != nil {
			return err
		}
		if hasView {
			// The page stays as shown (its numbers keep their meaning for
			// the next message) until every item on it is checked.
			if out.Page, err = viewItems(ctx, tx, id, viewIDs); err != nil {
				return err
			}
			if done(out.Page) {
				if out.Page, err = nextPage(ctx, tx, id, personID, out.Location); err != nil {
					return err
				}
				out.NewPage = true
			}
		}
		return audit(ctx, tx, a, "stocktake:mark", "stocktake", fmt.Sprint(id), nil, map[string]any{"result": m.Result, "assets": ids, "message": msgRow})
	})
	return out, wrapStocktake("mark stocktake", err)
}

// viewItems reads the items of a page in the order they were shown.
func viewItems(ctx context.Context, tx pgx.Tx, id int64, ids []int64) ([]incubator.StocktakeItem, error) {
	return collectItems(tx.Query(ctx, `SELECT `+stocktakeItemColumns+` FROM unnest($2::bigint[]) WITH ORDINALITY v(aid, n)
		JOIN stocktake_items s ON s.stocktake_id = $1::bigint AND s.asset_id = v.aid ORDER BY v.n`, id, ids))
}

func done(page []incubator.StocktakeItem) bool {
	for _, it := range page {
		if it.Result == "" {
			return false
		}
	}
	return true
}

// AddStocktakeExtra records an item found that is not on the register (盘盈)
// at the location the person is walking; idempotent by msgRow.
func (db *DB) AddStocktakeExtra(ctx context.Context, id, personID, msgRow int64, description string, now time.Time, a Actor) (incubator.StocktakeExtra, bool, error) {
	var e incubator.StocktakeExtra
	repeated := false
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockOpen(ctx, tx, id); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT location FROM stocktake_views WHERE stocktake_id = $1::bigint AND person_id = $2::bigint`, id, personID).Scan(&e.Location)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		first, err := firstApply(ctx, tx, id, msgRow)
		if err != nil || !first {
			repeated = !first
			return err
		}
		e.Description, e.FoundBy, e.FoundAt = description, a.Name, now
		if err := tx.QueryRow(ctx, `INSERT INTO stocktake_extras (stocktake_id, description, location, found_by, found_at) VALUES ($1::bigint, $2::text, $3::text, $4::text, $5::timestamptz) RETURNING id`,
			id, description, e.Location, a.Name, now).Scan(&e.ID); err != nil {
			return err
		}
		return audit(ctx, tx, a, "stocktake:extra", "stocktake", fmt.Sprint(id), nil, e)
	})
	return e, repeated, wrapStocktake("stocktake extra", err)
}

// CloseStocktake ends a stock-take: its missing and damaged findings are
// recorded onto the assets as asset reports (CreateAssetReport, the path
// every report takes), verified by the closing officer (ReviewReport), and
// the stock-take is closed. A close cut short by a crash is finished by
// calling it again; a closed stock-take is refused (RefuseStocktakeClosed).
func (db *DB) CloseStocktake(ctx context.Context, id int64, now time.Time, a Actor) (incubator.StocktakeResult, error) {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var status string
		err := tx.QueryRow(ctx, `SELECT status FROM stocktakes WHERE id = $1::bigint FOR UPDATE`, id).Scan(&status)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("stocktake %d: %w", id, ErrNotFound)
		case err != nil:
			return err
		case status == incubator.StocktakeClosed:
			return incubator.NewRefusal(incubator.RefuseStocktakeClosed, fmt.Sprintf("盘点#%d", id), true)
		}
		_, err = tx.Exec(ctx, `UPDATE stocktakes SET status = 'closing', closed_by = $2::text WHERE id = $1::bigint`, id, a.Name)
		return err
	})
	if err != nil {
		return incubator.StocktakeResult{}, wrapStocktake("close stocktake", err)
	}
	items, err := collectItems(db.pool.Query(ctx, `SELECT `+stocktakeItemColumns+` FROM stocktake_items
		WHERE stocktake_id = $1::bigint AND result IN ('缺失', '损坏') AND report_id IS NULL ORDER BY code`, id))
	if err != nil {
		return incubator.StocktakeResult{}, wrapStocktake("close stocktake", err)
	}
	marker := fmt.Sprintf("盘点#%d", id)
	for _, it := range items {
		if err := db.recordFinding(ctx, id, marker, it, a); err != nil {
			return incubator.StocktakeResult{}, fmt.Errorf("postgres: close stocktake %d, asset %s: %w", id, it.Code, err)
		}
	}
	moved, err := collectItems(db.pool.Query(ctx, `SELECT `+stocktakeItemColumns+` FROM stocktake_items
		WHERE stocktake_id = $1::bigint AND result = '移位' AND new_location <> '' ORDER BY code`, id))
	if err != nil {
		return incubator.StocktakeResult{}, wrapStocktake("close stocktake", err)
	}
	for _, it := range moved {
		if err := db.recordMove(ctx, marker+" 发现", it, a); err != nil {
			return incubator.StocktakeResult{}, fmt.Errorf("postgres: close stocktake %d, move %s: %w", id, it.Code, err)
		}
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE stocktakes SET status = 'closed', closed_at = $2::timestamptz WHERE id = $1::bigint`, id, now); err != nil {
			return err
		}
		return audit(ctx, tx, a, "stocktake:close", "stocktake", fmt.Sprint(id), nil, map[string]any{"findings": len(items)})
	})
	if err != nil {
		return incubator.StocktakeResult{}, wrapStocktake("close stocktake", err)
	}
	return db.StocktakeResult(ctx, id)
}

// recordMove moves an asset found elsewhere to where it was found, by the
// transfer 调拨 writes (note: "盘点#N 发现"), once: a close cut short finds
// the transfer it made. An asset the transfer rules refuse (already there,
// registered missing) is left as it is.
func (db *DB) recordMove(ctx context.Context, note string, it incubator.StocktakeItem, a Actor) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT id FROM assets WHERE id = $1::bigint FOR UPDATE`, it.AssetID); err != nil {
			return err
		}
		var done bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM asset_transfers WHERE asset_id = $1::bigint AND note = $2::text)`, it.AssetID, note).Scan(&done); err != nil || done {
			return err
		}
		_, err := transferTx(ctx, tx, it.AssetID, it.NewLocation, "", note, a)
		var ref *incubator.Refusal
		if errors.As(err, &ref) || errors.Is(err, incubator.ErrNotFound) {
			return nil
		}
		return err
	})
}

// recordFinding turns one missing or damaged finding into a verified asset
// report, finding the report a cut-short close made before.
func (db *DB) recordFinding(ctx context.Context, id int64, marker string, it incubator.StocktakeItem, a Actor) error {
	var repID int64
	var review string
	err := db.pool.QueryRow(ctx, `SELECT id, review FROM asset_reports WHERE asset_id = $1::bigint AND raw_text = $2::text ORDER BY id DESC LIMIT 1`, it.AssetID, marker).Scan(&repID, &review)
	if errors.Is(err, pgx.ErrNoRows) {
		note := marker + "发现" + it.Result
		if it.Note != "" {
			note += "：" + it.Note
		}
		rep := &incubator.AssetReport{AssetID: it.AssetID, Kind: it.Result, Note: note, RawText: marker, Reporter: a.Name, Channel: a.Channel}
		err = db.CreateAssetReport(ctx, rep, a)
		var ref *incubator.Refusal
		if errors.As(err, &ref) {
			// The register already records it so (an earlier report):
			// nothing to add.
			return nil
		}
		if err != nil {
			return err
		}
		repID, review = rep.ID, rep.Review
	} else if err != nil {
		return err
	}
	if review == incubator.ReviewPending {
		if _, err := db.ReviewReport(ctx, repID, true, marker+"结束时确认", a); err != nil {
			return err
		}
	}
	// Photos the manager sent with the mark (AttachStocktakePhoto) join the report.
	if _, err := db.pool.Exec(ctx, `UPDATE received_files SET asset_report_id = $1::bigint
		WHERE asset_report_id IS NULL AND stocktake_id = $2::bigint AND stocktake_asset_id = $3::bigint`, repID, id, it.AssetID); err != nil {
		return err
	}
	_, err = db.pool.Exec(ctx, `UPDATE stocktake_items SET report_id = $3::bigint WHERE stocktake_id = $1::bigint AND asset_id = $2::bigint`, id, it.AssetID, repID)
	return err
}

// AttachStocktakePhoto attaches a photo to the 缺失 or 损坏 mark the person
// (a.Name) made since the time in their incubator's stock-take in progress;
// at close it joins the asset report the mark becomes. model.ErrNotFound
// when there is no such mark, model.ErrConflict when the item has
// MaxReportPhotos already. The same file attached again adds nothing.
func (db *DB) AttachStocktakePhoto(ctx context.Context, fileID int64, incubatorID int, since time.Time, a Actor) (model.AttachedPhoto, error) {
	p := model.AttachedPhoto{FileID: fileID}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var stID, assetID int64
		err := tx.QueryRow(ctx, `SELECT s.id, it.asset_id, it.code, it.name FROM stocktakes s JOIN stocktake_items it ON it.stocktake_id = s.id
			WHERE s.incubator_id = $1::int AND s.status = 'open' AND it.checked_by = $2::text AND it.result IN ('缺失', '损坏') AND it.checked_at >= $3::timestamptz
			ORDER BY it.checked_at DESC, it.code LIMIT 1 FOR SHARE OF s`, incubatorID, a.Name, since).Scan(&stID, &assetID, &p.AssetCode, &p.AssetName)
		if errors.Is(err, pgx.ErrNoRows) {
			return model.ErrNotFound
		}
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id FROM received_files WHERE stocktake_id = $1::bigint AND stocktake_asset_id = $2::bigint`, stID, assetID)
		if err != nil {
			return err
		}
		files, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		p.Count = len(files)
		if slices.Contains(files, fileID) {
			return nil
		}
		if p.Count >= MaxReportPhotos {
			return model.ErrConflict
		}
		tag, err := tx.Exec(ctx, `UPDATE received_files SET stocktake_id = $2::bigint, stocktake_asset_id = $3::bigint
			WHERE id = $1::bigint AND asset_report_id IS NULL AND stocktake_id IS NULL`, fileID, stID, assetID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return model.ErrNotFound
		}
		p.Count++
		return audit(ctx, tx, a, "stocktake:photo", "received_file", fmt.Sprint(fileID), nil, map[string]int64{"stocktake": stID, "asset": assetID})
	})
	if err != nil {
		return p, fmt.Errorf("postgres: attach stocktake photo: %w", err)
	}
	return p, nil
}

// CreateNotice issues a compensation notice for the items a closed
// stock-take found missing. number "" generates prefix〔year〕N号 with the
// next N of that prefix and year. The operator is the incubator's.
func (db *DB) CreateNotice(ctx context.Context, stocktakeID int64, number, prefix string, deadline, now time.Time, a Actor) (incubator.Notice, error) {
	var id int64
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var status, operator, incName string
		var incID int
		err := tx.QueryRow(ctx, `SELECT s.status, s.incubator_id, i.name, i.operator FROM stocktakes s JOIN incubators i ON i.id = s.incubator_id WHERE s.id = $1::bigint FOR UPDATE OF s`,
			stocktakeID).Scan(&status, &incID, &incName, &operator)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("stocktake %d: %w", stocktakeID, ErrNotFound)
		case err != nil:
			return err
		case status != incubator.StocktakeClosed:
			return incubator.NewRefusal(incubator.RefuseNotClosed, fmt.Sprintf("盘点#%d", stocktakeID), true)
		}
		var existing string
		err = tx.QueryRow(ctx, `SELECT number FROM notices WHERE stocktake_id = $1::bigint`, stocktakeID).Scan(&existing)
		if err == nil {
			return incubator.NewRefusal(incubator.RefuseNoticeExists, existing, true)
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if operator == "" {
			operator = incName + "运营单位"
		}
		if number == "" {
			// One notice numbered at a time, so that two never take the same number.
			if _, err := tx.Exec(ctx, `LOCK TABLE notices IN SHARE ROW EXCLUSIVE MODE`); err != nil {
				return err
			}
			var n int
			head := fmt.Sprintf("%s〔%d〕", prefix, now.Year())
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM notices WHERE starts_with(number, $1::text)`, head).Scan(&n); err != nil {
				return err
			}
			number = incubator.NoticeNumber(prefix, now.Year(), n+1)
		}
		var used int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM notices WHERE number = $1::text`, number).Scan(&used); err != nil {
			return err
		}
		if used > 0 {
			return incubator.NewRefusal(incubator.RefuseNoticeNumberUsed, number, true)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO notices (number, stocktake_id, incubator_id, operator, deadline, issued_by, issued_at)
			VALUES ($1::text, $2::bigint, $3::int, $4::text, $5::date, $6::text, $7::timestamptz) RETURNING id`,
			number, stocktakeID, incID, operator, deadline, a.Name, now).Scan(&id); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO notice_items (notice_id, asset_id, code, name, spec, quantity, unit_price_fen)
			SELECT $1::bigint, asset_id, code, name, spec, quantity, unit_price_fen FROM stocktake_items WHERE stocktake_id = $2::bigint AND result = '缺失'`, id, stocktakeID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return incubator.NewRefusal(incubator.RefuseNoMissing, fmt.Sprintf("盘点#%d", stocktakeID), false)
		}
		return audit(ctx, tx, a, "notice:issue", "notice", fmt.Sprint(id), nil, map[string]any{"number": number, "stocktake": stocktakeID, "items": tag.RowsAffected()})
	})
	if err != nil {
		return incubator.Notice{}, wrapStocktake("create notice", err)
	}
	return db.NoticeByID(ctx, id)
}

const noticeColumns = `n.id, n.number, n.stocktake_id, n.incubator_id, i.name, n.operator, n.deadline, n.issued_by, n.issued_at`

// NoticeByID reads a notice with its items and where each stands: a 补齐
// report on the asset after its stock-take's finding, verified (已补齐核验),
// waiting (已报补齐待核验) or none or rejected (未补齐).
func (db *DB) NoticeByID(ctx context.Context, id int64) (incubator.Notice, error) {
	var n incubator.Notice
	err := db.pool.QueryRow(ctx, `SELECT `+noticeColumns+` FROM notices n JOIN incubators i ON i.id = n.incubator_id WHERE n.id = $1::bigint`, id).
		Scan(&n.ID, &n.Number, &n.StocktakeID, &n.IncubatorID, &n.Incubator, &n.Operator, &n.Deadline, &n.IssuedBy, &n.IssuedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return n, fmt.Errorf("notice %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return n, fmt.Errorf("postgres: notice %d: %w", id, err)
	}
	rows, err := db.pool.Query(ctx, `SELECT ni.asset_id, ni.code, ni.name, ni.spec, ni.quantity, ni.unit_price_fen, coalesce(r.id, 0), coalesce(r.review, '')
		FROM notice_items ni
		JOIN stocktake_items si ON si.stocktake_id = $2::bigint AND si.asset_id = ni.asset_id
		LEFT JOIN LATERAL (SELECT x.id, x.review FROM asset_reports x WHERE x.asset_id = ni.asset_id AND x.kind = '补齐' AND x.id > coalesce(si.report_id, 0)
			ORDER BY x.id DESC LIMIT 1) r ON true
		WHERE ni.notice_id = $1::bigint ORDER BY ni.code`, id, n.StocktakeID)
	if err != nil {
		return n, fmt.Errorf("postgres: notice items: %w", err)
	}
	n.Items, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (incubator.NoticeItem, error) {
		var it incubator.NoticeItem
		var review string
		err := r.Scan(&it.AssetID, &it.Code, &it.Name, &it.Spec, &it.Quantity, &it.UnitPrice, &it.ReportID, &review)
		switch review {
		case incubator.ReviewPassed:
			it.State = incubator.ItemReplaced
		case incubator.ReviewPending:
			it.State = incubator.ItemPending
		default:
			it.State = incubator.ItemOutstanding
		}
		return it, err
	})
	if err != nil {
		return n, fmt.Errorf("postgres: notice items: %w", err)
	}
	return n, nil
}

// Notices lists every notice with its items, newest first.
func (db *DB) Notices(ctx context.Context) ([]incubator.Notice, error) {
	rows, err := db.pool.Query(ctx, `SELECT id FROM notices ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("postgres: notices: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: notices: %w", err)
	}
	out := make([]incubator.Notice, 0, len(ids))
	for _, id := range ids {
		n, err := db.NoticeByID(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// NoticeByNumber finds a notice by its 文号, or ErrNotFound.
func (db *DB) NoticeByNumber(ctx context.Context, number string) (incubator.Notice, error) {
	var id int64
	err := db.pool.QueryRow(ctx, `SELECT id FROM notices WHERE number = $1::text`, incubator.CleanNoticeNumber(number)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return incubator.Notice{}, fmt.Errorf("notice %q: %w", number, ErrNotFound)
	}
	if err != nil {
		return incubator.Notice{}, fmt.Errorf("postgres: notice %q: %w", number, err)
	}
	return db.NoticeByID(ctx, id)
}
