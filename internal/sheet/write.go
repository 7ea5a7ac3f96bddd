package sheet

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/width"
)

// Kind is what a column holds, which decides how its cells are written.
type Kind int

// Column kinds.
const (
	Text     Kind = iota // string
	Int                  // int or int64: counts, quantities, report numbers
	Money                // int64 fen, shown as ¥1,234.56
	Decimal              // int64 hundredths (万元 to two places), shown as 1,234.56
	Date                 // time.Time or *time.Time (nil: empty), shown as 2019-06-18
	DateTime             // time.Time, shown as 2026-11-20 10:00
)

// Column is one column of a sheet: its title, kind, and whether the totals
// row sums it.
type Column struct {
	Title string
	Kind  Kind
	Total bool
}

// Sheet is one named sheet to write. A typed sheet has Columns and Data
// (one value per column, of the column's kind). A sheet of text only (a
// register to import in a test, say) may instead give Rows, its first row
// the header.
type Sheet struct {
	Name    string
	Columns []Column
	Data    [][]any
	Rows    [][]string
}

// TotalLabel heads the totals row.
const TotalLabel = "合计"

// typed returns the sheet with Columns and Data, turning Rows into text.
func (s Sheet) typed() Sheet {
	if s.Columns != nil || len(s.Rows) == 0 {
		return s
	}
	out := Sheet{Name: s.Name}
	for _, h := range s.Rows[0] {
		out.Columns = append(out.Columns, Column{Title: h})
	}
	for _, r := range s.Rows[1:] {
		row := make([]any, len(r))
		for i, v := range r {
			row[i] = v
		}
		out.Data = append(out.Data, row)
	}
	return out
}

func (s Sheet) hasTotals() bool {
	for _, c := range s.Columns {
		if c.Total {
			return true
		}
	}
	return false
}

// Paths are the files Write writes for path: the path itself, except that a
// .csv holds one sheet, so several sheets go to name-资产台账.csv,
// name-资产报送.csv ….
func Paths(path string, sheets []Sheet) []string {
	if !strings.EqualFold(filepath.Ext(path), ".csv") || len(sheets) <= 1 {
		return []string{path}
	}
	stem := strings.TrimSuffix(path, filepath.Ext(path))
	var out []string
	for _, s := range sheets {
		out = append(out, stem+"-"+s.Name+filepath.Ext(path))
	}
	return out
}

// Write saves sheets as .xlsx, or as .csv when path ends so (see Paths).
// An .xlsx has numbers as numbers (money with a ¥ format), dates as date
// cells, columns as wide as their text (a Chinese character counts two),
// a bold header row that stays in view, an auto-filter over the data and,
// when a column asks for it, a totals row below. A .csv is UTF-8 with a
// BOM (so that Excel reads its Chinese), numbers plain and dates as
// 2006-01-02, without a totals row. Files are written to a temporary name
// first and renamed, so a reader never sees half a file, with mode 0644.
func Write(path string, sheets []Sheet) error {
	typed := make([]Sheet, len(sheets))
	for i, s := range sheets {
		typed[i] = s.typed()
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".xlsx":
	default:
		return fmt.Errorf("%w: write %s as .xlsx or .csv", ErrUnsupported, filepath.Base(path))
	}
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		for i, p := range Paths(path, typed) {
			if err := writeCSV(p, typed[i]); err != nil {
				return err
			}
		}
		return nil
	}
	return writeXLSX(path, typed)
}

// Money and date formats of the cells.
const (
	fmtMoney    = `"¥"#,##0.00`
	fmtDecimal  = `#,##0.00`
	fmtInt      = `#,##0`
	fmtDate     = `yyyy-mm-dd`
	fmtDateTime = `yyyy-mm-dd hh:mm`
)

