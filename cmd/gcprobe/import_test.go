package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/record"
)

// importLog is a Go 1.26 gctrace log as a service in a pod writes it: time
// stamps, program output, the periodic GC, the scavenger, a runtime.GC, a
// pacer line, and a gap in the cycle numbers (gc 6 is missing).
const importLog = `2026-11-25T10:00:00.001Z starting server on :8080
2026-11-25T10:00:00.006Z gc 1 @0.005s 2%: 0.011+0.40+0.005 ms clock, 0.022+0.045/0.31/0.074+0.010 ms cpu, 3->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P
2026-11-25T10:00:00.012Z gc 2 @0.011s 3%: 0.013+0.68+0.021 ms clock, 0.027+0.20/0.52/0+0.042 ms cpu, 3->3->2 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P
2026-11-25T10:00:01.000Z request served in 3ms
2026-11-25T10:00:01.500Z scav 0 KiB work (bg), 0 KiB work (eager), 1024 KiB now, 97% util
2026-11-25T10:01:01.250Z gc 3 @61.250s 1%: 0.091+250+0.046 ms clock, 0.18+12/248/0.5+0.092 ms cpu, 950->1010->520 MB, 1000 MB goal, 1 MB stacks, 0 MB globals, 2 P
2026-11-25T10:03:01.260Z GC forced
2026-11-25T10:03:01.260Z gc 4 @181.260s 1%: 0.040+310+0.052 ms clock, 0.080+0.21/300/0.12+0.10 ms cpu, 600->600->520 MB, 1040 MB goal, 1 MB stacks, 0 MB globals, 2 P
2026-11-25T10:03:20.003Z pacer: assist ratio=+2.015e+000 (scan 500 MB in 1000->1040 MB) workers=1++0.000000e+000
2026-11-25T10:03:20.003Z gc 5 @200.003s 1% (checking for goroutine leaks): 0.040+280+0.052 ms clock, 0.080+4.2/270/0.12+0.10 ms cpu, 1020->1040->515 MB, 1040 MB goal, 1 MB stacks, 0 MB globals, 2 P
2026-11-25T10:05:00.001Z gc 7 @300.001s 1%: 0.012+260+0.008 ms clock, 0.024+0.10/255/0+0.016 ms cpu, 700->700->515 MB, 1030 MB goal, 1 MB stacks, 0 MB globals, 2 P (forced)
2026-11-25T10:05:00.300Z shutting down
`

