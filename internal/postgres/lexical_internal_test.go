package postgres

import (
	"maps"
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
