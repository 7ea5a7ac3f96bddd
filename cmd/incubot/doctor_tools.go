package main

import (
	"context"

	"github.com/incubot/incubot/knowledge/docfile"
)

// printToolChecks lists the document converters. They are optional: a
// missing one is marked "–" with the Debian package to install, and only
// the files that need it are refused, so it does not fail doctor.
func printToolChecks(ctx context.Context, a *app) {
	seen := map[string]bool{}
	for _, t := range docfile.Tools() {
		if seen[t.Package] {
			continue
		}
		seen[t.Package] = true
		if err := docfile.CheckTool(ctx, t); err != nil {
			a.printf("– converter %s missing: %s cannot be read  (apt-get install %s)\n", t.Command, t.For, t.Package)
			continue
		}
		a.printf("✓ converter %s (%s) for %s\n", t.Command, t.Package, t.For)
	}
}