// writeLog writes content to name in a new temporary directory.
func writeLog(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// gcEvents returns the gc events of a run.
func gcEvents(run *record.Run) []record.Event {
	var gcs []record.Event
	for _, e := range run.Events {
		if e.GC != nil {
			gcs = append(gcs, e)
		}
	}
	return gcs
}

func TestImportGCTrace(t *testing.T) {
	log := writeLog(t, "web-1.log", importLog)
	r := gcprobe(t, "import", "gctrace", log)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	out := strings.TrimSuffix(log, ".log") + ".jsonl"
	wantSummary := "gcprobe: imported 6 GC cycles (1 periodic, 1 forced) from " + log + " into " + out +
		"; 6 lines skipped (1 GC forced notices, 1 scavenger, 1 pacer, 3 other)\n"
	if r.stderr != wantSummary {
		t.Errorf("stderr:\n%s\nwant:\n%s", r.stderr, wantSummary)
	}
	if r.stdout != "" {
		t.Errorf("stdout: %q, want nothing", r.stdout)
	}

	run, err := record.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if run.Header.Source != record.SourceImport || run.Header.Host != (record.Host{}) {
		t.Errorf("header: source %q, host %+v; want import, empty", run.Header.Source, run.Header.Host)
	}
	if p := run.Header.Program; p == nil || p.Name != "web-1.log" || p.From != record.ProgramFromLogFile {
		t.Errorf("header program %+v, want web-1.log from the log file name", p)
	}
	// The summary names the log and does not show the import as the start.
	sum := gcprobe(t, "summary", out)
	for _, want := range []string{"gctrace log web-1.log", "not in the log: times count from the traced program's start (imported "} {
		if !strings.Contains(sum.stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum.stdout)
		}
	}
	// So do the report's title and its charts' time axes.
	page := filepath.Join(t.TempDir(), "r.html")
	if r := gcprobe(t, "report", out, "-o", page); r.code != 0 {
		t.Fatalf("report: exit %d: %s", r.code, r.stderr)
	}
	html, _ := os.ReadFile(page)
	for _, want := range []string{"<title>GC report: gctrace log web-1.log</title>", "time since the traced program", "not in the log: times count"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	gcs := gcEvents(run)
	var ns []uint64
	for _, e := range gcs {
		ns = append(ns, e.GC.N)
		if e.T != e.GC.EndSeconds {
			t.Errorf("gc %d: t = %v, want its end %v", e.GC.N, e.T, e.GC.EndSeconds)
		}
	}
	if got := fmt.Sprint(ns); got != "[1 2 3 4 5 7]" {
		t.Fatalf("cycles %s, want [1 2 3 4 5 7]", got)
	}
	if gc := gcs[3].GC; !gc.Periodic || gc.Forced {
		t.Errorf("gc 4 after GC forced: periodic %v, forced %v; want true, false", gc.Periodic, gc.Forced)
	}
	if gc := gcs[5].GC; !gc.Forced || gc.Periodic {
		t.Errorf("gc 7 (forced): forced %v, periodic %v; want true, false", gc.Forced, gc.Periodic)
	}
	if gc := gcs[2].GC; gc.PauseSeconds != 0.000137 || gc.HeapLiveBytes != 520<<20 || gc.EndSeconds != 61.500137 {
		t.Errorf("gc 3: pause %v, live %v, end %v; want 0.000137, 520 MiB, 61.500137", gc.PauseSeconds, gc.HeapLiveBytes, gc.EndSeconds)
	}
	if !gcs[4].GC.LeakCheck {
		t.Errorf("gc 5 has the leak-check token but LeakCheck is false")
	}

	notes := noteText(run)
	for _, want := range []string{
		"start time is unknown",
		"host, Go version and GC settings",
		"gctrace format: Go 1.18 or later, Go 1.26 or later",
		"1 GC cycles are missing",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("no note says %q; notes:\n%s", want, notes)
		}
	}
	if end := run.End(); end == nil || end.Reason != record.EndImported {
		t.Errorf("end %+v, want reason %q", end, record.EndImported)
	}
}

// noteText joins the messages of a run's notes, one per line.
func noteText(run *record.Run) string {
	var b strings.Builder
	for _, e := range run.Events {
		if e.Note != nil {
			b.WriteString(e.Note.Level + ": " + e.Note.Message + "\n")
		}
	}
	return b.String()
}

// TestImportStdinToStdout pastes a log of an older Go into stdin, as from a
// GitHub issue, and reads the record from stdout.
func TestImportStdinToStdout(t *testing.T) {
	const go15 = `gc #1 @0.042s 4%: 0.051+1.1+0.026+16+0.43 ms clock, 0.10+1.1+0+2.0/6.7/0+0.86 ms cpu, 4->32->10 MB, 4 MB goal, 4 P
gc #2 @1.250s 3%: 0.35+0+0+0+5.8 ms clock, 0.35+0+0+0/0/0+5.8 ms cpu, 9->9->4 MB, 9 MB goal, 4 P (forced)
`
	r := gcprobeIn(t, go15, "import", "gctrace", "-o", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "imported 2 GC cycles (0 periodic, 1 forced) from stdin into stdout; 0 lines skipped") {
		t.Errorf("stderr: %s", r.stderr)
	}
	run, err := record.Read(strings.NewReader(r.stdout), "stdout")
	if err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	gcs := gcEvents(run)
	if len(gcs) != 2 {
		t.Fatalf("%d gc events, want 2", len(gcs))
	}
	// Go 1.5's runtime.GC stopped the world for the whole cycle.
	if gc := gcs[1].GC; gc.PauseSeconds != 0.00615 || gc.PauseMaxSeconds != 0.00615 {
		t.Errorf("forced Go 1.5 cycle: pause %v, max %v; want 0.00615 both", gc.PauseSeconds, gc.PauseMaxSeconds)
	}
	if !strings.Contains(noteText(run), "gctrace format: Go 1.5;") {
		t.Errorf("notes do not name the Go 1.5 format:\n%s", noteText(run))
	}
}

