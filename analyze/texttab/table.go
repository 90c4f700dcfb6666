// Package texttab lays out plain-text tables: rows of cells in columns padded
// to the widest cell, with optional section titles and per-column alignment.
//
// It only lays out; the caller formats every cell (see units).
package texttab

import (
	"io"
	"strings"
	"unicode/utf8"
)

// Align is a column's alignment.
type Align int

const (
	Left Align = iota
	Right
)

// Table is a text table under construction. The zero value is ready to use.
type Table struct {
	rows   []row
	aligns []Align
	// Gap is the spacing between columns; 0 means two spaces.
	Gap int
	// Indent is printed before every row.
	Indent string
}

type row struct {
	cells []string
	title bool // a line of its own, not laid out in columns
}

// Align sets the alignment of column col (0-based); columns default to Left.
func (t *Table) Align(col int, a Align) {
	for len(t.aligns) <= col {
		t.aligns = append(t.aligns, Left)
	}
	t.aligns[col] = a
}

// Row appends a row of cells. Rows may have different lengths.
func (t *Table) Row(cells ...string) {
	t.rows = append(t.rows, row{cells: cells})
}

// Title appends a line printed as is, outside the columns (a section title;
// "" for a blank line). It does not widen any column.
func (t *Table) Title(s string) {
	t.rows = append(t.rows, row{cells: []string{s}, title: true})
}

// Len is the number of rows, titles included.
func (t *Table) Len() int { return len(t.rows) }

// WriteTo writes the table. Trailing spaces are trimmed from every line.
func (t *Table) WriteTo(w io.Writer) (int64, error) {
	gap := t.Gap
	if gap <= 0 {
		gap = 2
	}
	var widths []int
	for _, r := range t.rows {
		if r.title {
			continue
		}
		for i, c := range r.cells {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], width(c))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		if r.title {
			if r.cells[0] != "" {
				b.WriteString(t.Indent)
			}
			b.WriteString(r.cells[0])
			b.WriteByte('\n')
			continue
		}
		var line strings.Builder
		line.WriteString(t.Indent)
		for i, c := range r.cells {
			if i > 0 {
				line.WriteString(strings.Repeat(" ", gap))
			}
			pad := strings.Repeat(" ", widths[i]-width(c))
			if i < len(t.aligns) && t.aligns[i] == Right {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// width is the number of columns a cell takes: one per rune (gcprobe's
// cells hold no wide characters; "µs" is two).
func width(s string) int { return utf8.RuneCountInString(s) }
