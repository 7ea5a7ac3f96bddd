package zh

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DatePattern matches a date written 2026年1月31日 and captures the year,
// month and day.
const DatePattern = `(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日`

var (
	reDateISO = regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$`)
	reDateZH  = regexp.MustCompile(`^` + DatePattern + `$`)
)

// ParseDate reads 2026-01-31, 2026/1/31 or 2026年1月31日.
func ParseDate(s string) (time.Time, error) {
	if t := Date(s); t != nil {
		return *t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
}

// Date is ParseDate's date, or nil.
func Date(s string) *time.Time {
	s = strings.TrimSpace(s)
	if m := reDateISO.FindStringSubmatch(s); m != nil {
		return YMD(m[1], m[2], m[3])
	}
	if m := reDateZH.FindStringSubmatch(s); m != nil {
		return YMD(m[1], m[2], m[3])
	}
	return nil
}

// YMD is the day of the year, month and day digits, or nil if there is none.
func YMD(y, mo, d string) *time.Time {
	t, err := time.Parse("2006-1-2", y+"-"+mo+"-"+d)
	if err != nil {
		return nil
	}
	return &t
}

// SmallNumber reads 3, 三 or 十 (small numbers as in 有效期三年); 0 if it
// cannot.
func SmallNumber(s string) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	digits := map[rune]int{'一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	rs := []rune(s)
	switch {
	case len(rs) == 1 && rs[0] == '十':
		return 10
	case len(rs) == 1:
		return digits[rs[0]]
	case len(rs) == 2 && rs[0] == '十':
		return 10 + digits[rs[1]]
	}
	return 0
}

// IsNumeral reports whether s is written in Chinese numerals only (十一, 二〇二六).
func IsNumeral(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("零〇一二三四五六七八九十百千两", r) {
			return false
		}
	}
	return true
}
