package postgres

import (
	"maps"
	"strings"
	"testing"
)

// The text form PostgreSQL 15 prints for a filtered tsvector (quotes and
// backslashes doubled), read back into term frequencies for BM25.
func TestTermFrequencies(t *testing.T) {
	got := termFrequencies(`'a\\b':2A 'it''s':1A,3A,7A '高企':4A 'x'`)
	want := map[string]int{`a\b`: 1, "it's": 3, "高企": 1, "x": 0}
	if !maps.Equal(got, want) {
		t.Fatalf("termFrequencies = %v, want %v", got, want)
	}
}

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
