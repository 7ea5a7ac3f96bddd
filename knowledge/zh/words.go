// Package zh holds what incubot knows about Chinese text in general, apart
// from any policy corpus: how common a word is in everyday Chinese, and
// segmentation of a question into words. It imports nothing of the project.
package zh

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:generate sh -c "go run ./gen -idf $(go env GOMODCACHE)/github.com/go-ego/gse@v0.80.3/data/dict/zh/idf.txt | gzip -9 -n > words.txt.gz"

//go:embed words.txt.gz
var wordsGz []byte

// RareIDF is the IDF given to a word the table lacks: rarer than every
// word in it.
const RareIDF = 12.0

var (
	loadOnce sync.Once
	table    map[string]uint8 // IDF×10
)

func words() map[string]uint8 {
	loadOnce.Do(func() {
		zr, err := gzip.NewReader(bytes.NewReader(wordsGz))
		if err != nil {
			panic("zh: embedded word table: " + err.Error())
		}
		table = make(map[string]uint8, 100000)
		sc := bufio.NewScanner(zr)
		for sc.Scan() {
			w, v, ok := strings.Cut(sc.Text(), " ")
			if !ok || strings.HasPrefix(w, "#") {
				continue
			}
			n, err := strconv.Atoi(v)
			if err == nil && n < 256 {
				table[w] = uint8(n)
			}
		}
	})
	return table
}

// IDF is how informative word is in everyday Chinese (the inverse document
// frequency of a general corpus): about 3 for 我们 or 公司, 5–7 for 去年 or
// 研发, RareIDF for a word the table lacks (稳岗, 人才公寓).
func IDF(word string) float64 {
	if v, ok := words()[word]; ok {
		return float64(v) / 10
	}
	return RareIDF
}

// Known reports whether word is in the general-language table.
func Known(word string) bool {
	_, ok := words()[word]
	return ok
}

// Function characters never belong to a content word on their own.
const Function = "的了过着吗呢吧啊呀嘛是在有和与及或也都就还又再被把给让向从对为以于等个些这那其我你他她它们要能会可该将并而但如若则之所"

// Segment splits text into words: each run of Chinese characters by the
// segmentation that minimises the summed IDF of its words (a common word
// is cheap, an unknown character dear), as a unigram language model would;
// consecutive characters no word covers (稳岗) stay together as one unknown
// word, split at function characters. Other runs (letters, digits) are
// kept whole; punctuation and spaces separate.
func Segment(text string) []string {
	var out []string
	var run []rune
	flush := func() {
		if len(run) > 0 {
			out = append(out, segmentHan(run)...)
			run = run[:0]
		}
	}
	var other []rune
	flushOther := func() {
		if len(other) > 0 {
			out = append(out, string(other))
			other = other[:0]
		}
	}
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			flushOther()
			run = append(run, r)
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '%'):
			flush()
			other = append(other, r)
		default:
			flush()
			flushOther()
		}
	}
	flush()
	flushOther()
	return out
}

const unknownChar = 13.0

func segmentHan(rs []rune) []string {
	n := len(rs)
	cost := make([]float64, n+1)
	from := make([]int, n+1)
	t := words()
	for i := 1; i <= n; i++ {
		cost[i], from[i] = cost[i-1]+unknownChar, i-1
		for l := 2; l <= 4 && l <= i; l++ {
			if v, ok := t[string(rs[i-l:i])]; ok {
				if c := cost[i-l] + float64(v)/10; c < cost[i] {
					cost[i], from[i] = c, i-l
				}
			}
		}
	}
	var pieces []string
	for i := n; i > 0; i = from[i] {
		pieces = append(pieces, string(rs[from[i]:i]))
	}
	for l, r := 0, len(pieces)-1; l < r; l, r = l+1, r-1 {
		pieces[l], pieces[r] = pieces[r], pieces[l]
	}
	// Join runs of single characters that are not function characters:
	// the table does not know the word they form.
	var out []string
	var unknown strings.Builder
	flush := func() {
		if unknown.Len() > 0 {
			out = append(out, unknown.String())
			unknown.Reset()
		}
	}
	for _, p := range pieces {
		if utf8.RuneCountInString(p) == 1 && !strings.Contains(Function, p) {
			unknown.WriteString(p)
			continue
		}
		flush()
		out = append(out, p)
	}
	flush()
	return out
}
