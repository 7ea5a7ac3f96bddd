// Package sheet reads and writes the spreadsheets officers exchange: .xlsx
// through excelize, and .csv (UTF-8, with or without BOM, or GB18030).
package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/unicode/norm"
)

// ErrUnsupported is a file type other than .xlsx or .csv.
var ErrUnsupported = errors.New("unsupported spreadsheet type")

// Table is the first sheet of a file: its header row and the data rows
// below it. Read takes the first row as the header; Columns looks further
// down when the sheet opens with title rows (青秀众创空间固定资产台账).
type Table struct {
	Header    []string
	HeaderRow int // the header's spreadsheet row number, from 1
	Rows      [][]string
	all       [][]string
}

// maxTitleRows is how far down Columns looks for the header row.
const maxTitleRows = 10

// Limits on what Read opens: a register or a status sheet is a few hundred
// rows, so anything far larger is refused before it fills memory.
const (
	MaxFileSize     = 20 << 20  // the file itself
	MaxUnzippedSize = 200 << 20 // an .xlsx, unpacked
)

// Read loads the first sheet of an .xlsx file or a .csv file. It opens
// only regular files of at most MaxFileSize.
func Read(path string) (*Table, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", filepath.Base(path))
	}
	if fi.Size() > MaxFileSize {
		return nil, fmt.Errorf("%s is %d MB, more than the %d MB a spreadsheet may have", filepath.Base(path), fi.Size()>>20, MaxFileSize>>20)
	}
	var rows [][]string
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		f, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: MaxUnzippedSize, UnzipXMLSizeLimit: MaxUnzippedSize / 4})
		if err != nil {
			return nil, fmt.Errorf("%s is not a readable .xlsx file (damaged, or another format renamed)", filepath.Base(path))
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, fmt.Errorf("%s has no sheet", filepath.Base(path))
		}
		rows, err = readXLSX(f, sheets[0])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
		}
	case ".csv":
		data, err := readLimited(path)
		if err != nil {
			return nil, err
		}
		data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
		if !utf8.Valid(data) {
			if data, err = simplifiedchinese.GB18030.NewDecoder().Bytes(data); err != nil {
				return nil, fmt.Errorf("%s is neither UTF-8 nor GB18030 text", filepath.Base(path))
			}
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		if rows, err = r.ReadAll(); err != nil {
			return nil, fmt.Errorf("%s is not valid CSV: %w", filepath.Base(path), err)
		}
	default:
		return nil, fmt.Errorf("%w %q: use .xlsx or .csv", ErrUnsupported, filepath.Ext(path))
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s is empty", filepath.Base(path))
	}
	t := &Table{all: rows}
	t.useHeader(0)
	return t, nil
}

// readLimited reads at most MaxFileSize bytes: the file may have grown, or
// been swapped, since it was checked.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s is more than the %d MB a spreadsheet may have", filepath.Base(path), MaxFileSize>>20)
	}
	return data, nil
}

func (t *Table) useHeader(i int) {
	t.Header = nil
	for _, h := range t.all[i] {
		t.Header = append(t.Header, strings.TrimSpace(h))
	}
	t.HeaderRow, t.Rows = i+1, t.all[i+1:]
}

// readXLSX reads a sheet's cells as Excel shows them (18,600.00; a code
// formatted 00123 keeps its zeros), except dates: a cell whose number format
// is a date (built-in formats 14–22, the CJK ones, or a custom one with y, m
// or d) comes as 2019-03-01, or 2019-03-01 14:30:00 when it holds a time,
// never as the locale's "03-01-19".
func readXLSX(f *excelize.File, name string) ([][]string, error) {
	rows, err := f.GetRows(name)
	if err != nil {
		return nil, err
	}
	raw, err := f.GetRows(name, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, err
	}
	dateStyle := map[int]bool{}
	for r := 0; r < len(rows) && r < len(raw); r++ {
		for c := 0; c < len(rows[r]) && c < len(raw[r]); c++ {
			serial, err := strconv.ParseFloat(strings.TrimSpace(raw[r][c]), 64)
			if err != nil || serial < 1 || serial > 2958465 { // a date from 1900-01-01 to 9999-12-31, not a bare time
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			style, err := f.GetCellStyle(name, cell)
			if err != nil || style == 0 {
				continue
			}
			isDate, seen := dateStyle[style]
			if !seen {
				isDate = isDateStyle(f, style)
				dateStyle[style] = isDate
			}
			if !isDate {
				continue
			}
			t, err := excelize.ExcelDateToTime(serial, false)
			if err != nil {
				continue
			}
			t = t.Round(time.Second)
			if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
				rows[r][c] = t.Format(time.DateOnly)
			} else {
				rows[r][c] = t.Format(time.DateTime)
			}
		}
	}
	return rows, nil
}

