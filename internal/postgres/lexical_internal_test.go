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