func writeXLSX(path string, sheets []Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	styles := map[string]int{}
	style := func(numFmt string, bold bool) (int, error) {
		key := fmt.Sprint(numFmt, bold)
		if id, ok := styles[key]; ok {
			return id, nil
		}
		st := &excelize.Style{}
		if numFmt != "" {
			st.CustomNumFmt = &numFmt
		}
		if bold {
			st.Font = &excelize.Font{Bold: true}
		}
		id, err := f.NewStyle(st)
		styles[key] = id
		return id, err
	}
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7EEF7"}}, Alignment: &excelize.Alignment{Vertical: "center"}})
	if err != nil {
		return err
	}
	for i, s := range sheets {
		name := s.Name
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if err := writeSheet(f, s, header, style); err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
	}
	return saveAtomic(path, func(tmp string) error { return f.SaveAs(tmp) })
}

// writeSheet streams one sheet: widths and totals need every value, so
// the data is read twice, once to measure and once to write rows in order.
func writeSheet(f *excelize.File, s Sheet, header int, style func(string, bool) (int, error)) error {
	name := s.Name
	ncol := len(s.Columns)
	if ncol == 0 {
		return nil
	}
	widths := make([]int, ncol)
	for c, col := range s.Columns {
		widths[c] = displayWidth(col.Title)
	}
	totals := make([]int64, ncol)
	for _, row := range s.Data {
		for c := 0; c < ncol && c < len(row); c++ {
			if _, shown := cellValue(s.Columns[c].Kind, row[c]); shown != "" {
				widths[c] = max(widths[c], displayWidth(shown))
			}
			if s.Columns[c].Total {
				totals[c] += asInt64(row[c])
			}
		}
	}
	last := len(s.Data) + 1 // last data row
	withTotals := s.hasTotals() && len(s.Data) > 0
	var totalRow []any
	if withTotals {
		totalRow = make([]any, ncol)
		labelled := false
		for c, col := range s.Columns {
			switch {
			case col.Total:
				v, shown := cellValue(col.Kind, totals[c])
				widths[c] = max(widths[c], displayWidth(shown))
				id, err := style(numFormat(col.Kind), true)
				if err != nil {
					return err
				}
				totalRow[c] = excelize.Cell{StyleID: id, Value: v}
			case !labelled && col.Kind == Text:
				id, err := style("", true)
				if err != nil {
					return err
				}
				totalRow[c], labelled = excelize.Cell{StyleID: id, Value: TotalLabel}, true
			}
		}
	}
	lastCol, _ := excelize.ColumnNumberToName(ncol)
	// The filter is the worksheet's own setting, which the stream writer
	// writes out when it is flushed.
	if err := f.AutoFilter(name, "A1:"+lastCol+strconv.Itoa(max(last, 2)), nil); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	ids := make([]int, ncol)
	titles := make([]any, ncol)
	for c, col := range s.Columns {
		if err := sw.SetColWidth(c+1, c+1, float64(clamp(widths[c]+2, 6, 60))); err != nil {
			return err
		}
		if ids[c], err = style(numFormat(col.Kind), false); err != nil {
			return err
		}
		titles[c] = excelize.Cell{StyleID: header, Value: col.Title}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := sw.SetRow("A1", titles); err != nil {
		return err
	}
	cells := make([]any, ncol)
	for r, row := range s.Data {
		for c := range cells {
			var v any
			if c < len(row) {
				v, _ = cellValue(s.Columns[c].Kind, row[c])
			}
			cells[c] = excelize.Cell{StyleID: ids[c], Value: v}
		}
		if err := sw.SetRow("A"+strconv.Itoa(r+2), cells); err != nil {
			return err
		}
	}
	if withTotals {
		if err := sw.SetRow("A"+strconv.Itoa(last+1), totalRow); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func numFormat(k Kind) string {
	switch k {
	case Int:
		return fmtInt
	case Money:
		return fmtMoney
	case Decimal:
		return fmtDecimal
	case Date:
		return fmtDate
	case DateTime:
		return fmtDateTime
	}
	return ""
}

// cellValue is what an .xlsx cell of kind holds for v, and the text it
// shows (for the column's width).
func cellValue(k Kind, v any) (any, string) {
	if v == nil {
		return nil, ""
	}
	switch k {
	case Int:
		n := asInt64(v)
		return n, groupDigits(strconv.FormatInt(n, 10))
	case Money:
		n := asInt64(v)
		return float64(n) / 100, "¥" + hundredths(n)
	case Decimal:
		n := asInt64(v)
		return float64(n) / 100, hundredths(n)
	case Date, DateTime:
		t, ok := asTime(v)
		if !ok {
			return nil, ""
		}
		// A naive wall-clock time: the cell shows the day and hour the
		// officer lives in, whatever the server's zone.
		t = t.Local()
		naive := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
		if k == Date {
			return naive, t.Format(time.DateOnly)
		}
		return naive, t.Format("2006-01-02 15:04")
	}
	if v == nil {
		return "", ""
	}
	s := fmt.Sprint(v)
	return s, s
}

// csvValue is the text of a .csv cell: plain numbers (268000.00), dates as
// 2006-01-02.
func csvValue(k Kind, v any) string {
	if v == nil {
		return ""
	}
	switch k {
	case Int:
		return strconv.FormatInt(asInt64(v), 10)
	case Money, Decimal:
		n := asInt64(v)
		sign := ""
		if n < 0 {
			sign, n = "-", -n
		}
		return fmt.Sprintf("%s%d.%02d", sign, n/100, n%100)
	case Date, DateTime:
		t, ok := asTime(v)
		if !ok {
			return ""
		}
		if k == Date {
			return t.Local().Format(time.DateOnly)
		}
		return t.Local().Format("2006-01-02 15:04")
	}
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// Texts are a sheet's header and rows as plain text (numbers plain, dates
// as 2006-01-02), as a .csv holds them.
func Texts(s Sheet) [][]string {
	s = s.typed()
	head := make([]string, len(s.Columns))
	for c, col := range s.Columns {
		head[c] = col.Title
	}
	out := [][]string{head}
	for _, r := range s.Data {
		row := make([]string, len(s.Columns))
		for c := 0; c < len(s.Columns) && c < len(r); c++ {
			row[c] = csvValue(s.Columns[c].Kind, r[c])
		}
		out = append(out, row)
	}
	return out
}

func asInt64(v any) int64 {
	switch n := v.(type) {
	case int:
		return int64(n)
	case int64:
		return n
	case int32:
		return int64(n)
	}
	return 0
}

func asTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t == nil || t.IsZero() {
			return time.Time{}, false
		}
		return *t, true
	}
	return time.Time{}, false
}

func hundredths(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	return fmt.Sprintf("%s%s.%02d", sign, groupDigits(strconv.FormatInt(n/100, 10)), n%100)
}

func groupDigits(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// displayWidth is how many columns text takes: two for a Chinese (wide or
// full-width) character, one for others; the widest line counts.
func displayWidth(s string) int {
	best := 0
	for _, line := range strings.Split(s, "\n") {
		w := 0
		for _, r := range line {
			switch width.LookupRune(r).Kind() {
			case width.EastAsianWide, width.EastAsianFullwidth:
				w += 2
			default:
				w++
			}
		}
		best = max(best, w)
	}
	return best
}

func clamp(v, lo, hi int) int { return min(max(v, lo), hi) }

func writeCSV(path string, s Sheet) error {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	w.WriteAll(Texts(s))
	if err := w.Error(); err != nil {
		return err
	}
	return saveAtomic(path, func(tmp string) error { return os.WriteFile(tmp, buf.Bytes(), 0o644) })
}

// saveAtomic writes through a temporary file beside path (keeping its
// suffix, which excelize needs), sets mode 0644 and renames it into place.
func saveAtomic(path string, write func(tmp string) error) error {
	tmp := filepath.Join(filepath.Dir(path), ".~"+filepath.Base(path))
	if err := write(tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
