package main

import (
	"strings"
	"testing"
)

// A bar whose estimated total is passed keeps drawing, full, instead of
// failing (a synthetic load makes more chunks than it aimed at).
func TestProgressPastItsEstimate(t *testing.T) {
	var b strings.Builder
	p := &progress{w: &b, label: "synthetic ingest", total: 10, tty: true, lastPct: -1}
	p.set(5, "")
	p.set(12, "")
	if !strings.Contains(b.String(), "12/12") || strings.Contains(b.String(), "12/10") {
		t.Fatalf("want the bar full at 12/12: %q", b.String())
	}
	b.Reset()
	p = &progress{w: &b, label: "synthetic ingest", total: 10, lastPct: -1}
	p.set(12, "")
	if !strings.Contains(b.String(), "(100%)") {
		t.Fatalf("want 100%%: %q", b.String())
	}
}
