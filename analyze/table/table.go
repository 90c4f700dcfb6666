// Package table is the one model of a table that gcprobe shows: computed
// once by the package that owns the figures (profiles, summary, compare),
// then written by any renderer — aligned text (through texttab), Markdown,
// the report's HTML, or JSON — so that no renderer lays a table out again.
// It plays the part pprof's report.TextItems and benchstat's benchtab.Tables
// play in those tools.
//
// A Table's cells are formatted already (see units); a renderer only places
// and escapes them. To add a table to the report, return a Table from the
// package that computes its figures and give it to the report's renderers.
package table

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gcprobe/gcprobe/analyze/texttab"
)

// Align is how a column's cells are set.
type Align uint8

const (
	Left  Align = iota
	Right       // numbers
	Code        // left, in a code font: function names, file paths
)

func (a Align) MarshalText() ([]byte, error) {
	return []byte([...]string{"left", "right", "code"}[min(int(a), 2)]), nil
}

// Table is a table as every renderer shows it.
type Table struct {
	// Caption is the lines above the table: what it shows, and totals.
	Caption []string `json:"caption,omitempty"`
	Head    []string `json:"head"`
	// Align has one entry per column; a missing one is Left.
	Align []Align    `json:"align,omitempty"`
	Rows  [][]string `json:"rows"`
	// Sections group the rows under titles, in order.
	Sections []Section `json:"sections,omitempty"`
	// Notes are shown under the table as they are.
	Notes []string `json:"notes,omitempty"`
	// Footnotes are numbered from 1; cells cite them by number (see Cite).
	Footnotes Footnotes `json:"footnotes,omitempty"`
}

// Section is a title over the rows from Start on, until the next section.
type Section struct {
	Title string `json:"title"`
	Start int    `json:"start"`
}

// Group is a section's title with its rows.
type Group struct {
	Title string
	Rows  [][]string
}

// Groups returns the rows under their section titles; rows before the first
// section, or all rows of a table without sections, form a group with no
// title.
func (t *Table) Groups() []Group {
	var gs []Group
	start := 0
	if len(t.Sections) == 0 || t.Sections[0].Start > 0 {
		end := len(t.Rows)
		if len(t.Sections) > 0 {
			end = t.Sections[0].Start
		}
		gs = append(gs, Group{Rows: t.Rows[:end]})
		start = end
	}
	for i, s := range t.Sections {
		end := len(t.Rows)
		if i+1 < len(t.Sections) {
			end = t.Sections[i+1].Start
		}
		gs = append(gs, Group{Title: s.Title, Rows: t.Rows[max(s.Start, start):end]})
	}
	return gs
}

// Section starts a titled section at the next row.
func (t *Table) Section(title string) {
	t.Sections = append(t.Sections, Section{Title: title, Start: len(t.Rows)})
}

// Row appends a row.
func (t *Table) Row(cells ...string) { t.Rows = append(t.Rows, cells) }

// AlignOf is column col's alignment.
func (t *Table) AlignOf(col int) Align {
	if col < len(t.Align) {
		return t.Align[col]
	}
	return Left
}

// Footnotes are a table's numbered footnotes.
type Footnotes []string

// Cite returns the number of the footnote with text, adding it when it is
// new, so that footnotes are numbered in the order they are first cited and
// each text is shown once.
func (f *Footnotes) Cite(text string) int {
	for i, t := range *f {
		if t == text {
			return i + 1
		}
	}
	*f = append(*f, text)
	return len(*f)
}

// Superscript writes n in superscript digits ("¹²"), the mark benchstat and
// compare put after a cell that cites footnote n.
func Superscript(n int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	r := []rune(digits)
	var b strings.Builder
	for _, c := range strconv.Itoa(n) {
		b.WriteRune(r[c-'0'])
	}
	return b.String()
}

// TextOptions adjust WriteText.
type TextOptions struct {
	// NoHead leaves the head row out.
	NoHead bool
	// Indent is put before every row (not the caption).
	Indent string
	// NotePrefix starts every note line ("note: ").
	NotePrefix string
}

