package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// reportData is the report package's generated testdata.
const reportData = "../../analyze/report/testdata/"

func TestReportHTMLAndMarkdown(t *testing.T) {
	dir := t.TempDir()
	html := filepath.Join(dir, "r.html")
	if r := gcprobe(t, "report", reportData+"scenario.jsonl", "-o", html); r.code != 0 {
		t.Fatalf("html: exit %d: %s", r.code, r.stderr)
	}
	page, _ := os.ReadFile(html)
	if !strings.Contains(string(page), "<svg") || !strings.Contains(string(page), "Verdict:") {
		t.Errorf("html report lacks charts or verdict")
	}
	md := filepath.Join(dir, "r.md")
	if r := gcprobe(t, "report", reportData+"sweep", "-o", md, "--charts-dir", filepath.Join(dir, "img"), "--budget", "rss=700MiB"); r.code != 0 {
		t.Fatalf("md: exit %d: %s", r.code, r.stderr)
	}
	text, _ := os.ReadFile(md)
	if !strings.Contains(string(text), "](img/pareto.png)") || !strings.Contains(string(text), "Recommendation:") {
		t.Errorf("markdown report lacks the relative Pareto chart or the recommendation:\n%.600s", text)
	}
	if _, err := os.Stat(filepath.Join(dir, "img", "pareto.png")); err != nil {
		t.Error(err)
	}
}

func TestReportDefaultChartsDir(t *testing.T) {
	dir := t.TempDir()
	md := filepath.Join(dir, "ticket.md")
	if r := gcprobe(t, "report", reportData+"scenario.jsonl", "-o", md); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "ticket_charts", "memory.png")); err != nil {
		t.Errorf("charts not beside the report: %v", err)
	}
}

func TestReportBadInput(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, nil, 0o644)
	out := filepath.Join(dir, "r.html")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no output", []string{reportData + "scenario.jsonl"}, 2, "-o FILE.html or -o FILE.md is required"},
		{"bad extension", []string{reportData + "scenario.jsonl", "-o", filepath.Join(dir, "r.pdf")}, 2, "must end in .html or .md"},
		{"no input", []string{"-o", out}, 2, "no run record"},
		{"charts dir for html", []string{reportData + "scenario.jsonl", "-o", out, "--charts-dir", dir}, 2, "--charts-dir is for Markdown"},
		{"bad budget", []string{reportData + "scenario.jsonl", "-o", out, "--budget", "rss"}, 2, "--budget"},
		{"budget value", []string{reportData + "scenario.jsonl", "-o", out, "--budget", "rss=lots"}, 2, `report: --budget rss.peak: "lots" is not a size`},
		{"budget metric", []string{reportData + "scenario.jsonl", "-o", out, "--budget", "ram=1GiB"}, 2, `report: --budget: unknown metric "ram"`},
		{"only bad records", []string{empty, "-o", out}, 1, "empty.jsonl: empty run record"},
		{"empty dir", []string{t.TempDir(), "-o", out}, 1, "no run records"},
		// As compare and check: a label no run has is a usage error that
		// names what the runs have, not one group "nope=-".
		{"unknown --by", []string{reportData + "sweep", "-o", filepath.Join(dir, "by.html"), "--by", "nope"}, 2,
			`report: --by: no run has a setting or label "nope" (they have gogc, memlimit, gomaxprocs, workload, go, gc`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := gcprobe(t, append([]string{"report"}, tt.args...)...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", r.code, tt.code, r.stderr, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "by.html")); err == nil {
		t.Error("report --by nope wrote a report")
	}
	// A bad record beside a good one: the report is written, exit 1.
	r := gcprobe(t, "report", empty, reportData+"scenario.jsonl", "-o", out)
	page, err := os.ReadFile(out)
	if r.code != 1 || err != nil || !strings.Contains(string(page), "Skipped:") {
		t.Errorf("exit %d, err %v: want a report that names the skipped file", r.code, err)
	}
}
