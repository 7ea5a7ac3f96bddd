package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/bot/console"
	"github.com/incubot/incubot/bot/ops"
	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/internal/model"
	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/internal/sheet"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/zh"
)

var cliActor = postgres.Actor{Name: "cli", Role: "officer", Channel: "cli"}

func (a *app) people(db *postgres.DB) bot.People { return channelPeople{db} }

func (a *app) addIncubatorCommands(r *bot.Router, db *postgres.DB) {
	(&ops.Ops{Store: db, Docs: db, Now: time.Now, ConsoleLink: a.consoleLinkFor(db), Stocktakes: db}).Register(r)
	(&ops.Files{Store: db, KB: func() *knowledge.KB { return a.kbOn(db) }, Now: time.Now, MaxFileSize: a.cfg.MaxUploadSize}).Register(r)
}

// newCode makes a one-time binding code people can type: 8 characters
// without look-alikes.
func newCode() string {
	const alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
	b := make([]byte, 8)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func cmdPeople(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 {
		return usagef("people invite --name 张三 --role manager|officer [--incubator 创客城] [--by 李科长] | list | revoke ID | login-link NAME")
	}
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	switch args[0] {
	case "invite":
		fs := newFlags("people invite", a)
		name := fs.String("name", "", "the person's name")
		role := fs.String("role", "", "manager (bound to one incubator) or officer")
		inc := fs.String("incubator", "", "the incubator a manager runs")
		days := fs.Int("days", 7, "days the code stays valid")
		by := fs.String("by", "", "the officer issuing the code (a bound officer's name), told should the code leak; empty: every bound officer is told")
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		if strings.TrimSpace(*name) == "" {
			return usagef("--name is required")
		}
		if *role != bot.RoleManager && *role != bot.RoleOfficer {
			return usagef("--role must be manager or officer")
		}
		var incID *int
		if *role == bot.RoleManager {
			if *inc == "" {
				return usagef("a manager needs --incubator")
			}
			i, err := db.EnsureIncubator(ctx, *inc, cliActor)
			if err != nil {
				return err
			}
			incID = &i.ID
		}
		var issuer *int64
		if *by != "" {
			o, err := db.PersonByName(ctx, *by, bot.RoleOfficer)
			if err != nil {
				return usagef("--by %s: no single active officer of that name (see people list)", *by)
			}
			issuer = &o.ID
		}
		code := newCode()
		p, err := db.Invite(ctx, *name, *role, incID, model.HashCode(code), time.Now().AddDate(0, 0, *days), issuer, cliActor)
		if err != nil {
			return err
		}
		a.printf("invited %s (id %d, %s%s)\nbinding code: %s  (valid %d days, shown once)\nthe person sends in a private chat with the bot:  绑定 %s\n",
			p.Name, p.ID, p.Role, map[bool]string{true: ", " + p.Incubator, false: ""}[p.Incubator != ""], code, *days, code)
		return nil
	case "list":
		people, err := db.People(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tROLE\tINCUBATOR\tBOUND TO\tSTATE")
		for _, p := range people {
			state := "waiting for 绑定"
			switch {
			case p.RevokedAt != nil:
				state = "revoked " + p.RevokedAt.Format(time.DateOnly)
			case p.BoundAt != nil:
				state = "bound " + p.BoundAt.Format(time.DateOnly)
			}
			bound := "-"
			if p.ContactKey != "" {
				bound = p.Channel + ":" + p.ContactKey
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Name, p.Role, orDash(p.Incubator), bound, state)
		}
		return tw.Flush()
	case "login-link":
		return a.peopleLoginLink(ctx, db, args[1:])
	case "revoke":
		if len(args) != 2 {
			return usagef("people revoke ID (see people list)")
		}
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			return usagef("%q is not an id", args[1])
		}
		if err := db.Revoke(ctx, id, cliActor); err != nil {
			return err
		}
		a.printf("revoked person %d: their role and binding end now\n", id)
		return nil
	}
	return usagef("unknown people subcommand %q", args[0])
}

func cmdAssets(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 {
		return usagef("assets import FILE.xlsx|FILE.csv --incubator 创客城 | list [--incubator 名称] [--status 缺失] | transfer CODE --incubator 名称 --to-location 地点 --to-custodian 姓名 | transfers [CODE --incubator 名称] | life [--set 类别=年数] | overdue [--incubator 名称]")
	}
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	switch args[0] {
	case "import":
		fs := newFlags("assets import", a)
		inc := fs.String("incubator", "", "the incubator the register belongs to")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if len(pos) != 1 || *inc == "" {
			return usagef("assets import FILE --incubator NAME")
		}
		t, err := sheet.Read(pos[0])
		if err != nil {
			return err
		}
		assets, problems := incubator.ParseRegister(t)
		if len(problems) > 0 {
			return a.reportProblems(pos[0], stringers(problems))
		}
		_, res, err := db.ImportRegister(ctx, *inc, assets, cliActor)
		if err != nil {
			return err
		}
		a.printf("%s: %d rows; %d added, %d updated, %d unchanged\n", *inc, len(assets), res.Added, res.Updated, res.Unchanged)
		return nil
	case "list":
		fs := newFlags("assets list", a)
		inc := fs.String("incubator", "", "only this incubator")
		status := fs.String("status", "", "only this status: 在册, 缺失, 损坏, 已补齐, 已核验")
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
		assets, err := db.Assets(ctx, id, *status)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(a.stdout).Encode(assets)
		}
		var total int64
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "INCUBATOR\tCODE\tNAME\tLOCATION\tVALUE\tSTATUS")
		for _, x := range assets {
			if v := x.Value(); total > math.MaxInt64-v {
				total = math.MaxInt64 // a row stored before the bounds existed
			} else {
				total += v
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", safe(x.Incubator), safe(x.Code), safe(x.Name), safe(x.Location), incubator.Yuan(x.Value()), x.Status)
		}
		tw.Flush()
		a.printf("%d items, %s\n", len(assets), incubator.Yuan(total))
		return nil
	case "transfer", "transfers", "life", "overdue":
		return cmdAssetLifecycle(ctx, a, db, args)
	}
	return usagef("unknown assets subcommand %q", args[0])
}

