package main

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/incubot/incubot/bot/ops"
	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/internal/sheet"
)

// refused turns a refusal of the stock-take or notice rules into a usage
// error in Chinese (exit 2, nothing changed).
func refused(err error) error {
	if text, ok := ops.RefusalText(err); ok {
		return usagef("%s", text)
	}
	return err
}

func stocktakeActor(by string) postgres.Actor {
	a := cliActor
	if by = strings.TrimSpace(by); by != "" {
		a.Name = by
	}
	return a
}

func incubatorNamed(ctx context.Context, db *postgres.DB, name string) (incubator.Incubator, error) {
	if strings.TrimSpace(name) == "" {
		return incubator.Incubator{}, usagef("--incubator is required (e.g. --incubator 创客城)")
	}
	inc, err := db.IncubatorByName(ctx, name)
	if errors.Is(err, postgres.ErrNotFound) {
		return inc, usagef("没有名为“%s”的孵化器，请核对名称（incubot assets list 可查看）。", name)
	}
	return inc, err
}

func cmdStocktake(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 {
		return usagef("stocktake open|progress|close --incubator 创客城 [--by 李科长] | list [--incubator] | show ID [--json] | export ID -o file.xlsx|file.docx | extras ID | enter-extra 盘盈号 --code CKC-102 --price 3500 [--category 办公设备]")
	}
	fs := newFlags("stocktake "+args[0], a)
	incName := fs.String("incubator", "", "the incubator")
	by := fs.String("by", "", "the officer doing it (for the audit log); default cli")
	out := fs.String("o", "", "output file (.xlsx or .docx)")
	asJSON := fs.Bool("json", false, "print JSON")
	code := fs.String("code", "", "enter-extra: the asset code to register the item under")
	price := fs.String("price", "", "enter-extra: unit price in yuan")
	category := fs.String("category", "", "enter-extra: category (类别)")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	byID := func() (int64, error) {
		if len(pos) != 1 {
			return 0, usagef("stocktake %s ID (see stocktake list)", args[0])
		}
		id, err := strconv.ParseInt(strings.TrimPrefix(pos[0], "盘点#"), 10, 64)
		if err != nil || id <= 0 {
			return 0, usagef("“%s”不是盘点编号（stocktake list 可查看）", pos[0])
		}
		if _, err := db.StocktakeByID(ctx, id); errors.Is(err, postgres.ErrNotFound) {
			return 0, usagef("没有盘点#%d（stocktake list 可查看）", id)
		} else if err != nil {
			return 0, err
		}
		return id, nil
	}
	current := func() (incubator.Stocktake, error) {
		inc, err := incubatorNamed(ctx, db, *incName)
		if err != nil {
			return incubator.Stocktake{}, err
		}
		st, err := db.CurrentStocktake(ctx, inc.ID)
		if errors.Is(err, postgres.ErrNotFound) {
			return st, usagef("%s目前没有进行中的盘点。", inc.Name)
		}
		return st, err
	}
	switch args[0] {
	case "open":
		inc, err := incubatorNamed(ctx, db, *incName)
		if err != nil {
			return err
		}
		st, err := db.OpenStocktake(ctx, inc.ID, time.Now(), stocktakeActor(*by))
		if err != nil {
			return refused(err)
		}
		res, err := db.StocktakeResult(ctx, st.ID)
		if err != nil {
			return err
		}
		a.printf("opened %s of %s: %d items, %s\n", st.Label(), safe(st.Incubator), res.Total.Count, incubator.Yuan(res.Total.Value))
		return nil
	case "progress":
		st, err := current()
		if err != nil {
			return err
		}
		prog, err := db.StocktakeProgress(ctx, st.ID)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(a.stdout).Encode(prog)
		}
		for _, p := range prog {
			a.printf("%s\t%d/%d\n", safe(p.Location), p.Checked, p.Total)
		}
		return nil
	case "close":
		st, err := current()
		if err != nil {
			return err
		}
		res, err := db.CloseStocktake(ctx, st.ID, time.Now(), stocktakeActor(*by))
		if err != nil {
			return refused(err)
		}
		a.printf("%s\n", safeLines(res.Summary()))
		return nil
	case "list":
		incID := 0
		if *incName != "" {
			inc, err := incubatorNamed(ctx, db, *incName)
			if err != nil {
				return err
			}
			incID = inc.ID
		}
		list, err := db.Stocktakes(ctx, incID)
		if err != nil {
			return err
		}
		for _, s := range list {
			a.printf("%d\t%s\t%s\t%s\n", s.ID, safe(s.Incubator), s.Status, s.OpenedAt.Local().Format(time.DateOnly))
		}
		return nil
	case "show":
		id, err := byID()
		if err != nil {
			return err
		}
		res, err := db.StocktakeResult(ctx, id)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(a.stdout).Encode(res)
		}
		a.printf("%s\n", safeLines(res.Summary()))
		return nil
	case "export":
		id, err := byID()
		if err != nil {
			return err
		}
		return exportStocktake(ctx, db, id, *out)
	case "extras":
		id, err := byID()
		if err != nil {
			return err
		}
		extras, err := db.StocktakeExtras(ctx, id)
		if err != nil {
			return err
		}
		for _, e := range extras {
			a.printf("%d\t%s\t%s\t%s\n", e.ID, safe(e.Description), safe(e.Location), safe(e.Entered))
		}
		return nil
	case "enter-extra":
		if len(pos) != 1 {
			return usagef("stocktake enter-extra 盘盈号 --code CKC-102 --price 3500 [--category 办公设备]（盘盈号见 stocktake extras ID）")
		}
		x, id, problem := ops.ExtraAsset(pos[0], *code, *price, *category)
		if problem != "" {
			return usagef("%s没有入账。", problem)
		}
		asset, err := db.EnterStocktakeExtra(ctx, id, x, stocktakeActor(*by))
		if err != nil {
			return refused(err)
		}
		a.printf("entered %s %s %s at %s, %s\n", safe(asset.Code), safe(asset.Name), safe(asset.Spec), safe(asset.Location), incubator.Yuan(asset.UnitPrice))
		return nil
	}
	return usagef("unknown stocktake command %q", args[0])
}

