package main

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// safe makes text from files, registers and the database safe to print on a
// terminal: control characters (escape codes, newlines, carriage returns),
// invisible format characters (direction overrides, zero-width spaces) and
// bytes that are not UTF-8 are shown escaped (\x1b, \n, \u202e, \xff), so
// a file name can neither drive the terminal nor fake a line of output.
func safe(s string) string { return escape(s, false) }

// safeLines is safe for multi-line text of our own (an error and its hint):
// newlines are kept, everything else is escaped.
func safeLines(s string) string { return escape(s, true) }

func escape(s string, keepNewlines bool) string {
	clean := true
	for _, r := range s {
		if !printable(r) && !(keepNewlines && r == '\n') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case keepNewlines && r == '\n', printable(r):
			b.WriteRune(r)
		default:
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		}
		i += n
	}
	return b.String()
}

func printable(r rune) bool {
	return r != utf8.RuneError && (strconv.IsPrint(r) || unicode.Is(unicode.Zs, r))
}
