package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// progress draws a bar on a terminal, or prints a line every tenth of the
// way when the output is a file or pipe.
type progress struct {
	w       io.Writer
	label   string
	total   int
	tty     bool
	start   time.Time
	lastPct int
}

func newProgress(w io.Writer, label string, total int) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &progress{w: w, label: label, total: total, tty: tty, start: time.Now(), lastPct: -1}
}

// set shows done of total, with a note (e.g. the current file).
func (p *progress) set(done int, note string) {
	if p.total <= 0 {
		return
	}
	// A total that was an estimate (a synthetic load's chunks) grows to
	// what was done rather than drawing past the end of the bar.
	p.total = max(p.total, done)
	pct := done * 100 / p.total
	if p.tty {
		const width = 30
		fill := width * done / p.total
		if r := []rune(note); len(r) > 40 {
			note = "…" + string(r[len(r)-39:])
		}
		fmt.Fprintf(p.w, "\r\033[K%s [%s%s] %d/%d %s", p.label, strings.Repeat("=", fill), strings.Repeat(" ", width-fill), done, p.total, note)
		return
	}
	if pct/10 != p.lastPct/10 || done == p.total {
		p.lastPct = pct
		fmt.Fprintf(p.w, "%s %d/%d (%d%%) %s\n", p.label, done, p.total, pct, time.Since(p.start).Round(time.Second))
	}
}

// done ends the bar's line.
func (p *progress) done() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
