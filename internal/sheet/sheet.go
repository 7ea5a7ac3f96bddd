// Package sheet reads and writes the spreadsheets officers exchange: .xlsx
// through excelize, and .csv (UTF-8, with or without BOM, or GB18030).
package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// ErrUnsupported is a file type other than .xlsx or .csv.
var ErrUnsupported = errors.New("unsupported spreadsheet type")

// Table is the first sheet of a file: its header row and data rows.
type Table struct {
	Header []string
	Rows   [][]string
}

// Read loads the first sheet of an .xlsx file or a .csv file.
func Read(path string) (*Table, error) {
	var rows [][]string
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		f, err := excelize.OpenFile(path)
		if err != nil {
			return nil, fmt.Errorf("%s is not a readable .xlsx file (damaged, or another format renamed)", filepath.Base(path))
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, fmt.Errorf("%s has no sheet", filepath.Base(path))
		}
		rows, err = f.GetRows(sheets[0])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
		}
	case ".csv":
		data, err := os.ReadFile(path)
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
	t := &Table{}
	for _, h := range rows[0] {
		t.Header = append(t.Header, strings.TrimSpace(h))
	}
	t.Rows = rows[1:]
	return t, nil
}

// Columns maps wanted column names to indexes, recognising each by any of
// its aliases (spaces and case ignored); required columns not found are
// returned as missing.
func (t *Table) Columns(aliases map[string][]string, required ...string) (map[string]int, []string) {
	idx := map[string]int{}
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), "")) }
	for name, as := range aliases {
		idx[name] = -1
		for i, h := range t.Header {
			for _, a := range as {
				if norm(h) == norm(a) {
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

// Cell is the trimmed value of a row's column, "" when absent.
func (t *Table) Cell(row []string, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[i])
}

// Sheet is one named sheet to write.
type Sheet struct {
	Name string
	Rows [][]string
}

// Write saves sheets to an .xlsx file, header rows in bold, written to a
// temporary file first and renamed so a reader never sees half a file.
func Write(path string, sheets []Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	for i, s := range sheets {
		name := s.Name
		if i == 0 {
			f.SetSheetName("Sheet1", name)
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		for r, row := range s.Rows {
			cells := make([]any, len(row))
			for c, v := range row {
				if r == 0 {
					cells[c] = excelize.Cell{Value: v, StyleID: bold}
				} else {
					cells[c] = v
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := sw.SetRow(cell, cells); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	tmp := filepath.Join(filepath.Dir(path), ".~"+filepath.Base(path)) // keeps the .xlsx suffix excelize needs
	if err := f.SaveAs(tmp); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
