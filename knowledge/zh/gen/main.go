// Command gen derives the general-language word table (words.txt) from the
// IDF dictionary that github.com/go-ego/gse ships (data/dict/zh/idf.txt,
// itself from jieba; gse is MIT/Apache-2.0, jieba MIT):
//
//	go run ./knowledge/zh/gen -idf $(go env GOMODCACHE)/github.com/go-ego/gse@v0.80.3/data/dict/zh/idf.txt > knowledge/zh/words.txt
//
// It keeps words of two to four Chinese characters that are at least
// moderately common (IDF at most -max), each with its IDF rounded to a
// tenth: the table says how informative a word is in everyday Chinese,
// and a word it lacks is rare. Loading the whole dictionary instead costs
// about 128 MB of heap.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

func main() {
	path := flag.String("idf", "", "gse's data/dict/zh/idf.txt")
	maxIDF := flag.Float64("max", 11.5, "largest IDF kept")
	flag.Parse()
	f, err := os.Open(*path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	idf := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Fields(sc.Text())
		if len(parts) != 2 {
			continue
		}
		w := parts[0]
		n := utf8.RuneCountInString(w)
		if n < 2 || n > 4 || strings.IndexFunc(w, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) >= 0 {
			continue
		}
		v, err := strconv.ParseFloat(parts[1], 64)
		if err != nil || v > *maxIDF {
			continue
		}
		if old, ok := idf[w]; !ok || v < old {
			idf[w] = v
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	words := make([]string, 0, len(idf))
	for w := range idf {
		words = append(words, w)
	}
	sort.Strings(words)
	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(out, "# word IDF×10, derived from go-ego/gse v0.80.3 data/dict/zh/idf.txt (jieba); see gen/main.go")
	for _, w := range words {
		fmt.Fprintf(out, "%s %d\n", w, int(idf[w]*10+0.5))
	}
	out.Flush()
}
