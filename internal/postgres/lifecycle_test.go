package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/internal/testdb"
)

var manager = postgres.Actor{Name: "王经理", Role: "manager", Channel: "console"}

// permutations lists every order of 0..n-1.
func permutations(n int) [][]int {
	if n == 1 {
		return [][]int{{0}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := append(append(append([]int{}, p[:i]...), n-1), p[i:]...)
			out = append(out, q)
		}
	}
	return out
}

// An asset's status follows its reports whatever order they are verified
// in: three reports (缺失, 补齐, 损坏) of one asset, verified in each of the
// six orders with each of the eight outcomes, always end where the latest
// report not rejected says, and while a restoration waits the summary
// counts it as 已补齐待核验.
func TestStatusUnderEveryVerificationOrder(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	var register []incubator.Asset
	perms := permutations(3)
	for i := 0; i < len(perms)*8; i++ {
		register = append(register, incubator.Asset{Code: fmt.Sprintf("ORD-%03d", i), Name: "投影仪", Quantity: 1, UnitPrice: 100000})
	}
	inc, _, err := db.ImportRegister(ctx, "创客城", register, officer)
	if err != nil {
		t.Fatal(err)
	}
	kinds := []string{incubator.KindMissing, incubator.KindRestored, incubator.KindDamaged}
	n := 0
	for _, order := range perms {
		for outcome := 0; outcome < 8; outcome++ {
			code := fmt.Sprintf("ORD-%03d", n)
			n++
			asset, err := db.AssetsByCode(ctx, code)
			if err != nil || len(asset) != 1 {
				t.Fatal(asset, err)
			}
			var ids [3]int64
			for k, kind := range kinds {
				rep := &incubator.AssetReport{AssetID: asset[0].ID, Kind: kind, Reporter: "王经理", Channel: "console"}
				if err := db.CreateAssetReport(ctx, rep, manager); err != nil {
					t.Fatalf("%s report %d: %v", code, k, err)
				}
				ids[k] = rep.ID
			}
			passed := func(k int) bool { return outcome&(1<<k) != 0 }
			for _, k := range order {
				if _, err := db.ReviewReport(ctx, ids[k], passed(k), "现场核对", officer); err != nil {
					t.Fatalf("%s review %d: %v", code, k, err)
				}
			}
			if _, err := db.ReviewReport(ctx, ids[order[0]], true, "再核验一次", officer); !errors.Is(err, incubator.ErrConflict) {
				t.Fatalf("%s: a report is verified once: %v", code, err)
			}
			want := incubator.StatusRegistered // every report rejected
			switch {
			case passed(2):
				want = incubator.StatusDamaged
			case passed(1):
				want = incubator.StatusVerified
			case passed(0):
				want = incubator.StatusMissing
			}
			got, err := db.AssetsByCode(ctx, code)
			if err != nil || got[0].Status != want {
				t.Errorf("%s: verified in order %v with outcome %03b: status %s, want %s (%v)", code, order, outcome, got[0].Status, want, err)
			}
		}
	}
	// The case, step by step: report 缺失, report 补齐, then the
	// 缺失 report verified first.
	asset, _ := db.AssetsByCode(ctx, "ORD-000")
	miss := &incubator.AssetReport{AssetID: asset[0].ID, Kind: incubator.KindMissing, Reporter: "王经理", Channel: "console"}
	if err := db.CreateAssetReport(ctx, miss, manager); err != nil {
		t.Fatal(err)
	}
	rest := &incubator.AssetReport{AssetID: asset[0].ID, Kind: incubator.KindRestored, Reporter: "王经理", Channel: "console"}
	if err := db.CreateAssetReport(ctx, rest, manager); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReviewReport(ctx, miss.ID, true, "属实", officer); err != nil {
		t.Fatal(err)
	}
	sums, err := db.AssetSummaries(ctx, inc.ID)
	if err != nil || len(sums) != 1 {
		t.Fatal(sums, err)
	}
	if sums[0].Restored != 1 || sums[0].PendingReviews != 1 {
		t.Fatalf("a restoration waiting for verification is counted as 已补齐待核验 after an older report is verified: %+v", sums[0])
	}
}

// Reports made and verified interleaved: 缺失 then 补齐, each verification
// at any point after its report, every outcome. A 补齐 made after its 缺失
// was rejected is refused (nothing is missing), and the asset always ends
// as the latest report not rejected says.
func TestStatusUnderInterleavedReportsAndVerifications(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	var register []incubator.Asset
	for i := 0; i < 12; i++ {
		register = append(register, incubator.Asset{Code: fmt.Sprintf("MIX-%02d", i), Name: "电脑", Quantity: 1, UnitPrice: 500000})
	}
	if _, _, err := db.ImportRegister(ctx, "创客城", register, officer); err != nil {
		t.Fatal(err)
	}
	// After 缺失 is made: the other three steps in every order that keeps
	// the 补齐's verification after the 补齐 itself.
	orders := [][]string{{"V1", "C2", "V2"}, {"C2", "V1", "V2"}, {"C2", "V2", "V1"}}
	n := 0
	for _, order := range orders {
		for outcome := 0; outcome < 4; outcome++ {
			code := fmt.Sprintf("MIX-%02d", n)
			n++
			a, _ := db.AssetsByCode(ctx, code)
			pass1, pass2 := outcome&1 != 0, outcome&2 != 0
			r1 := &incubator.AssetReport{AssetID: a[0].ID, Kind: incubator.KindMissing, Reporter: "王经理", Channel: "console"}
			if err := db.CreateAssetReport(ctx, r1, manager); err != nil {
				t.Fatal(err)
			}
			var r2 *incubator.AssetReport
			for _, step := range order {
				switch step {
				case "V1":
					if _, err := db.ReviewReport(ctx, r1.ID, pass1, "核对", officer); err != nil {
						t.Fatal(err)
					}
				case "C2":
					r2 = &incubator.AssetReport{AssetID: a[0].ID, Kind: incubator.KindRestored, Reporter: "王经理", Channel: "console"}
					if err := db.CreateAssetReport(ctx, r2, manager); err != nil {
						if !errors.Is(err, incubator.ErrConflict) {
							t.Fatal(err)
						}
						r2 = nil
					}
				case "V2":
					if r2 == nil {
						continue
					}
					if _, err := db.ReviewReport(ctx, r2.ID, pass2, "核对", officer); err != nil {
						t.Fatal(err)
					}
				}
			}
			var want string
			switch {
			case r2 == nil && pass1:
				t.Fatalf("%s: 补齐 after a verified 缺失 must be accepted", code)
			case r2 == nil:
				want = incubator.StatusRegistered
			case pass2:
				want = incubator.StatusVerified
			case pass1:
				want = incubator.StatusMissing
			default:
				want = incubator.StatusRegistered
			}
			got, _ := db.AssetsByCode(ctx, code)
			if got[0].Status != want {
				t.Errorf("%s: %v with 缺失 %v, 补齐 %v: status %s, want %s", code, order, pass1, pass2, got[0].Status, want)
			}
		}
	}
}
