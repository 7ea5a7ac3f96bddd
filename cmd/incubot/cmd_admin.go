package main

import (
	"context"
	"time"

	"encoding/json"
	"flag"
	"fmt"
	"github.com/incubot/incubot/internal/config"
	"github.com/incubot/incubot/knowledge/zh"
	"path/filepath"
	"text/tabwriter"
)

func newFlags(name string, a *app) *flag.FlagSet {
	fs := flag.NewFlagSet("incubot "+name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	return fs
}

// parse parses flags, allowing them after positional arguments too.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, errHelp
			}
			return nil, usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

var errHelp = &usageError{"see the flags above"}

func cmdMigrate(ctx context.Context, a *app, args []string) error {
	fs := newFlags("migrate", a)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := a.rawDB(ctx)
	if err != nil {
		return err
	}
	applied, err := db.Migrate(ctx)
	for _, name := range applied {
		a.printf("applied %s\n", name)
	}
	if err != nil {
		return err
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		a.printf("schema is current (version %d)\n", v)
	} else {
		a.printf("schema is at version %d\n", v)
	}
	return nil
}

func cmdConfig(ctx context.Context, a *app, args []string) error {
	fs := newFlags("config", a)
	asJSON := fs.Bool("json", false, "print JSON")
	markdown := fs.Bool("markdown", false, "print the README's configuration table")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	settings := a.cfg.Effective()
	switch {
	case *asJSON:
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(settings)
	case *markdown:
		a.printf("| variable | default | meaning |\n| --- | --- | --- |\n")
		for _, s := range settings {
			a.printf("| `%s` | %s | %s |\n", s.Name, mdCode(s.Default), s.Help)
		}
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	for _, s := range settings {
		fmt.Fprintf(tw, "%s\t%s\n", s.Name, s.Value)
	}
	return tw.Flush()
}

// sinceDate reads a --since flag; empty means days ago.
func sinceDate(flag string, days int) (time.Time, error) {
	if flag == "" {
		return time.Now().AddDate(0, 0, -days), nil
	}
	t, err := zh.ParseDate(flag)
	if err != nil {
		return t, usagef("--since: %v", err)
	}
	return t, nil
}

// reportProblems prints every problem of a rejected file and says nothing
// was written.
func (a *app) reportProblems(file string, problems []fmt.Stringer) error {
	for _, p := range problems {
		fmt.Fprintln(a.stderr, "✗", safe(p.String()))
	}
	return fmt.Errorf("%s: %d problem(s); nothing was imported", safe(file), len(problems))
}

func mdCode(s string) string {
	if s == "" {
		return "(empty)"
	}
	return "`" + s + "`"
}

func cmdDoctor(ctx context.Context, a *app, args []string) error {
	fs := newFlags("doctor", a)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	failed := 0
	check := func(ok bool, what, hint string) {
		mark := "✓"
		if !ok {
			mark = "✗"
			failed++
		}
		a.printf("%s %s", mark, what)
		if hint != "" {
			a.printf("  (%s)", hint)
		}
		a.printf("\n")
	}
	where := "embedded PGlite in " + filepath.Join(a.cfg.DataDir, "pgdata")
	if a.cfg.DatabaseURL != "" {
		where = config.RedactURL(a.cfg.DatabaseURL)
	}
	db, err := a.rawDB(ctx)
	if err != nil {
		check(false, "database reachable: "+where, firstLine(err.Error()))
		return fmt.Errorf("%d check(s) failed", failed+1)
	}
	ver, _ := db.ServerVersion(ctx)
	check(true, "database reachable: "+where, "PostgreSQL "+ver)
	embedded := a.cfg.DatabaseURL == ""
	for _, line := range databaseChecks(ctx, db, embedded) {
		check(line.ok, line.what, line.hint)
	}
	printExpiring(ctx, a, db)
	for _, line := range modelChecks(ctx, a) {
		check(line.ok, line.what, line.hint)
	}
	if a.cfg.EmbedBaseURL != "" {
		m, err := db.Model(ctx, a.embedder().Name())
		switch {
		case err == nil && m.Ready:
			check(true, "vectors of "+m.Name+" complete", "")
		default:
			check(false, "vectors of the configured embedding model are incomplete", "run: incubot kb reindex (until it finishes, retrieval uses the local vectors)")
		}
	}
	ok, what, hint := wechatCheck(ctx, a, db)
	check(ok, what, hint)
	for _, l := range []checkLine{wecomCheck(ctx, a), kfCheck(ctx, a)} {
		check(l.ok, l.what, l.hint)
	}
	printToolChecks(ctx, a)
	if failed > 0 {
		return fmt.Errorf("%d check(s) failed", failed)
	}
	return nil
}

type checkLine struct {
	ok         bool
	what, hint string
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
