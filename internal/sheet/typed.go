package sheet

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Money is an amount in fen, written as a number of yuan in a ¥ format.
type Money int64

// TypedSheet is a sheet whose cells keep their types: string, int, int64
// and float64 are numbers, Money is yuan with a ¥ format, time.Time (and a
// non-nil *time.Time) is a date. The header row is bold, frozen and
// filtered; columns are as wide as their text (Chinese counted double).
type TypedSheet struct {
	Name   string
	Header []string
	Rows   [][]any
}

// WriteTyped saves typed sheets to an .xlsx file (mode 0644), through a
// temporary file renamed into place.
func WriteTyped(path string, sheets []TypedSheet) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDEBF7"}, Pattern: 1}})
	yuanFmt := "¥#,##0.00"
	money, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &yuanFmt})
	dateFmt := "yyyy-mm-dd"
	date, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	for i, s := range sheets {
		if i == 0 {
			f.SetSheetName("Sheet1", s.Name)
		} else if _, err := f.NewSheet(s.Name); err != nil {
			return err
		}
		widths := make([]float64, len(s.Header))
		fit := func(c int, text string) {
			w := float64(utf8.RuneCountInString(text)+len(text)) / 2 // a Chinese character is 3 bytes, 1 rune: about 2 units
			if c < len(widths) && w+2 > widths[c] {
				widths[c] = min(w+2, 60)
			}
		}
		sw, err := f.NewStreamWriter(s.Name)
		if err != nil {
			return err
		}
		for c, h := range s.Header {
			fit(c, h)
		}
		for _, row := range s.Rows {
			for c, v := range row {
				switch x := v.(type) {
				case string:
					fit(c, x)
				case Money:
					fit(c, fmt.Sprintf("¥%.2f,,,", float64(x)/100))
				case time.Time, *time.Time:
					fit(c, "2006-01-02")
				default:
					fit(c, fmt.Sprint(x))
				}
			}
		}
		for c, w := range widths {
			if err := sw.SetColWidth(c+1, c+1, w); err != nil {
				return err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		head := make([]any, len(s.Header))
		for c, h := range s.Header {
			head[c] = excelize.Cell{Value: h, StyleID: bold}
		}
		if err := sw.SetRow("A1", head); err != nil {
			return err
		}
		for r, row := range s.Rows {
			cells := make([]any, len(row))
			for c, v := range row {
				switch x := v.(type) {
				case Money:
					cells[c] = excelize.Cell{Value: float64(x) / 100, StyleID: money}
				case time.Time:
					cells[c] = excelize.Cell{Value: x, StyleID: date}
				case *time.Time:
					if x != nil {
						cells[c] = excelize.Cell{Value: *x, StyleID: date}
					}
				default:
					cells[c] = v
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			if err := sw.SetRow(cell, cells); err != nil {
				return err
			}
		}
		if len(s.Header) > 0 {
			// A table gives the header its filter buttons; written with the
			// stream, it does not re-read the sheet as File.AutoFilter does.
			last, _ := excelize.CoordinatesToCellName(len(s.Header), max(len(s.Rows)+1, 2))
			if err := sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: fmt.Sprintf("Table%d", i+1), StyleName: "TableStyleLight1"}); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	tmp := filepath.Join(filepath.Dir(path), ".~"+filepath.Base(path))
	if err := f.SaveAs(tmp); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
