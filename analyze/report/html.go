package report

import (
	"fmt"
	"html/template"
	"io"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/gcprobe/gcprobe/analyze/chart"
	"github.com/gcprobe/gcprobe/analyze/compare"
	"github.com/gcprobe/gcprobe/analyze/table"
)

// htmlFigure is a figure with its chart rendered as inline SVG.
type htmlFigure struct {
	Figure
	SVG template.HTML
	Err string
}

type htmlRun struct {
	*Run
	Figures  []htmlFigure
	Profiles []htmlProfile
	Traces   []htmlTrace
}

type htmlTrace struct {
	Trace
	Figures []htmlFigure
	Tables  []*table.Table
}

type htmlProfile struct {
	Profile
	Tables []*table.Table
}

// WriteHTML writes the report as one self-contained HTML page: inline CSS
// and SVG, no script, and no reference to anything outside the file.
func WriteHTML(w io.Writer, r *Report) error {
	data := struct {
		*Report
		Runs       []htmlRun
		Figures    []htmlFigure
		Comparison []*table.Table
		Multi      bool
		// Many says the runs once (Report.Digest) in place of a section
		// each: past summary.MaxSideBySide runs the table above has a
		// row for each.
		Many   bool
		Digest Digest
	}{Report: r, Figures: svgFigures(r.Figures), Multi: len(r.Runs) > 1, Many: r.Digested()}
	if data.Many {
		data.Digest = r.Digest()
	}
	for _, run := range r.Runs {
		hr := htmlRun{Run: run, Figures: svgFigures(run.Figures)}
		for _, p := range run.Profiles {
			hr.Profiles = append(hr.Profiles, htmlProfile{Profile: p, Tables: p.Tables()})
		}
		for _, t := range run.Traces {
			hr.Traces = append(hr.Traces, htmlTrace{Trace: t, Figures: svgFigures(t.Figures), Tables: t.Tables()})
		}
		data.Runs = append(data.Runs, hr)
	}
	if r.Comparison != nil {
		data.Comparison = r.Comparison.Tables()
	}
	var b strings.Builder
	if err := page.Execute(&b, data); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func svgFigures(figs []Figure) []htmlFigure {
	var out []htmlFigure
	for _, f := range figs {
		hf := htmlFigure{Figure: f}
		p, err := f.Chart.Plot()
		if err == nil {
			var w, h vg.Length // the default size
			if f.Half {
				// Drawn smaller rather than scaled down, so that
				// its text stays as large as the others'.
				w, h = 4.6*vg.Inch, 3.4*vg.Inch
			}
			if sz, ok := f.Chart.(chart.Sized); ok {
				if sw, sh := sz.Size(); sw > 0 {
					w, h = sw, sh
				}
			}
			var s string
			s, err = chart.InlineSVG(p, w, h)
			// The SVG comes from gonum's renderer, which escapes every
			// text it draws (vgsvg uses html.EscapeString).
			hf.SVG = template.HTML(s)
		}
		if err != nil {
			hf.Err = err.Error()
		}
		out = append(out, hf)
	}
	return out
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"inc": func(i int) int { return i + 1 },
	// sup marks a comparison's footnote as its cells cite it.
	"sup":          table.Superscript,
	"verdictScope": func() string { return compare.VerdictScope },
	"cellClass": func(t *table.Table, i int) string {
		return [...]string{"", "num", "name"}[min(int(t.AlignOf(i)), 2)]
	},
}).Parse(pageHTML))

