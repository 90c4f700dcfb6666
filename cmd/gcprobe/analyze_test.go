package main

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The profiles of analyze/profiles/testdata: real ones from a small Go
// program (see the README there).
const profilesTestdata = "../../analyze/profiles/testdata/"

func TestAnalyze(t *testing.T) {
	heap := profilesTestdata + "heap.pb.gz"
	tests := []struct {
		name string
		args []string
		want []string // in stdout, in order
	}{
		{"default is alloc_space", []string{heap, "--top", "3"},
			[]string{"Profile: " + heap, "Sample: alloc_space (bytes, index 1)", "showing 3 of 57 functions", "main.churn", "main.buildString", "main.retain"}},
		{"inuse by package", []string{"--sample-index", "inuse_space", "--by", "package", "--top", "2", heap},
			[]string{"inuse_space", "values by package", "main", "fmt"}},
		{"cum", []string{"--sort", "cum", "--top", "1", heap}, []string{"sorted by cum", "main.main"}},
		{"churn", []string{"--churn", "--top", "2", heap}, []string{"Churn: alloc_space against inuse_space", "main.churn", "main.buildString"}},
		{"diff", []string{"--base", profilesTestdata + "heap-base.pb.gz", "--sample-index", "inuse_space", "--top", "1", heap},
			[]string{"change by function", "+1.35 MiB", "main.retain", "note: diff"}},
		{"normalized diff", []string{"--base", profilesTestdata + "heap-base.pb.gz", "--normalize", "--top", "1", heap}, []string{"change by function"}},
		{"types", []string{"--types", profilesTestdata + "cpu.pb.gz"}, []string{"samples/count", "*  cpu/nanoseconds"}},
		{"markdown", []string{"--markdown", "--top", "1", heap}, []string{"**Profile:**", "| flat |", "|---:|", "`main.churn`"}},
		{"focus and ignore", []string{"--focus", "main", "--ignore", "churn", "--top", "1", heap}, []string{"main.buildString", "left out by --focus/--ignore"}},
		{"debug=1 text", []string{"--top", "1", profilesTestdata + "heap.debug1.txt"}, []string{"main.churn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := gcprobe(t, append([]string{"analyze"}, tt.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			out := r.stdout
			for _, w := range tt.want {
				i := strings.Index(out, w)
				if i < 0 {
					t.Fatalf("output lacks %q (or has it out of order):\n%s", w, r.stdout)
				}
				out = out[i+len(w):]
			}
		})
	}
}

func TestAnalyzeJSON(t *testing.T) {
	r := gcprobe(t, "analyze", "--json", "--top", "2", profilesTestdata+"allocs.pb.gz")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var v struct {
		SampleType string `json:"sample_type"`
		Total      int64
		Rows       []struct{ Name string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("%v:\n%s", err, r.stdout)
	}
	if v.SampleType != "alloc_space" || v.Total <= 0 || len(v.Rows) != 2 || v.Rows[0].Name != "main.churn" {
		t.Errorf("got %+v", v)
	}
}

func TestAnalyzeStdin(t *testing.T) {
	b, err := os.ReadFile(profilesTestdata + "heap.pb.gz")
	if err != nil {
		t.Fatal(err)
	}
	r := gcprobeIn(t, string(b), "analyze", "--top", "1", "-")
	if r.code != 0 || !strings.Contains(r.stdout, "Profile: -") || !strings.Contains(r.stdout, "main.churn") {
		t.Errorf("stdin: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// Inputs that are not profiles are refused with one line and exit status 1.
func TestAnalyzeRefuses(t *testing.T) {
	dir := t.TempDir()
	lfs := filepath.Join(dir, "heap.pb.gz")
	os.WriteFile(lfs, []byte("version https://git-lfs.github.com/spec/v1\noid sha256:0123\nsize 99\n"), 0o644)
	trunc := filepath.Join(dir, "trunc.pb.gz")
	b, _ := os.ReadFile(profilesTestdata + "heap.pb.gz")
	os.WriteFile(trunc, b[:len(b)/3], 0o644)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"LFS pointer", []string{lfs}, lfs + ": not a profile: a Git LFS pointer"},
		{"truncated gzip", []string{trunc}, "truncated gzip stream"},
		{"missing", []string{filepath.Join(dir, "nope")}, "no such file"},
		{"churn of a CPU profile", []string{"--churn", profilesTestdata + "cpu.pb.gz"}, "churn needs the alloc_space and inuse_space"},
		{"unknown sample index", []string{"--sample-index", "cpu", profilesTestdata + "heap.pb.gz"}, `no sample type "cpu"`},
		{"size cap", []string{"--max-size", "1KiB", profilesTestdata + "heap.pb.gz"}, "too large: more than 1.00 KiB (--max-size raises the cap)"},
		{"directory", []string{dir}, dir + ": is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := gcprobe(t, append([]string{"analyze"}, tt.args...)...)
			if r.code != 1 || !strings.Contains(r.stderr, tt.want) || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
				t.Errorf("exit %d, stderr %q, stdout %q: want 1 and one line with %q", r.code, r.stderr, r.stdout, tt.want)
			}
		})
	}
}

