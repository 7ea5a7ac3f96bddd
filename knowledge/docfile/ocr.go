package docfile

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/incubot/incubot/knowledge/corpus"
)

// imageFormats are read by OCR.
var imageFormats = []string{".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}

// LowConfidence is the mean word confidence (0–100) under which a page's
// text should be checked against the paper.
const LowConfidence = 80

// OCRDPI is the resolution scanned PDF pages are rendered at.
const OCRDPI = 300

// OCRInfo says that a document's text came from OCR and how sure it is.
type OCRInfo struct {
	Pages      int
	Confidence float64 // mean word confidence over all pages, 0–100
	LowPages   []int   // 1-based pages under LowConfidence
	Took       time.Duration
}

// Chinese tells the officer that the text was recognised, and where to
// check it.
func (o *OCRInfo) Chinese() string {
	s := fmt.Sprintf("文字由扫描件识别（OCR）得到，共 %d 页，平均置信度 %.0f%%", o.Pages, o.Confidence)
	if len(o.LowPages) > 0 {
		ps := make([]string, len(o.LowPages))
		for i, p := range o.LowPages {
			ps[i] = strconv.Itoa(p)
		}
		s += "；第 " + strings.Join(ps, "、") + " 页置信度低，请对照原件核对（kb show 查看）"
	}
	return s + "。"
}

// ocrPDF renders a scanned PDF's pages with pdftoppm and recognises them.
func ocrPDF(ctx context.Context, data []byte, pages int) (string, *OCRInfo, error) {
	if pages > MaxOCRPages {
		return "", nil, Refuse(RefuseTooManyPage, corpus.ErrTooLarge, strconv.Itoa(MaxOCRPages))
	}
	var text string
	var info *OCRInfo
	err := withTemp("in.pdf", data, func(dir, path string) error {
		start := time.Now()
		var images []string
		for p := 1; p <= max(pages, 1); p++ {
			// One page at a time, each with its own limit.
			n := strconv.Itoa(p)
			if _, err := run(ctx, ToolPdfToPPM, ParseTimeout, dir, "-r", strconv.Itoa(OCRDPI), "-gray", "-png",
				"-f", n, "-l", n, "-singlefile", path, filepath.Join(dir, "p"+n)); err != nil {
				return err
			}
			images = append(images, filepath.Join(dir, "p"+n+".png"))
		}
		var err error
		text, info, err = ocrImages(ctx, dir, images)
		if info != nil {
			info.Took = time.Since(start)
		}
		return err
	})
	return text, info, err
}

// ocrImage recognises one image file.
func ocrImage(ctx context.Context, name string, data []byte) (string, *OCRInfo, error) {
	var text string
	var info *OCRInfo
	err := withTemp("in"+strings.ToLower(filepath.Ext(name)), data, func(dir, path string) error {
		start := time.Now()
		var err error
		text, info, err = ocrImages(ctx, dir, []string{path})
		if info != nil {
			info.Took = time.Since(start)
		}
		return err
	})
	return text, info, err
}

func ocrImages(ctx context.Context, dir string, images []string) (string, *OCRInfo, error) {
	if err := CheckTool(ctx, ToolChiSim); err != nil {
		return "", nil, err
	}
	info := &OCRInfo{Pages: len(images)}
	var all []string
	var confSum float64
	var words int
	for i, img := range images {
		out, err := run(ctx, ToolTesseract, OCRPageTimeout, dir, img, "stdout", "-l", "chi_sim", "--psm", "3", "tsv")
		if err != nil {
			return "", nil, err
		}
		lines, conf, n := readTSV(string(out))
		if n > 0 && conf < LowConfidence {
			info.LowPages = append(info.LowPages, i+1)
		}
		confSum += conf * float64(n)
		words += n
		all = append(all, lines...)
		all = append(all, "")
		os.Remove(img)
	}
	if words > 0 {
		info.Confidence = confSum / float64(words)
	}
	return reflow(all), info, nil
}

// readTSV rebuilds lines from tesseract's TSV in its reading order (block,
// paragraph, line) and returns the mean confidence of its words, weighted
// by their length, and their count. A blank line separates paragraphs.
func readTSV(tsv string) (lines []string, conf float64, words int) {
	type word struct {
		key  [3]int
		pos  int
		text string
		conf float64
	}
	var ws []word
	for i, row := range strings.Split(tsv, "\n") {
		f := strings.Split(row, "\t")
		if i == 0 || len(f) < 12 || f[0] != "5" {
			continue
		}
		c, _ := strconv.ParseFloat(f[10], 64)
		t := strings.TrimSpace(f[11])
		if t == "" || c < 0 {
			continue
		}
		b, _ := strconv.Atoi(f[2])
		p, _ := strconv.Atoi(f[3])
		l, _ := strconv.Atoi(f[4])
		w, _ := strconv.Atoi(f[5])
		ws = append(ws, word{[3]int{b, p, l}, w, t, c})
	}
	sort.SliceStable(ws, func(i, j int) bool {
		for k := range 3 {
			if ws[i].key[k] != ws[j].key[k] {
				return ws[i].key[k] < ws[j].key[k]
			}
		}
		return ws[i].pos < ws[j].pos
	})
	var cur strings.Builder
	var last [3]int
	var weight float64
	for i, w := range ws {
		if i > 0 && w.key != last {
			lines = append(lines, cur.String())
			cur.Reset()
			if w.key[0] != last[0] || w.key[1] != last[1] {
				lines = append(lines, "")
			}
		}
		if cur.Len() > 0 {
			// Tesseract splits Chinese into "words"; join them as written.
			prev, _ := utf8.DecodeLastRuneInString(cur.String())
			next, _ := utf8.DecodeRuneInString(w.text)
			if !wide(prev) && !wide(next) {
				cur.WriteString(" ")
			}
		}
		cur.WriteString(w.text)
		last = w.key
		n := float64(len([]rune(w.text)))
		conf += w.conf * n
		weight += n
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	if weight > 0 {
		conf /= weight
	}
	return lines, conf, len(ws)
}
