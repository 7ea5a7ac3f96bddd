package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/incubot/incubot/bot/ops"
	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/internal/postgres"
)

// cmdAssetLifecycle runs the custody and service-life subcommands of
// assets: transfer, transfers, life, overdue.
func cmdAssetLifecycle(ctx context.Context, a *app, db *postgres.DB, args []string) error {
	switch args[0] {
	case "transfer":
		fs := newFlags("assets transfer", a)
		inc := fs.String("incubator", "", "the incubator whose register holds the code (required)")
		loc := fs.String("to-location", "", "the new location")
		cust := fs.String("to-custodian", "", "the new custodian (责任人)")
		note := fs.String("note", "", "why, e.g. 部门调整")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if len(pos) != 1 || *inc == "" || (*loc == "" && *cust == "") {
			return usagef("assets transfer CODE --incubator NAME --to-location 地点 and/or --to-custodian 姓名 [--note 说明]")
		}
		asset, err := assetInIncubator(ctx, db, *inc, pos[0])
		if err != nil {
			return err
		}
		t, err := db.TransferAsset(ctx, asset.ID, *loc, *cust, *note, cliActor)
		if text, ok := ops.CustodyRefusal(err, asset); ok {
			return fmt.Errorf("%s %s：%s没有登记调拨", asset.Code, asset.Name, text)
		}
		if err != nil {
			return err
		}
		a.printf("transfer %d: %s %s: %s → %s, custodian %s → %s\n", t.ID, safe(t.AssetCode), safe(t.AssetName), safe(t.FromLocation), safe(t.ToLocation), safe(t.FromCustodian), safe(t.ToCustodian))
		return nil
	case "transfers":
		fs := newFlags("assets transfers", a)
		inc := fs.String("incubator", "", "with CODE: the incubator whose register holds it")
		asJSON := fs.Bool("json", false, "print JSON")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		var id int64
		if len(pos) == 1 {
			if *inc == "" {
				return usagef("assets transfers [CODE --incubator NAME] [--json]")
			}
			asset, err := assetInIncubator(ctx, db, *inc, pos[0])
			if err != nil {
				return err
			}
			id = asset.ID
		}
		list, err := db.Transfers(ctx, id)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(a.stdout).Encode(list)
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tAT\tINCUBATOR\tCODE\tNAME\tFROM\tTO\tCUSTODIAN\tBY\tNOTE")
		for _, t := range list {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s → %s\t%s\t%s\n", t.ID, t.At.Local().Format("2006-01-02 15:04"), safe(t.Incubator), safe(t.AssetCode), safe(t.AssetName),
				safe(t.FromLocation), safe(t.ToLocation), safe(t.FromCustodian), safe(t.ToCustodian), safe(t.By), safe(t.Note))
		}
		return tw.Flush()
	case "life":
		fs := newFlags("assets life", a)
		set := fs.String("set", "", "set a category's service life: 类别=年数, e.g. 创客工坊设备=10")
		asJSON := fs.Bool("json", false, "print JSON")
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *set != "" {
			cat, y, ok := strings.Cut(*set, "=")
			years, err := strconv.Atoi(strings.TrimSpace(y))
			if !ok || err != nil {
				return usagef("assets life --set 类别=年数, e.g. 创客工坊设备=10")
			}
			if err := db.SetServiceLife(ctx, incubator.ServiceLife{Category: strings.TrimSpace(cat), Years: years}, cliActor); err != nil {
				var r *incubator.Refusal
				if errors.As(err, &r) {
					return fmt.Errorf("使用年限须是1到100年，类别名称不超过40字：%s", *set)
				}
				return err
			}
			a.printf("service life of %s: %d years\n", strings.TrimSpace(cat), years)
			return nil
		}
		lives, err := db.ServiceLives(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(a.stdout).Encode(lives)
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CATEGORY\tYEARS\tBASIS")
		for _, l := range lives {
			fmt.Fprintf(tw, "%s\t%d\t%s\n", safe(l.Category), l.Years, safe(l.Basis))
		}
		return tw.Flush()
	case "overdue":
		fs := newFlags("assets overdue", a)
		inc := fs.String("incubator", "", "only this incubator")
		asJSON := fs.Bool("json", false, "print JSON")
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		id := 0
		if *inc != "" {
			i, err := db.IncubatorByName(ctx, *inc)
			if err != nil {
				return fmt.Errorf("no incubator named %q", *inc)
			}
			id = i.ID
		}
		assets, err := db.Assets(ctx, id, "")
		if err != nil {
			return err
		}
		lives, err := db.ServiceLives(ctx)
		if err != nil {
			return err
		}
		overdue, uncovered := incubator.PastLife(assets, lives, time.Now())
		if *asJSON {
			return json.NewEncoder(a.stdout).Encode(map[string]any{"overdue": overdue, "uncovered_categories": uncovered})
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "INCUBATOR\tCODE\tNAME\tCATEGORY\tPURCHASED\tYEARS\tDUE\tVALUE\tSTATUS")
		var total int64
		for _, o := range overdue {
			total += o.Value()
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", safe(o.Incubator), safe(o.Code), safe(o.Name), safe(o.Category),
				o.PurchasedOn.Format(time.DateOnly), o.Years, o.Due.Format(time.DateOnly), incubator.Yuan(o.Value()), o.Status)
		}
		tw.Flush()
		a.printf("%d items past their service life and not written off, %s\n", len(overdue), incubator.Yuan(total))
		for cat, n := range uncovered {
			a.printf("category %q (%d items) has no service life: incubot assets life --set '%s=年数'\n", cat, n, cat)
		}
		return nil
	}
	return usagef("unknown assets subcommand %q", args[0])
}

// assetInIncubator finds a code in one incubator's register.
func assetInIncubator(ctx context.Context, db *postgres.DB, inc, code string) (incubator.Asset, error) {
	list, err := db.AssetsByCode(ctx, code)
	if err != nil {
		return incubator.Asset{}, err
	}
	for _, x := range list {
		if x.Incubator == inc {
			return x, nil
		}
	}
	return incubator.Asset{}, fmt.Errorf("%s的台账中没有资产编号 %s", inc, code)
}
