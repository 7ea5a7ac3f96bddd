package models

import (
	"context"
	"hash/fnv"
	"math"
	"os"
	"path/filepath"
	"testing"
	"unicode"

	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/docfile"
)

// vectorByMap is the local embedder as first written: gram hashes counted
// in a map.
func vectorByMap(dims int, text string) []float32 {
	counts := map[uint32]float64{}
	var rs []rune
	for _, r := range text {
		if unicode.Is(unicode.Han, r) || unicode.IsLetter(r) || unicode.IsDigit(r) {
			rs = append(rs, unicode.ToLower(r))
		} else {
			rs = append(rs, ' ')
		}
	}
	h := fnv.New32a()
	add := func(g []rune, w float64) {
		for _, r := range g {
			if r == ' ' {
				return
			}
		}
		h.Reset()
		h.Write([]byte(string(g)))
		counts[h.Sum32()] += w
	}
	for i := range rs {
		add(rs[i:i+1], 0.5)
		if i+2 <= len(rs) {
			add(rs[i:i+2], 1)
		}
		if i+3 <= len(rs) {
			add(rs[i:i+3], 1)
		}
	}
	v := make([]float64, dims)
	for k, c := range counts {
		idx := int(k % uint32(dims))
		sign := 1.0
		if (k>>16)&1 == 1 {
			sign = -1
		}
		v[idx] += sign * (1 + math.Log(c))
	}
	return normalize(v)
}

// Stored vectors stay valid: the local embedder gives the vectors it gave
// before counting by sorting (to 1e-7) for every chunk of the evaluation
// corpus and for mixed, repetitive, empty and non-Chinese texts.
func TestLocalEmbedderVectorsUnchanged(t *testing.T) {
	texts := []string{"", " ", "。，", "高企", "高新技术企业认定管理办法 第十条", "ABC abc Ünïcödé 123 4.5% 高高高高高高",
		"研发费用加计扣除比例为100%。研发费用加计扣除比例为100%。", "ſtraße KELVIN \u212a x\ufffdy 😀 emoji"}
	files, err := filepath.Glob(filepath.Join("..", "testdata", "corpus", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("evaluation corpus: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := docfile.Parse(context.Background(), filepath.Base(f), data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		texts = append(texts, p.Text)
		for _, c := range docfile.Split(p.Text, p.Tables) {
			texts = append(texts, corpus.IndexText(p.Meta.Title, &c))
		}
	}
	e := NewLocalEmbedder()
	got, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range texts {
		want := vectorByMap(e.Dims, text)
		if len(got[i]) != len(want) {
			t.Fatalf("%q: %d dimensions, want %d", text, len(got[i]), len(want))
		}
		for j := range want {
			if math.Abs(float64(got[i][j]-want[j])) > 1e-7 {
				t.Fatalf("%.40q: dimension %d is %g, was %g", text, j, got[i][j], want[j])
			}
		}
	}
}