func cmdReport(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 {
		return usagef("report export --from DATE --to DATE -o FILE.xlsx | summary --period 2026H1 [-o FILE.xlsx] [--json] | import FILE.xlsx --incubator NAME | photos REPORT_ID [-o DIR]")
	}
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	switch args[0] {
	case "photos":
		return reportPhotos(ctx, a, db, args[1:])
	case "export":
		fs := newFlags("report export", a)
		from := fs.String("from", "", "first day, YYYY-MM-DD (default: 1 January this year)")
		to := fs.String("to", "", "last day, YYYY-MM-DD (default: today)")
		out := fs.String("o", "", "the .xlsx (or .csv: one file per sheet) to write (required)")
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *out == "" {
			return usagef("report export needs -o FILE.xlsx")
		}
		now := time.Now()
		start, end := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.Local), now
		if *from != "" {
			if start, err = zh.ParseDate(*from); err != nil {
				return usagef("--from: %v", err)
			}
		}
		if *to != "" {
			if end, err = zh.ParseDate(*to); err != nil {
				return usagef("--to: %v", err)
			}
		}
		n, err := exportReport(ctx, db, start, end.AddDate(0, 0, 1), *out)
		if err != nil {
			return err
		}
		a.printf("wrote %s\n", n)
		return nil
	case "summary":
		fs := newFlags("report summary", a)
		period := fs.String("period", "", "2026-10, 2026Q3, 2026H1 (2026年上半年) or 2026 (required)")
		out := fs.String("o", "", "also write the summary to this .xlsx or .csv")
		asJSON := fs.Bool("json", false, "print JSON")
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		sp, err := incubator.ParseSpan(*period)
		if err != nil {
			return usagef("report summary --period: 2026-10, 2026Q3, 2026H1 or 2026")
		}
		reps, err := db.SpanStatusReports(ctx, sp)
		if err != nil {
			return err
		}
		assetReps, err := db.AssetReports(ctx, sp.From, sp.To)
		if err != nil {
			return err
		}
		sums, _ := incubator.Summarize(sp, reps)
		s := incubator.SummarySheet(sp, sums, incubator.CountAssetReports(sp, assetReps))
		if *out != "" {
			if err := sheet.Write(*out, []sheet.Sheet{s}); err != nil {
				return err
			}
			a.printf("wrote %s: %d incubators\n", strings.Join(sheet.Paths(*out, []sheet.Sheet{s}), ", "), len(s.Data))
			return nil
		}
		return printSheet(a, s, *asJSON)
	case "import":
		fs := newFlags("report import", a)
		inc := fs.String("incubator", "", "the incubator the figures belong to")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if len(pos) != 1 || *inc == "" {
			return usagef("report import FILE --incubator NAME (columns 期间, 在孵企业数, 新增入孵, 毕业企业, 举办活动场次, 服务企业人次, 专利申请数, 获得融资额, 就业人数, 备注)")
		}
		t, err := sheet.Read(pos[0])
		if err != nil {
			return err
		}
		reports, problems := incubator.ParseStatusSheet(t)
		if len(problems) > 0 {
			return a.reportProblems(pos[0], stringers(problems))
		}
		for i := range reports {
			reports[i].Reporter, reports[i].Channel = "import", "cli"
		}
		if _, err := db.ImportStatusReports(ctx, *inc, reports, cliActor); err != nil {
			return err
		}
		a.printf("imported %d status reports for %s\n", len(reports), *inc)
		return nil
	}
	return usagef("unknown report subcommand %q", args[0])
}