func isDateStyle(f *excelize.File, id int) bool {
	st, err := f.GetStyle(id)
	if err != nil || st == nil {
		return false
	}
	if st.CustomNumFmt != nil {
		return isDateFormat(*st.CustomNumFmt)
	}
	n := st.NumFmt
	return n >= 14 && n <= 22 || n >= 27 && n <= 36 || n >= 45 && n <= 47 || n >= 50 && n <= 58
}

// isDateFormat says whether a custom number format shows a date: it has a
// y, m or d outside quotes and brackets (m alone could be minutes, but
// with no h or s beside it Excel reads it as a month too).
func isDateFormat(code string) bool {
	quoted, bracket := false, false
	for _, r := range strings.ToLower(code) {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '[':
			bracket = true
		case r == ']':
			bracket = false
		case bracket:
		case r == 'y' || r == 'd' || r == 'm' || r == '年' || r == '月' || r == '日':
			return true
		}
	}
	return false
}

// Columns finds the header row, among the first rows of the sheet, as the
// first one that holds every required column (else the one that holds
// most of them), and maps wanted column names to indexes in it, recognising
// each by any of its aliases (spaces, case and full-width forms ignored).
// Required columns not found are returned as missing; Header, HeaderRow and
// Rows then describe the row it read as the header.
func (t *Table) Columns(aliases map[string][]string, required ...string) (map[string]int, []string) {
	best, bestScore := 0, -1
	for i := 0; i < len(t.all) && i < maxTitleRows; i++ {
		t.useHeader(i)
		idx, missing := t.columns(aliases, required)
		found := 0
		for _, v := range idx {
			if v >= 0 {
				found++
			}
		}
		if len(missing) == 0 {
			return idx, nil
		}
		if score := (len(required)-len(missing))*1000 + found; score > bestScore {
			best, bestScore = i, score
		}
	}
	t.useHeader(best)
	return t.columns(aliases, required)
}

func (t *Table) columns(aliases map[string][]string, required []string) (map[string]int, []string) {
	idx := map[string]int{}
	key := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(norm.NFKC.String(s)), "")) }
	for name, as := range aliases {
		idx[name] = -1
		for i, h := range t.Header {
			for _, a := range as {
				if key(h) == key(a) {
					idx[name] = i
				}
			}
			if idx[name] >= 0 {
				break
			}
		}
	}
	var missing []string
	for _, r := range required {
		if idx[r] < 0 {
			missing = append(missing, r)
		}
	}
	return idx, missing
}

// RowNumber is the spreadsheet row number of Rows[i].
func (t *Table) RowNumber(i int) int { return t.HeaderRow + 1 + i }

// HeaderText is the header row as a person would read it, its non-empty
// cells joined, shortened to fit a line.
func (t *Table) HeaderText() string {
	var cells []string
	for _, h := range t.Header {
		if h != "" {
			cells = append(cells, h)
		}
	}
	s := []rune(strings.Join(cells, "｜"))
	if len(s) > 60 {
		return string(s[:60]) + "…"
	}
	if len(s) == 0 {
		return "（空行）"
	}
	return string(s)
}

// Cell is the trimmed value of a row's column, "" when absent.
func (t *Table) Cell(row []string, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[i])
}