// TestImportRestart imports a log in which the program restarted: the
// second run's times are shifted to follow the first, and a note says so.
func TestImportRestart(t *testing.T) {
	log := "gc 1 @1.000s 1%: 0.020+1.5+0.030 ms clock, 0.040+0.3/1.2/0+0.060 ms cpu, 4->4->2 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 2 P\n" +
		"gc 2 @9.000s 1%: 0.020+1.5+0.030 ms clock, 0.040+0.3/1.2/0+0.060 ms cpu, 4->4->2 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 2 P\n" +
		"panic: boom\n" +
		"gc 1 @0.500s 1%: 0.020+1.5+0.030 ms clock, 0.040+0.3/1.2/0+0.060 ms cpu, 4->4->2 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 2 P\n"
	path := writeLog(t, "crashy.txt", log)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	r := gcprobe(t, "import", "gctrace", path, "-o", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	run, err := record.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	gcs := gcEvents(run)
	if len(gcs) != 3 {
		t.Fatalf("%d gc events, want 3", len(gcs))
	}
	// The first run ended at 9.00155 s; the second run's gc 1 ended 0.50155
	// s after its start.
	if want := 9.00155 + 0.50155; math.Abs(gcs[2].T-want) > 1e-9 || gcs[2].T <= gcs[1].T {
		t.Errorf("t after the restart = %v, want %v", gcs[2].T, want)
	}
	if !strings.Contains(noteText(run), "crashy.txt:4: the program restarted") {
		t.Errorf("no note about the restart:\n%s", noteText(run))
	}
}

func TestImportOutputNames(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"app.log", "app.jsonl"},
		{"/var/log/app.log", "/var/log/app.jsonl"},
		{"logs/gctrace", "logs/gctrace.jsonl"},
		{"issue-1234.txt", "issue-1234.jsonl"},
		{"trace.jsonl", "trace.gcprobe.jsonl"}, // never the input itself
		{"app.log.2.gz", "app.log.jsonl"},
		{"app.log.gz", "app.jsonl"},
		{"-", "gctrace.jsonl"},
	} {
		if got := defaultImportOutput(tt.in); got != tt.want {
			t.Errorf("defaultImportOutput(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}

	// From stdin, without -o, the record is gctrace.jsonl in the current
	// directory.
	dir := t.TempDir()
	t.Chdir(dir)
	r := gcprobeIn(t, importLog, "import", "gctrace")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := record.ReadFile(filepath.Join(dir, "gctrace.jsonl")); err != nil {
		t.Errorf("stdin import without -o: %v", err)
	}
}

// TestImportLongLine checks that a line longer than the reader's buffer is
// skipped whole, and the gctrace line after it still read.
func TestImportLongLine(t *testing.T) {
	long := strings.Repeat("x", 3*64<<10) // three times gctrace.Import's line cap + "gc 9 @1.000s 1%: 1+1+1 ms clock"
	log := long + "\n" + strings.SplitN(importLog, "\n", 3)[1] + "\n"
	r := gcprobeIn(t, log, "import", "gctrace", "-", "-o", "-")
	if r.code != 0 || !strings.Contains(r.stderr, "imported 1 GC cycles") || !strings.Contains(r.stderr, "1 lines skipped") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
}

func TestImportErrors(t *testing.T) {
	dir := t.TempDir()
	noTrace := writeLog(t, "app.log", "listening on :8080\nrequest served\n")
	empty := writeLog(t, "empty.log", "")
	go14 := writeLog(t, "old.log", "gc12(4): 1+2+3+4 us, 8 -> 4 MB, 3 (41-38) objects, 5 goroutines, 27/0/0 sweeps, 0(0) handoff, 0(0) steal, 0/0/0 yields\n")
	good := writeLog(t, "good.log", importLog)
	missing := filepath.Join(dir, "missing.log")
	for _, tt := range []struct {
		name  string
		args  []string
		code  int
		want  string
		noOut string // a file that must not exist afterwards
	}{
		{"missing file", []string{"gctrace", missing}, 1, "open " + missing + ": no such file or directory", ""},
		{"no gctrace lines", []string{"gctrace", noTrace}, 1,
			noTrace + ": no gctrace lines found (was GODEBUG=gctrace=1 set?)", strings.TrimSuffix(noTrace, ".log") + ".jsonl"},
		{"empty file", []string{"gctrace", empty}, 1, empty + ": empty input: no gctrace lines found", strings.TrimSuffix(empty, ".log") + ".jsonl"},
		{"only go1.4 lines", []string{"gctrace", go14}, 1, "only Go 1.4 gctrace lines found", strings.TrimSuffix(go14, ".log") + ".jsonl"},
		{"unknown format", []string{"pprof", good}, 2, `unknown format "pprof" (known: gctrace, prometheus)`, ""},
		{"no format", nil, 2, "which format? (known: gctrace", ""},
		{"two files", []string{"gctrace", good, good}, 2, "takes one FILE", ""},
		{"output is the input", []string{"gctrace", good, "-o", good}, 2, "would overwrite the log it reads", ""},
		{"unwritable output", []string{"gctrace", good, "-o", filepath.Join(dir, "no", "such", "dir.jsonl")}, 1, "no such file or directory", ""},
		{"bad flag", []string{"gctrace", good, "--frobnicate"}, 2, "frobnicate", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := gcprobe(t, append([]string{"import"}, tt.args...)...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", r.code, r.stderr, tt.code, tt.want)
			}
			if strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("want one line of error, got %q", r.stderr)
			}
			if tt.noOut != "" {
				if _, err := os.Stat(tt.noOut); err == nil {
					t.Errorf("%s was left behind", tt.noOut)
				}
			}
		})
	}
	if data, err := os.ReadFile(good); err != nil || string(data) != importLog {
		t.Errorf("the input log changed: %v", err)
	}
}