// WriteText writes t as aligned text: caption lines, the head, the rows
// under their section titles, then the notes and the footnotes ("[1] ...").
func WriteText(w io.Writer, t *Table, opts TextOptions) error {
	var tt texttab.Table
	AddText(&tt, t, opts)
	_, err := tt.WriteTo(w)
	return err
}

// AddText appends t to a text table being built, so that several tables
// can share one set of column widths.
func AddText(tt *texttab.Table, t *Table, opts TextOptions) {
	for _, c := range t.Caption {
		tt.Title(c)
	}
	for i := range t.Head {
		if t.AlignOf(i) == Right {
			tt.Align(i, texttab.Right)
		}
	}
	if !opts.NoHead {
		tt.Row(t.Head...)
	}
	for _, g := range t.Groups() {
		if g.Title != "" {
			tt.Title(g.Title)
		}
		for _, r := range g.Rows {
			cells := append([]string(nil), r...)
			if len(cells) > 0 {
				cells[0] = opts.Indent + cells[0]
			}
			tt.Row(cells...)
		}
	}
	for _, n := range t.Notes {
		tt.Title(opts.NotePrefix + n)
	}
	for i, f := range t.Footnotes {
		tt.Title(fmt.Sprintf("[%d] %s", i+1, f))
	}
}

// WriteMarkdown writes t as a GitHub-flavoured Markdown table: caption
// lines, the table (Code cells in backticks), a list of notes and a
// numbered list of footnotes. Cells are escaped so that no text breaks the
// table or reads as HTML (in a code span, none does).
func WriteMarkdown(w io.Writer, t *Table) error {
	var b strings.Builder
	for _, c := range t.Caption {
		b.WriteString(MarkdownEscape(c) + "  \n")
	}
	if len(t.Caption) > 0 {
		b.WriteString("\n")
	}
	row := func(r []string) {
		b.WriteString("|")
		for i, c := range r {
			if t.AlignOf(i) == Code && c != "" && !strings.Contains(c, "`") {
				// Nothing in a code span is markup or HTML; only a
				// bar would end the cell.
				c = "`" + strings.ReplaceAll(c, "|", `\|`) + "`"
			} else {
				c = MarkdownEscape(c)
			}
			b.WriteString(" " + c + " |")
		}
		b.WriteString("\n")
	}
	b.WriteString("|")
	for _, h := range t.Head {
		b.WriteString(" " + MarkdownEscape(h) + " |")
	}
	b.WriteString("\n|")
	for i := range t.Head {
		b.WriteString([...]string{"---|", "---:|", ":---|"}[min(int(t.AlignOf(i)), 2)])
	}
	b.WriteString("\n")
	for _, g := range t.Groups() {
		if g.Title != "" {
			b.WriteString("| **" + MarkdownEscape(g.Title) + "** |" + strings.Repeat(" |", len(t.Head)-1) + "\n")
		}
		for _, r := range g.Rows {
			row(r)
		}
	}
	if len(t.Notes) > 0 {
		b.WriteString("\n")
		for _, n := range t.Notes {
			b.WriteString("- " + MarkdownEscape(n) + "\n")
		}
	}
	if len(t.Footnotes) > 0 {
		b.WriteString("\n")
		for i, f := range t.Footnotes {
			fmt.Fprintf(&b, "%d. %s\n", i+1, MarkdownEscape(f))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// MarkdownEscape escapes what would end a table cell or read as HTML.
func MarkdownEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
}

// MarkdownText escapes running text for Markdown: nothing in it is read as
// markup or HTML, and it stays on one line.
func MarkdownText(s string) string { return markdownText.Replace(s) }

var markdownText = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "<", "&lt;", ">", "&gt;", "&", "&amp;", "*", `\*`, "_", `\_`,
	"`", "\\`", "[", `\[`, "]", `\]`, "#", `\#`, "\n", " ",
)