// A run record given to analyze (it reads profiles and traces) is pointed
// to summary, in one line with exit status 2.
func TestAnalyzeRunRecord(t *testing.T) {
	rec := filepath.Join(t.TempDir(), "run.jsonl")
	os.WriteFile(rec, []byte(`{"schema":"gcprobe.run/v1","source":"run","start":"2026-12-01T22:00:00Z"}`+"\n"), 0o644)
	r := gcprobe(t, "analyze", rec)
	if r.code != 2 || !strings.Contains(r.stderr, "is a gcprobe run record") || !strings.Contains(r.stderr, "gcprobe summary "+rec) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("exit %d, stderr %q: want 2 and one line pointing to gcprobe summary", r.code, r.stderr)
	}
}

func TestAnalyzeUsage(t *testing.T) {
	heap := profilesTestdata + "heap.pb.gz"
	tests := []struct {
		args []string
		want string
	}{
		{nil, "want one PROFILE"},
		{[]string{heap, heap}, "got 2 arguments"},
		{[]string{"--by", "module", heap}, "--by"},
		{[]string{"--top", "-1", heap}, "--top"},
		{[]string{"--sort", "name", heap}, "--sort"},
		{[]string{"--focus", "(", heap}, "--focus"},
		{[]string{"--json", "--markdown", heap}, "--json and --markdown"},
		{[]string{"--normalize", heap}, "--normalize needs --base"},
		{[]string{"--churn", "--base", heap, heap}, "--churn and --base"},
		{[]string{"--max-size", "lots", heap}, "--max-size"},
		{[]string{"--bogus", heap}, "bogus"},
	}
	for _, tt := range tests {
		r := gcprobe(t, append([]string{"analyze"}, tt.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("analyze %q: exit %d, stderr %q; want 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}

// Every example in gcprobe analyze --help runs, on the testdata profiles.
func TestAnalyzeHelpExamples(t *testing.T) {
	spike := filepath.Join(t.TempDir(), "spike.trace")
	if err := os.WriteFile(spike, inProcessTrace(t, 30*time.Millisecond), 0o644); err != nil {
		t.Fatal(err)
	}
	files := strings.NewReplacer(
		"spike.trace", spike,
		"before.pb.gz", profilesTestdata+"heap-base.pb.gz",
		"after.pb.gz", profilesTestdata+"heap.pb.gz",
		"heap.pb.gz", profilesTestdata+"heap.pb.gz",
		"cpu.pprof", profilesTestdata+"cpu.pb.gz",
	)
	n := 0
	for _, line := range strings.Split(analyzeHelp, "\n") {
		cmd, ok := strings.CutPrefix(strings.TrimSpace(line), "gcprobe ")
		if !ok {
			continue
		}
		n++
		args := strings.Fields(files.Replace(cmd))
		if r := gcprobe(t, args...); r.code != 0 || r.stdout == "" {
			t.Errorf("gcprobe %s: exit %d: %s", cmd, r.code, r.stderr)
		}
	}
	if n < 4 {
		t.Errorf("found %d examples in the help, want at least 4", n)
	}
}

// TestAnalyzeBaseSharesAsPprof checks --base's shares against go tool
// pprof itself on the real profiles of testdata: by default those of
// pprof -base (of each stack's absolute change), with --base-shares those
// of pprof -diff_base (of the base's total).
func TestAnalyzeBaseSharesAsPprof(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go tool pprof; skipped with -short")
	}
	base, heap := profilesTestdata+"heap-base.pb.gz", profilesTestdata+"heap.pb.gz"
	for _, tc := range []struct{ pprofFlag, ours string }{{"-base", ""}, {"-diff_base", "--base-shares"}} {
		for _, si := range []string{"alloc_space", "inuse_space"} {
			out, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=1", "-sample_index="+si, tc.pprofFlag, base, heap).Output()
			if err != nil {
				t.Fatalf("go tool pprof: %v", err)
			}
			want := firstShare(t, string(out), "flat%")
			args := []string{"analyze", "--top", "1", "--sample-index", si, "--base", base, heap}
			if tc.ours != "" {
				args = append(args, tc.ours)
			}
			r := gcprobe(t, append(args, "--json")...)
			var tab struct {
				Rows []struct {
					FlatShare float64 `json:"flat_share"`
				} `json:"rows"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &tab); err != nil || len(tab.Rows) == 0 {
				t.Fatalf("analyze --json: %v\n%s%s", err, r.stdout, r.stderr)
			}
			got := 100 * tab.Rows[0].FlatShare
			t.Logf("%s %s: pprof %.2f%%, gcprobe %.2f%%", tc.pprofFlag, si, want, got)
			// pprof prints |flat|%; gcprobe signs it. Both round.
			if math.Abs(math.Abs(got)-math.Abs(want)) > 0.01*math.Abs(want)+0.01 {
				t.Errorf("%s %s: flat%% of the top row %.2f, go tool pprof %s says %.2f", si, tc.ours, got, tc.pprofFlag, want)
			}
		}
	}
}

// firstShare returns the percentage in the column named col of the first
// row under the header line that holds col (go tool pprof -top's layout).
func firstShare(t *testing.T, out, col string) float64 {
	t.Helper()
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		fields := strings.Fields(l)
		c := slices.Index(fields, col)
		if c < 0 || i+1 >= len(lines) {
			continue
		}
		row := strings.Fields(lines[i+1])
		if c >= len(row) {
			break
		}
		v, err := strconv.ParseFloat(strings.TrimSuffix(row[c], "%"), 64)
		if err != nil {
			t.Fatalf("%q in %q: %v", row[c], lines[i+1], err)
		}
		return v
	}
	t.Fatalf("no %s column in:\n%s", col, out)
	return 0
}
