package postgres_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/internal/testdb"
)

var officer = postgres.Actor{Name: "李科长", Role: "officer", Channel: "cli"}

// Finding 12 of issue 12: one row with 数量 2147483647 and 单价 99999999999
// made 资产汇总 fail for everyone (bigint out of range). A row stored before
// the bounds existed must not break the sums, the lists or the reports.
func TestOversizedLegacyRowBreaksNoSum(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	inc, res, err := db.ImportRegister(ctx, "创客城", []incubator.Asset{{Code: "CKC-001", Name: "投影仪", Quantity: 2, UnitPrice: 1860000}}, officer)
	if err != nil || res.Added != 1 {
		t.Fatal(res, err)
	}
	if err := db.Exec(ctx, `INSERT INTO assets (incubator_id, code, name, quantity, unit_price, status)
		SELECT id, 'BIG-1', '旧数据', 2147483647, 99999999999, '缺失' FROM incubators WHERE name = '创客城'`); err != nil {
		t.Fatal(err)
	}
	sums, err := db.AssetSummaries(ctx, 0)
	if err != nil || len(sums) != 1 {
		t.Fatalf("asset summary must not fail because of one row: %v %v", sums, err)
	}
	if sums[0].Items != 2 || sums[0].Value != math.MaxInt64 || sums[0].MissingValue != math.MaxInt64 || sums[0].Missing != 1 {
		t.Fatalf("sums stop at the largest figure instead of failing or wrapping: %+v", sums[0])
	}
	assets, err := db.Assets(ctx, inc.ID, "")
	if err != nil || len(assets) != 2 {
		t.Fatal(assets, err)
	}
	for _, a := range assets {
		if a.Value() < 0 {
			t.Fatalf("%s: a value never wraps round to a negative figure: %d", a.Code, a.Value())
		}
	}
	big, err := db.AssetsByCode(ctx, "big-1")
	if err != nil || len(big) != 1 {
		t.Fatal(big, err)
	}
	rep := &incubator.AssetReport{AssetID: big[0].ID, Kind: incubator.KindRestored, Reporter: "王经理", Channel: "console"}
	if err := db.CreateAssetReport(ctx, rep, officer); err != nil {
		t.Fatal(err)
	}
	if pending, err := db.PendingAssetReports(ctx); err != nil || len(pending) != 1 || pending[0].Value != math.MaxInt64 {
		t.Fatalf("pending reports of an oversized row: %v %v", pending, err)
	}
}

// Finding 12: nothing is stored from a register with a row beyond the
// bounds, whoever calls the store. Finding 15: a failed import does not
// even create its incubator.
func TestFailedImportStoresNothing(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	bad := []incubator.Asset{
		{Code: "QX-001", Name: "投影仪", Quantity: 1, UnitPrice: 1860000},
		{Code: "QX-002", Name: "打印机", Quantity: 2147483647, UnitPrice: 9999999999900},
	}
	if _, _, err := db.ImportRegister(ctx, "青秀众创空间", bad, officer); !errors.Is(err, incubator.ErrInvalid) {
		t.Fatalf("an oversized row must be refused as invalid: %v", err)
	}
	if _, err := db.IncubatorByName(ctx, "青秀众创空间"); !errors.Is(err, postgres.ErrNotFound) {
		t.Fatalf("a failed import must not create its incubator: %v", err)
	}
	if all, err := db.Assets(ctx, 0, ""); err != nil || len(all) != 0 {
		t.Fatalf("a failed import stores no asset: %v %v", all, err)
	}
	inc, err := db.EnsureIncubator(ctx, "创客城", officer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportAssets(ctx, inc.ID, bad, officer); !errors.Is(err, incubator.ErrInvalid) {
		t.Fatalf("ImportAssets validates too: %v", err)
	}
	if all, _ := db.Assets(ctx, 0, ""); len(all) != 0 {
		t.Fatalf("nothing stored: %v", all)
	}
	reports := []incubator.StatusReport{{Period: "2026-09", Tenants: 20, Reporter: "import", Channel: "cli"}, {Period: "2026-10", Tenants: -1, Reporter: "import", Channel: "cli"}}
	if _, err := db.ImportStatusReports(ctx, "东湖众创空间", reports, officer); err == nil {
		t.Fatal("a status report the database refuses fails the import")
	}
	if _, err := db.IncubatorByName(ctx, "东湖众创空间"); !errors.Is(err, postgres.ErrNotFound) {
		t.Fatalf("a failed status import must not create its incubator: %v", err)
	}
	if got, _ := db.StatusReports(ctx, "2026-01", "2026-12", true); len(got) != 0 {
		t.Fatalf("a failed status import saves no report: %v", got)
	}
}

// Finding 14 of issue 12: DUP-002, dup-002, DUP-002 with a zero-width space
// and ＤＵＰ－００２ are one asset, at import and at lookup.
func TestAssetCodeSpellingsAreOneAsset(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	_, res, err := db.ImportRegister(ctx, "创客城", []incubator.Asset{{Code: "DUP-002\u200b", Name: "投影仪", Quantity: 1, UnitPrice: 100}}, officer)
	if err != nil || res.Added != 1 {
		t.Fatal(res, err)
	}
	for i, code := range []string{"dup-002", "ＤＵＰ－００２", "DUP-002"} {
		_, res, err := db.ImportRegister(ctx, "创客城", []incubator.Asset{{Code: code, Name: "投影仪", Quantity: 1, UnitPrice: 100 + int64(i)}}, officer)
		if err != nil || res.Added != 0 || res.Updated != 1 {
			t.Fatalf("%q updates the one asset: %+v %v", code, res, err)
		}
	}
	all, err := db.Assets(ctx, 0, "")
	if err != nil || len(all) != 1 || all[0].Code != "DUP-002" || all[0].UnitPrice != 102 {
		t.Fatalf("one asset, its code stored clean: %+v %v", all, err)
	}
	for _, code := range []string{"dup-002", "ＤＵＰ－００２", "DUP-002\u200b", "\ufeffDup-002"} {
		found, err := db.AssetsByCode(ctx, code)
		if err != nil || len(found) != 1 || found[0].ID != all[0].ID {
			t.Errorf("lookup of %q: %v %v", code, found, err)
		}
	}
	if _, _, err := db.ImportRegister(ctx, "创客城", []incubator.Asset{{Code: "A-1", Name: "x", Quantity: 1}, {Code: "a-1\u200b", Name: "y", Quantity: 1}}, officer); !errors.Is(err, incubator.ErrInvalid) {
		t.Fatalf("two spellings of one code in one import are refused: %v", err)
	}
}