func exportStocktake(ctx context.Context, db *postgres.DB, id int64, path string) error {
	res, err := db.StocktakeResult(ctx, id)
	if err != nil {
		return err
	}
	items, err := db.StocktakeItems(ctx, id)
	if err != nil {
		return err
	}
	extras, err := db.StocktakeExtras(ctx, id)
	if err != nil {
		return err
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx":
		return sheet.Write(path, incubator.StocktakeSheets(res, items, extras))
	case ".docx":
		return incubator.StocktakeReport(res, items, extras).Save(path, res.Stocktake.Incubator+"固定资产盘点报告")
	}
	return usagef("-o must name a .xlsx or .docx file")
}

func cmdNotice(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 {
		return usagef("notice issue --incubator 创客城 [--operator 柳州爱创孵化器有限公司] [--number 柳鱼科字〔2021〕3号] [--deadline 2021-05-31] [--prefix 柳鱼科字] [-o notice.docx] | list [--json] | export NUMBER -o file.docx|file.xlsx")
	}
	fs := newFlags("notice "+args[0], a)
	incName := fs.String("incubator", "", "the incubator")
	number := fs.String("number", "", "the notice's 文号; empty: prefix〔year〕N号")
	prefix := fs.String("prefix", incubator.DefaultNoticePrefix, "文号 prefix of generated numbers")
	deadline := fs.String("deadline", "", "replace by this date (YYYY-MM-DD); default 90 days from today")
	issuer := fs.String("issuer", "区科技局", "who signs the notice")
	operator := fs.String("operator", "", "the company running the incubator, named in the notice (kept for the incubator)")
	by := fs.String("by", "", "the officer doing it (for the audit log); default cli")
	out := fs.String("o", "", "output file")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	switch args[0] {
	case "issue":
		inc, err := incubatorNamed(ctx, db, *incName)
		if err != nil {
			return err
		}
		if *operator = strings.TrimSpace(*operator); *operator != "" {
			if err := db.SetIncubatorOperator(ctx, inc.ID, *operator, stocktakeActor(*by)); err != nil {
				return err
			}
		}
		if n := incubator.CleanNoticeNumber(*number); n != "" && !incubator.ValidNoticeNumber(n) {
			return usagef("--number “%s”不像文号，应如 柳鱼科字〔2021〕3号", *number)
		}
		due := now.AddDate(0, 0, ops.DefaultNoticeDays)
		if *deadline != "" {
			if due, err = time.ParseInLocation(time.DateOnly, *deadline, time.Local); err != nil || !due.After(now) {
				return usagef("--deadline 应是今天之后的日期，写成 2021-05-31")
			}
		}
		list, err := db.Stocktakes(ctx, inc.ID)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return usagef("%s还没有盘点记录，无法出具赔偿通知。", inc.Name)
		}
		n, err := db.CreateNotice(ctx, list[0].ID, incubator.CleanNoticeNumber(*number), *prefix, due, now, stocktakeActor(*by))
		if err != nil {
			return refused(err)
		}
		a.printf("issued %s to %s: %d items, %s (%s), deadline %s\n", safe(n.Number), safe(n.Operator), len(n.Items), incubator.Yuan(n.Total()), incubator.ChineseAmount(n.Total()), n.Deadline.Format(time.DateOnly))
		if *out != "" {
			return incubator.NoticeDocument(&n, *issuer).Save(*out, n.Number)
		}
		return nil
	case "list":
		list, err := db.Notices(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(a.stdout).Encode(list)
		}
		if len(list) == 0 {
			a.printf("no notices\n")
			return nil
		}
		a.printf("%s\n", safeLines(ops.NoticeFollowUp(list, now)))
		return nil
	case "export":
		if len(pos) != 1 {
			return usagef("notice export NUMBER -o file.docx|file.xlsx")
		}
		n, err := db.NoticeByNumber(ctx, pos[0])
		if errors.Is(err, postgres.ErrNotFound) {
			return usagef("没有文号为“%s”的赔偿通知（notice list 可查看）。", pos[0])
		}
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(*out)) {
		case ".docx":
			return incubator.NoticeDocument(&n, *issuer).Save(*out, n.Number)
		case ".xlsx":
			return sheet.Write(*out, incubator.NoticeSheets(&n, now))
		}
		return usagef("-o must name a .docx or .xlsx file")
	}
	return usagef("unknown notice command %q", args[0])
}