func TestImportHelp(t *testing.T) {
	r := gcprobe(t, "import", "--help")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "Usage: gcprobe import gctrace [FILE|-] [-o OUT]") {
		t.Fatalf("exit %d, stdout:\n%s", r.code, r.stdout)
	}
	if !strings.Contains(r.stdout, "--output") {
		t.Errorf("help does not list --output:\n%s", r.stdout)
	}
}

// TestImportGzip reads a rotated, gzipped log.
func TestImportGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(importLog))
	zw.Close()
	log := writeLog(t, "web-1.log.gz", buf.String())
	r := gcprobe(t, "import", "gctrace", log)
	if r.code != 0 || !strings.Contains(r.stderr, "imported 6 GC cycles") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := record.ReadFile(strings.TrimSuffix(log, ".log.gz") + ".jsonl"); err != nil {
		t.Error(err)
	}
	// A log cut short mid-stream fails with one line naming it.
	cut := writeLog(t, "cut.log.gz", buf.String()[:buf.Len()/2])
	if r := gcprobe(t, "import", "gctrace", cut); r.code != 1 || !strings.Contains(r.stderr, cut+": line ") {
		t.Errorf("truncated gzip: exit %d, %s", r.code, r.stderr)
	}
	// A file that only looks gzipped fails with one line naming it.
	bad := writeLog(t, "bad.gz", "\x1f\x8bnot really")
	if r := gcprobe(t, "import", "gctrace", bad); r.code != 1 || !strings.Contains(r.stderr, bad+":") {
		t.Errorf("corrupt gzip: exit %d, %s", r.code, r.stderr)
	}
}
