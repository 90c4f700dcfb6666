package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// summaryData is the summary package's generated testdata.
const summaryData = "../../analyze/summary/testdata/"

func TestSummaryText(t *testing.T) {
	r := gcprobe(t, "summary", summaryData+"scenario.jsonl")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"GC CPU share", "12.0%", "inside GC p50 / p99 / max", "(6 intervals)", "verdict:", "not from pauses"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestSummaryJSONSideBySide(t *testing.T) {
	r := gcprobe(t, "summary", "--json", summaryData+"gctrace.jsonl", summaryData+"scenario.jsonl")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got []struct {
		File    string
		Metrics []struct {
			Name  string
			Value float64
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(got) != 2 || !strings.HasSuffix(got[1].File, "scenario.jsonl") || len(got[1].Metrics) < 20 {
		t.Fatalf("got %+v", got)
	}
}

func TestSummaryBadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := write("empty.jsonl", "")
	bad := write("bad.jsonl", `{"schema":"gcprobe.run/v1","source":"run"}`+"\n"+`{"t":1,"sample":{"rss_bytes":"lots"}}`+"\n"+`{"t":2}`+"\n")
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"empty", []string{empty}, 1, []string{"empty.jsonl: empty run record"}},
		{"malformed line", []string{bad}, 1, []string{"bad.jsonl:2:", "rss_bytes"}},
		{"missing", []string{filepath.Join(dir, "nope.jsonl")}, 1, []string{"nope.jsonl"}},
		{"bad among good", []string{empty, summaryData + "gctrace.jsonl"}, 1, []string{"empty.jsonl"}},
		{"no args", nil, 2, []string{"no run record given"}},
		{"bad flag", []string{"--bogus"}, 2, []string{"bogus"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := gcprobe(t, append([]string{"summary"}, tt.args...)...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\nstderr: %s", r.code, tt.code, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q: %s", w, r.stderr)
				}
			}
			if n := strings.Count(r.stderr, "\n"); n != 1 {
				t.Errorf("want one line of error, got %d: %q", n, r.stderr)
			}
			if strings.Contains(r.stderr, "goroutine") {
				t.Errorf("stack trace: %s", r.stderr)
			}
		})
	}
	// The good file is still summarised beside the bad one.
	r := gcprobe(t, "summary", empty, summaryData+"gctrace.jsonl")
	if !strings.Contains(r.stdout, "exited with status 3") {
		t.Errorf("good file not summarised:\n%s", r.stdout)
	}
}

func TestSummaryDirectory(t *testing.T) {
	r := gcprobe(t, "summary", "--json", "../../analyze/report/testdata/sweep")
	if r.code != 0 || strings.Count(r.stdout, `"file":`) != 18 {
		t.Fatalf("exit %d, want 18 summaries of the sweep's records\n%s", r.code, r.stderr)
	}
	if r := gcprobe(t, "summary", t.TempDir()); r.code != 1 || !strings.Contains(r.stderr, "no run records") {
		t.Errorf("empty dir: exit %d, %s", r.code, r.stderr)
	}
}

func TestSummaryCutShort(t *testing.T) {
	r := gcprobe(t, "summary", summaryData+"truncated.jsonl")
	if r.code != 0 || !strings.Contains(r.stdout, "cut short") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestSummaryStdin runs import's documented pipe,
// "gcprobe import gctrace app.log -o - | gcprobe summary -".
func TestSummaryStdin(t *testing.T) {
	const log = `gc 1 @0.010s 1%: 0.018+1.2+0.021 ms clock, 0.036+0.1/0.5/0+0.042 ms cpu, 4->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P
gc 2 @0.500s 1%: 0.020+1.0+0.020 ms clock, 0.040+0.1/0.5/0+0.040 ms cpu, 4->5->2 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 2 P
`
	imp := gcprobeIn(t, log, "import", "gctrace", "-o", "-")
	if imp.code != 0 {
		t.Fatalf("import: exit %d: %s", imp.code, imp.stderr)
	}
	r := gcprobeIn(t, imp.stdout, "summary", "-")
	if r.code != 0 || !strings.Contains(r.stdout, "2: 2 automatic") {
		t.Errorf("summary -: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if r := gcprobeIn(t, imp.stdout, "summary", "-", "-"); r.code != 1 || !strings.Contains(r.stderr, "- given more than once") {
		t.Errorf("summary - -: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := gcprobeIn(t, "", "summary", "-"); r.code != 1 || strings.TrimSpace(r.stderr) != "gcprobe: stdin: empty run record (no header line)" {
		t.Errorf("summary - of nothing: exit %d, stderr %q", r.code, r.stderr)
	}
}
