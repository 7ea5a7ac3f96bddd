package postgres

import (
	"strings"
	"testing"
)

// The tsvector literal holds each term once, in order of first appearance,
// with its positions (at most 255), quotes and backslashes doubled.
func TestTsvectorLiteral(t *testing.T) {
	got := tsvectorLiteral([]string{"高企", `a\b`, "高企", "it's", "高企"})
	want := `'高企':1,3,5 'a\\b':2 'it''s':4`
	if got != want {
		t.Fatalf("tsvectorLiteral = %s, want %s", got, want)
	}
	many := make([]string, 300)
	for i := range many {
		many[i] = "x"
	}
	if got := tsvectorLiteral(many); strings.Count(got, ",") != 254 || !strings.HasSuffix(got, ",255") {
		t.Fatalf("300 repeats: %d positions, ends %q", strings.Count(got, ",")+1, got[len(got)-8:])
	}
}

// A bulk load's index build gets memory for the graph it builds, so the
// graph is not finished on disk; bounded, and never below what the server's
// administrator set.
func TestIndexBuildMemory(t *testing.T) {
	const mb = 1 << 20
	small := indexBuildMemory(1000, 384, 64*mb, maxIndexMemory)
	big := indexBuildMemory(300_000, 384, 64*mb, maxIndexMemory)
	if small != 64*mb+1000*(384*4+1024)*6/5 || big < 300_000*384*4 || big <= small {
		t.Errorf("memory for 1,000 and 300,000 vectors: %d MB and %d MB", small/mb, big/mb)
	}
	if got := indexBuildMemory(10_000_000, 1024, 64*mb, maxIndexMemory); got != maxIndexMemory {
		t.Errorf("10 million vectors ask %d MB, want the limit %d MB", got/mb, maxIndexMemory/mb)
	}
	if got := indexBuildMemory(1000, 384, 8<<30, maxIndexMemory); got != 8<<30 {
		t.Errorf("a server set to 8 GB gets %d MB", got/mb)
	}
}