func stringers(ps []incubator.Problem) []fmt.Stringer {
	out := make([]fmt.Stringer, len(ps))
	for i, p := range ps {
		out[i] = p
	}
	return out
}

// exportReport writes the register, the asset reports and the status
// reports of a span to an Excel file.
func exportReport(ctx context.Context, db *postgres.DB, from, to time.Time, path string) (string, error) {
	assets, err := db.Assets(ctx, 0, "")
	if err != nil {
		return "", err
	}
	reps, err := db.AssetReports(ctx, from, to)
	if err != nil {
		return "", err
	}
	last := to.AddDate(0, 0, -1)
	status, err := db.StatusReports(ctx, from.Format("2006-01"), last.Format("2006-01"), false)
	if err != nil {
		return "", err
	}
	quarter := func(t time.Time) string { return fmt.Sprintf("%dQ%d", t.Year(), (int(t.Month())-1)/3+1) }
	quarters, err := db.StatusReports(ctx, quarter(from), quarter(last), false)
	if err != nil {
		return "", err
	}
	status = append(status, quarters...)
	sheets := incubator.ExportSheets(assets, reps, status)
	err = sheet.Write(path, sheets)
	return fmt.Sprintf("%s: %d assets, %d asset reports, %d status reports", strings.Join(sheet.Paths(path, sheets), ", "), len(assets), len(reps), len(status)), err
}

func cmdAudit(ctx context.Context, a *app, args []string) error {
	fs := newFlags("audit", a)
	since := fs.String("since", "", "from this date on (YYYY-MM-DD); default: the last 7 days")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	from, err := sinceDate(*since, 7)
	if err != nil {
		return err
	}
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	entries, err := db.Audit(ctx, from)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(a.stdout).Encode(entries)
	}
	for _, e := range entries {
		a.printf("%s  %s(%s/%s)  %s %s %s  %s → %s\n", e.At.Local().Format(time.DateTime), safe(e.Actor), e.Role, e.Channel, e.Action, e.Entity, safe(e.EntityID), safe(orDash(e.Before)), safe(orDash(e.After)))
	}
	if len(entries) == 0 {
		a.printf("no changes since %s\n", from.Format(time.DateOnly))
	}
	return nil
}

// loadIncubatorDemo imports the 创客城 register and binds the demo's
// manager (王经理) and officer (李科长) to the console channel.
func (a *app) loadIncubatorDemo(ctx context.Context, db *postgres.DB) error {
	demo := postgres.Actor{Name: "demo", Role: "officer", Channel: "cli"}
	inc, err := db.EnsureIncubator(ctx, incubator.DemoIncubator, demo)
	if err != nil {
		return err
	}
	existing, err := db.Assets(ctx, inc.ID, "")
	if err != nil {
		return err
	}
	if len(existing) == 0 {
		if _, err := db.ImportAssets(ctx, inc.ID, incubator.DemoRegister(), demo); err != nil {
			return err
		}
	}
	if err := incubator.LoadDemoStory(ctx, db, inc); err != nil {
		return fmt.Errorf("demo story: %w", err)
	}
	for _, p := range []struct {
		name, role string
		inc        *int
	}{{"王经理", bot.RoleManager, &inc.ID}, {"李科长", bot.RoleOfficer, nil}} {
		if _, err := db.PersonByContact(ctx, console.Channel, p.name); err == nil {
			continue
		} else if !errors.Is(err, postgres.ErrNotFound) {
			return err
		}
		code := newCode()
		if _, err := db.Invite(ctx, p.name, p.role, p.inc, model.HashCode(code), time.Now().Add(time.Hour), nil, demo); err != nil {
			return err
		}
		if _, err := db.Bind(ctx, model.HashCode(code), console.Channel, p.name, p.name, "private:"+p.name, time.Now()); err != nil {
			return err
		}
	}
	return nil
}

// printSheet prints a sheet's rows: JSON objects keyed by column title for
// programs, else one tab-separated line per row.
func printSheet(a *app, s sheet.Sheet, asJSON bool) error {
	rows := sheet.Texts(s)
	if asJSON {
		var out []map[string]string
		for _, r := range rows[1:] {
			m := map[string]string{}
			for i, v := range r {
				m[rows[0][i]] = v
			}
			out = append(out, m)
		}
		return json.NewEncoder(a.stdout).Encode(out)
	}
	for _, r := range rows {
		a.printf("%s\n", strings.Join(r, "\t"))
	}
	return nil
}