const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "Liberation Sans", Arial, sans-serif; color: #222; background: #fff; margin: 0; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.6em; margin: 0 0 .2em; }
h2 { font-size: 1.3em; border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 1.8em; }
h3 { font-size: 1.05em; margin: 1.4em 0 .4em; }
.sub { color: #666; margin: 0 0 1em; }
.verdict { background: #fff6e5; border-left: 4px solid #e69500; padding: 10px 14px; font-size: 1.08em; }
.recommend { background: #eaf6ea; border-left: 4px solid #2ca02c; padding: 10px 14px; }
table { border-collapse: collapse; margin: .4em 0 1em; font-size: .92em; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.facts th { background: none; color: #555; font-weight: 600; white-space: nowrap; }
td.name { font-family: ui-monospace, "Liberation Mono", monospace; word-break: break-all; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
figure { margin: 1.2em 0; page-break-inside: avoid; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { color: #555; font-size: .9em; }
.notes { color: #555; font-size: .9em; }
.warn { color: #8a4b00; }
.charts { display: flex; flex-wrap: wrap; justify-content: space-between; }
.charts figure { width: 100%; }
.charts figure.half { width: 49%; }
details.notes summary { cursor: pointer; }
details.runs > summary { cursor: pointer; font-weight: 600; margin: 1.2em 0; }
@media print { main { max-width: none; padding: 0; } h2 { page-break-after: avoid; } }
</style>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
<p class="sub">{{len .Runs}} run record{{if .Multi}}s{{end}}, written by gcprobe report.</p>
{{range .Problems}}<p class="warn">Skipped: {{.}}</p>
{{end}}{{range .Notes}}<p class="notes">{{.}}</p>
{{end}}
{{- if not .Multi}}{{range .Runs}}{{template "run" .}}{{end}}
<section id="summary">
<h2>Summary</h2>
{{template "summary" .}}
</section>
{{- end}}
{{- if .Multi}}
{{with .Report.Verdict}}<div class="verdict"><strong>Verdict</strong> ({{verdictScope}}):<ul>
{{range .}}<li>{{.}}</li>
{{end}}</ul></div>{{end}}
{{- end}}
{{- with .Report.Fleet}}
<section id="fleet">
<h2>Fleet</h2>
{{template "table" $.Report.FleetTable}}
<p><strong>Outliers:</strong></p>
<ul>{{range .OutlierLines}}<li>{{.}}</li>{{end}}</ul>
</section>
{{- end}}
{{- if .Multi}}
<section id="comparison">
<h2>Comparison</h2>
{{with .Report.Comparison}}{{with .Recommendation}}<p class="recommend">{{.Sentence}}</p>{{end}}{{end}}
{{with .Report.Comparison}}{{range .Builds}}<p class="recommend"><strong>Verdict:</strong> {{.Sentence}}.</p>{{end}}{{end}}
{{with .ComparisonNote}}<p class="notes">{{.}}</p>{{end}}
<div class="charts">
{{range .Figures}}{{template "figure" .}}{{end}}
</div>
{{range .Comparison}}{{template "table" .}}{{end}}
{{with .Report.Comparison}}{{range $i, $n := .Notes}}<p class="notes">{{sup (inc $i)}} {{$n}}</p>{{end}}{{range .Warnings}}<p class="warn">{{.}}</p>{{end}}{{end}}
</section>
{{- if not .Report.Fleet}}
<section id="summary">
<h2>{{.Report.TableTitle}}</h2>
{{template "summary" .}}
</section>
{{if .Many}}{{template "digest" .}}{{else}}{{range $i, $r := .Runs}}<section class="run" id="run{{inc $i}}">
<h2>Run {{inc $i}}: {{$r.Summary.File}}</h2>
{{template "runbody" $r}}
</section>
{{end}}{{end}}
{{- end}}
{{- end}}
</main>
</body>
</html>
{{define "digest"}}<section id="runs">
<h2>Each run</h2>
<p class="notes">What the {{len .Runs}} runs have in common; what differs is in the list of runs below. gcprobe report on one record shows that run with its charts, profiles and traces.</p>
<table class="facts">
{{range .Digest.Common}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>
{{end}}</table>
{{with .Digest.Warnings}}<p><strong>Warnings</strong>, each with the runs it concerns:</p>
<ul>{{range .}}<li class="warn">{{.Text}} ({{.RunsLine}})</li>{{end}}</ul>
{{end}}{{with .Digest.Notes}}<p><strong>Notes from the records</strong>, each with the runs it concerns:</p>
<ul>{{range .}}<li class="notes">{{.Text}} ({{.RunsLine}})</li>{{end}}</ul>
{{end}}<details class="runs"><summary>Each of the {{len .Runs}} runs: what differs, its verdict</summary>
<table>
<tr><th class="num">run</th>{{range .Digest.Differ}}<th>{{.}}</th>{{end}}<th>verdict</th><th>attached</th></tr>
{{range $i, $r := .Digest.Rows}}<tr id="run{{inc $i}}"><td class="num">{{inc $i}}</td>{{range .Facts}}<td>{{.}}</td>{{end}}<td>{{.Verdict}}</td><td>{{.Attached}}</td></tr>
{{end}}</table>
</details>
</section>
{{end}}
{{define "run"}}<section class="run">
{{template "runbody" .}}
</section>{{end}}
{{define "runbody"}}{{with .Verdict}}<p class="verdict"><strong>Verdict:</strong> {{.}}</p>{{end}}
<h3>What was run</h3>
<table class="facts">
{{range .Facts}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>
{{end}}</table>
<div class="charts">
{{range .Figures}}{{template "figure" .}}{{end}}
</div>
{{range .Summary.Warnings}}<p class="warn">Warning: {{.}}</p>
{{end}}{{with .Summary.Notes}}<details class="notes"><summary>{{len .}} note{{if gt (len .) 1}}s{{end}} from the record</summary>
<ul>{{range .}}<li>{{.}}</li>{{end}}</ul>
</details>
{{end}}{{range .Profiles}}<h3>Profile: {{.Kind}}</h3>
{{with .Err}}<p class="warn">{{.}}</p>{{end}}
{{range .Tables}}{{template "table" .}}{{end}}
{{else}}<p class="notes">No profiles are attached to this run.</p>
{{end}}{{range $t := .Traces}}<h3>Execution trace: {{.Path}}</h3>
{{with .Reason}}<p>Taken at {{printf "%.1f" $t.At}} s of the run: {{.}}.</p>{{end}}
{{with .Err}}<p class="warn">{{.}}</p>{{end}}
{{with .Analysis}}<p class="verdict"><strong>Trace verdict:</strong> {{.Verdict}}</p>{{end}}
<div class="charts">
{{range .Figures}}{{template "figure" .}}{{end}}
</div>
{{range .Tables}}{{template "table" .}}{{end}}
{{with .Analysis}}{{range .Warnings}}<p class="warn">Warning: {{.}}</p>{{end}}{{end}}
{{end}}{{end}}
{{define "figure"}}<figure id="fig-{{.Name}}"{{if .Half}} class="half"{{end}}>
{{if .Err}}<p class="warn">chart {{.Title}}: {{.Err}}</p>{{else}}{{.SVG}}{{end}}
<figcaption>{{.Caption}}</figcaption>
</figure>
{{end}}
{{define "table"}}<table>
{{with .Caption}}<caption>{{range $i, $c := .}}{{if $i}}<br>{{end}}{{$c}}{{end}}</caption>{{end}}
<thead><tr>{{range $i, $h := .Head}}<th class="{{cellClass $ $i}}">{{$h}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr>{{range $i, $c := .}}<td class="{{cellClass $ $i}}">{{$c}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{range .Notes}}<p class="notes">{{.}}</p>{{end}}
{{range $i, $f := .Footnotes}}<p class="notes">[{{inc $i}}] {{$f}}</p>{{end}}
{{end}}
{{define "summary"}}{{range .Table.Caption}}<p class="notes">{{.}}</p>
{{end}}<table>
<thead><tr>{{range .Table.Head}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Table.Groups}}{{with .Title}}<tr><th colspan="{{len $.Table.Head}}">{{.}}</th></tr>{{end}}
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}{{end}}</tbody>
</table>
{{range $i, $f := .Table.Footnotes}}<p class="notes">[{{inc $i}}] {{$f}}</p>
{{end}}{{end}}
`
