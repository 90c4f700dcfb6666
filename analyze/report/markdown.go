package report

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/gcprobe/gcprobe/analyze/chart"
	"github.com/gcprobe/gcprobe/analyze/compare"
	"github.com/gcprobe/gcprobe/analyze/table"
)

// WriteMarkdown writes the report as GitHub-flavoured Markdown and its
// charts as PNG files into chartsDir (created if needed); the Markdown links
// them as link/NAME.png, so link is chartsDir relative to the Markdown file.
func WriteMarkdown(w io.Writer, r *Report, chartsDir, link string) error {
	if err := os.MkdirAll(chartsDir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	m := &mdWriter{chartsDir: chartsDir, link: link}
	m.printf("# %s\n\n", md(r.Title))
	plural := ""
	if len(r.Runs) > 1 {
		plural = "s"
	}
	m.printf("_%d run record%s, written by gcprobe report._\n\n", len(r.Runs), plural)
	for _, p := range r.Problems {
		m.printf("> Skipped: %s\n\n", md(p))
	}
	for _, n := range r.Notes {
		m.printf("_%s_\n\n", md(n))
	}
	if len(r.Runs) == 1 {
		m.run(r.Runs[0], "##")
		m.printf("## Summary\n\n")
		m.summary(r)
		return m.flush(w)
	}
	if c := r.Comparison; c != nil && len(r.Verdict) > 0 {
		if err := compare.WriteVerdictMarkdown(&m.b, c.Verdict()); err != nil {
			return err
		}
		m.printf("\n")
	}
	if r.Fleet != nil {
		m.printf("## Fleet\n\n")
		m.table(r.FleetTable)
		m.printf("**Outliers:**\n\n")
		for _, o := range r.Fleet.OutlierLines() {
			m.printf("- %s\n", md(o))
		}
		m.printf("\n")
	}
	m.printf("## Comparison\n\n")
	if c := r.Comparison; c != nil && c.Recommendation != nil {
		m.printf("**Recommendation:** %s\n\n", md(c.Recommendation.Sentence))
	}
	if r.ComparisonNote != "" {
		m.printf("%s\n\n", md(r.ComparisonNote))
	}
	for _, f := range r.Figures {
		m.figure(f)
	}
	if c := r.Comparison; c != nil {
		var b strings.Builder
		if err := compare.WriteMarkdownTables(&b, c); err != nil {
			return err
		}
		m.printf("%s\n", demote(b.String()))
	}
	if r.Fleet != nil {
		return m.flush(w)
	}
	m.printf("## %s\n\n", md(r.TableTitle))
	m.summary(r)
	if r.Digested() {
		m.digest(r.Digest(), len(r.Runs))
		return m.flush(w)
	}
	for i, run := range r.Runs {
		m.printf("## Run %d: %s\n\n", i+1, md(run.Summary.File))
		m.run(run, "###")
	}
	return m.flush(w)
}

// demote makes compare's headings fit under the report's "## Comparison".
func demote(s string) string {
	return strings.ReplaceAll("\n"+s, "\n### ", "\n#### ")[1:]
}

type mdWriter struct {
	b               strings.Builder
	chartsDir, link string
	err             error
}

func (m *mdWriter) printf(format string, args ...any) { fmt.Fprintf(&m.b, format, args...) }

func (m *mdWriter) flush(w io.Writer) error {
	if m.err != nil {
		return m.err
	}
	_, err := io.WriteString(w, m.b.String())
	return err
}

func (m *mdWriter) run(r *Run, h string) {
	if r.Verdict != "" {
		m.printf("**Verdict:** %s\n\n", md(r.Verdict))
	}
	m.printf("%s What was run\n\n| | |\n|---|---|\n", h)
	for _, f := range r.Facts() {
		m.printf("| %s | %s |\n", md(f[0]), md(f[1]))
	}
	m.printf("\n")
	if len(r.Figures) > 0 {
		m.printf("%s Charts\n\n", h)
		for _, f := range r.Figures {
			m.figure(f)
		}
	}
	for _, w := range r.Summary.Warnings {
		m.printf("> **Warning:** %s\n\n", md(w.Error()))
	}
	for _, n := range r.Summary.Notes {
		m.printf("> Note from the record: %s\n\n", md(n))
	}
	if len(r.Profiles) == 0 {
		m.printf("_No profiles are attached to this run._\n\n")
	}
	for _, p := range r.Profiles {
		m.printf("%s Profile: %s\n\n", h, md(p.Kind))
		if p.Err != "" {
			m.printf("> %s\n\n", md(p.Err))
		}
		for _, t := range p.Tables() {
			m.table(t)
		}
	}
	for _, tr := range r.Traces {
		m.printf("%s Execution trace: %s\n\n", h, md(tr.Path))
		if tr.Reason != "" {
			m.printf("Taken at %s s of the run: %s.\n\n", fmt.Sprintf("%.1f", tr.At), md(tr.Reason))
		}
		if tr.Err != "" {
			m.printf("> %s\n\n", md(tr.Err))
			continue
		}
		m.printf("**Trace verdict:** %s\n\n", md(tr.Analysis.Verdict))
		for _, f := range tr.Figures {
			m.figure(f)
		}
		for _, t := range tr.Tables() {
			m.table(t)
		}
		for _, w := range tr.Analysis.Warnings {
			m.printf("> **Warning:** %s\n\n", md(w))
		}
	}
}

// digest writes the runs of a wide sweep once: what they have in common,
// each warning with the runs it concerns, and a row per run folded in a
// <details> block (which GitHub renders closed), as the HTML report folds
// its sections of single runs.
func (m *mdWriter) digest(d Digest, n int) {
	m.printf("## Each run\n\n")
	m.printf("_What the %d runs have in common; what differs is in the list of runs below. gcprobe report on one record shows that run with its charts, profiles and traces._\n\n", n)
	m.printf("| | |\n|---|---|\n")
	for _, f := range d.Common {
		m.printf("| %s | %s |\n", md(f[0]), md(f[1]))
	}
	m.printf("\n")
	for _, g := range []struct {
		title  string
		shared []Shared
	}{{"Warnings", d.Warnings}, {"Notes from the records", d.Notes}} {
		if len(g.shared) == 0 {
			continue
		}
		m.printf("**%s**, each with the runs it concerns:\n\n", g.title)
		for _, s := range g.shared {
			m.printf("- %s (%s)\n", md(s.Text), s.RunsLine())
		}
		m.printf("\n")
	}
	m.printf("<details><summary>Each of the %d runs: what differs, its verdict</summary>\n\n", n)
	m.printf("| run |")
	for _, f := range d.Differ {
		m.printf(" %s |", md(f))
	}
	m.printf(" verdict | attached |\n|---:|%s---|---|\n", strings.Repeat("---|", len(d.Differ)))
	for i, row := range d.Rows {
		m.printf("| %d |", i+1)
		for _, f := range row.Facts {
			m.printf(" %s |", md(f))
		}
		m.printf(" %s | %s |\n", md(row.Verdict), md(row.Attached))
	}
	m.printf("\n</details>\n")
}

// figure writes the chart's PNG and links it.
func (m *mdWriter) figure(f Figure) {
	name := f.Name + ".png"
	p, err := f.Chart.Plot()
	var png []byte
	if err == nil {
		var w, h vg.Length // the default size
		if sz, ok := f.Chart.(chart.Sized); ok {
			w, h = sz.Size()
		}
		png, err = chart.PNG(p, w, h)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(m.chartsDir, name), png, 0o644)
	}
	if err != nil {
		if m.err == nil {
			m.err = fmt.Errorf("report: chart %s: %w", f.Name, err)
		}
		return
	}
	m.printf("![%s](%s)\n\n*%s*\n\n", md(f.Title), linkPath(path.Join(m.link, name)), md(f.Caption))
}

// table writes a table as gcprobe's other Markdown output does.
func (m *mdWriter) table(t *table.Table) {
	table.WriteMarkdown(&m.b, t)
	m.printf("\n")
}

func (m *mdWriter) summary(r *Report) {
	t := r.Table
	for _, c := range t.Caption {
		m.printf("_%s_\n\n", md(c))
	}
	m.printf("|")
	for _, h := range t.Head {
		m.printf(" %s|", strings.TrimPrefix(md(h)+" ", " "))
	}
	m.printf("\n|")
	for i := range t.Head {
		if t.AlignOf(i) == table.Right {
			m.printf("---:|")
		} else {
			m.printf("---|")
		}
	}
	m.printf("\n")
	for _, g := range t.Groups() {
		if g.Title != "" {
			m.printf("| **%s** |%s\n", md(g.Title), strings.Repeat(" |", len(t.Head)-1))
		}
		for _, row := range g.Rows {
			m.printf("|")
			for _, c := range row {
				m.printf(" %s |", md(c))
			}
			m.printf("\n")
		}
	}
	m.printf("\n")
	for i, f := range t.Footnotes {
		m.printf("%d. %s\n", i+1, md(f))
	}
	if len(t.Footnotes) > 0 {
		m.printf("\n")
	}
}

// md escapes text for Markdown: nothing in it is read as markup or HTML.
var md = table.MarkdownText

// linkPath escapes a relative path for a Markdown link's destination, which
// ends at a space or an unbalanced parenthesis: "my report_charts/x.png"
// becomes "my%20report_charts/x.png". url.URL keeps the slashes.
func linkPath(p string) string {
	return strings.NewReplacer("(", "%28", ")", "%29").Replace((&url.URL{Path: p}).EscapedPath())
}
