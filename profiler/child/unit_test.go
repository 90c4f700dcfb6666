package child

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shirou/gopsutil/v4/process"

	"github.com/gcprobe/gcprobe/record"
)

func TestMergeGODEBUG(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "gctrace=1"},
		{"gctrace=2", "gctrace=1"},
		{"madvdontneed=1", "madvdontneed=1,gctrace=1"},
		{"gctrace=0,madvdontneed=1, asyncpreemptoff=1", "madvdontneed=1,asyncpreemptoff=1,gctrace=1"},
		{",,x=1,", "x=1,gctrace=1"},
	} {
		if got := mergeGODEBUG(tc.in, "gctrace=1"); got != tc.want {
			t.Errorf("mergeGODEBUG(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestChildEnv(t *testing.T) {
	base := []string{"PATH=/bin", "GODEBUG=madvdontneed=1", "GOGC=100", "GCPROBE_EVENTS_FD=7"}
	env, err := childEnv(base, []string{"FOO=bar", "GODEBUG=gctrace=0,x=1"}, "off", "512MiB")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"PATH=/bin", "GODEBUG=x=1,gctrace=1", "GOGC=off", "GCPROBE_EVENTS_FD=3", "FOO=bar", "GOMEMLIMIT=536870912"}
	if strings.Join(env, " ") != strings.Join(want, " ") {
		t.Errorf("env = %q\nwant  %q", env, want)
	}
	for _, bad := range []struct{ gogc, limit string }{{"-1", ""}, {"", "lots"}} {
		if _, err := childEnv(base, nil, bad.gogc, bad.limit); err == nil {
			t.Errorf("GOGC %q, GOMEMLIMIT %q: no error", bad.gogc, bad.limit)
		}
	}
	if _, err := childEnv(base, []string{"NOEQUALS"}, "", ""); err == nil {
		t.Errorf("extra env without =: no error")
	}
}

func TestParseVmHWM(t *testing.T) {
	status := "Name:\tx\nVmPeak:\t  10000 kB\nVmHWM:\t    8612 kB\nVmRSS:\t    8000 kB\n"
	if got := parseVmHWM([]byte(status)); got != 8612<<10 {
		t.Errorf("VmHWM = %d", got)
	}
	for _, bad := range []string{"", "VmHWM:", "VmHWM:\tlots kB\n"} {
		if got := parseVmHWM([]byte(bad)); got != 0 {
			t.Errorf("parseVmHWM(%q) = %d", bad, got)
		}
	}
}

func TestReadStderr(t *testing.T) {
	in := strings.Join([]string{
		"program line 1",
		"gc 1 @0.050s 0%: 0.018+0.42+0.003 ms clock, 0.037+0.10/0.20/0.12+0.007 ms cpu, 3->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P",
		"GC forced",
		"partial output gc 2 @2.000s 0%: 0.018+0.42+0.003 ms clock, 0.037+0.10/0.20/0.12+0.007 ms cpu, 3->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P",
		"pacer: assist ratio=+1.0e+000 (scan 0 MB in 3->4 MB) workers=1++0.000000e+000",
		"scav 0 KiB work (bg), 0 KiB work (eager), 0 KiB now, 1 KiB released",
		"  \tindented line with trailing space \t",
		strings.Repeat("x", maxStderrLine+10),
		"last line without newline",
	}, "\n")
	var rec, out bytes.Buffer
	w, err := record.NewWriter(&rec, record.Header{Source: record.SourceRun})
	if err != nil {
		t.Fatal(err)
	}
	readStderr(strings.NewReader(in), &out, newClassifier(false), false, 10, newGCSource(w, time.Hour))

	want := strings.Join([]string{
		"program line 1",
		"partial output pacer: assist ratio=+1.0e+000 (scan 0 MB in 3->4 MB) workers=1++0.000000e+000",
		"  \tindented line with trailing space \t",
		strings.Repeat("x", maxStderrLine+10),
		"last line without newline",
	}, "\n")
	if got := out.String(); got != want {
		t.Errorf("passed through:\n%.300q\nwant\n%.300q", got, want)
	}
	run, err := record.Read(&rec, "rec")
	if err != nil {
		t.Fatal(err)
	}
	var gcs []record.GC
	for _, e := range run.Events {
		if e.GC != nil {
			gcs = append(gcs, *e.GC)
			if e.T != e.GC.EndSeconds {
				t.Errorf("gc %d at t=%v, ends at %v", e.GC.N, e.T, e.GC.EndSeconds)
			}
		}
	}
	if len(gcs) != 2 {
		t.Fatalf("%d cycles recorded, want 2: %+v", len(gcs), gcs)
	}
	// Offsets move onto the record's clock (+10s here).
	if gcs[0].StartSeconds != 10.05 || gcs[1].StartSeconds != 12 || !gcs[1].Periodic {
		t.Errorf("cycles: %+v", gcs)
	}
}

func TestReadStderrShowGCTrace(t *testing.T) {
	line := "gc 1 @0.050s 0%: 0.018+0.42+0.003 ms clock, 0.037+0.10/0.20/0.12+0.007 ms cpu, 3->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n"
	var rec, out bytes.Buffer
	w, _ := record.NewWriter(&rec, record.Header{})
	readStderr(strings.NewReader(line), &out, newClassifier(false), true, 0, newGCSource(w, time.Hour))
	if out.String() != line || !strings.Contains(rec.String(), `"gc":{"n":1`) {
		t.Errorf("shown %q; record %s", out.String(), rec.String())
	}
}

func TestGCSource(t *testing.T) {
	newW := func() (*bytes.Buffer, *record.Writer) {
		var b bytes.Buffer
		w, _ := record.NewWriter(&b, record.Header{})
		return &b, w
	}
	gcs := func(b *bytes.Buffer) int { return strings.Count(b.String(), `"gc":`) }
	ev := func(n uint64) record.Event { return record.Event{T: float64(n), GC: &record.GC{N: n}} }

	t.Run("trace wins", func(t *testing.T) {
		b, w := newW()
		s := newGCSource(w, time.Hour)
		s.fromStream(ev(1))
		s.fromTrace(ev(1))
		s.fromStream(ev(2))
		s.fromTrace(ev(2))
		s.finish()
		if gcs(b) != 2 {
			t.Errorf("%d gc events, want 2 (gctrace's):\n%s", gcs(b), b)
		}
	})
	t.Run("silent trace", func(t *testing.T) {
		b, w := newW()
		s := newGCSource(w, time.Second)
		s.fromStream(ev(1))
		s.check(time.Now()) // too early
		if gcs(b) != 0 {
			t.Fatalf("stream gc written before the wait")
		}
		s.check(time.Now().Add(2 * time.Second))
		s.fromStream(ev(2))
		if gcs(b) != 2 || !strings.Contains(b.String(), "no gctrace cycles") {
			t.Errorf("after the wait:\n%s", b)
		}
	})
	t.Run("flushed at the end", func(t *testing.T) {
		b, w := newW()
		s := newGCSource(w, time.Hour)
		s.fromStream(ev(1))
		s.finish()
		if gcs(b) != 1 {
			t.Errorf("held stream gc lost:\n%s", b)
		}
	})
}

func TestReadEventsRebases(t *testing.T) {
	in := `{"t":1,"latency":{"interval_seconds":1,"count":1,"slowest":[{"start_seconds":0.5,"latency_seconds":0.1}]}}
{"t":2,"end":{"reason":"exit"}}
{"t":3,"note":{"level":"info","message":"hi"}}
`
	var b bytes.Buffer
	w, _ := record.NewWriter(&b, record.Header{})
	readEvents(strings.NewReader(in), 5, w, newGCSource(w, time.Hour))
	run, err := record.Read(&b, "rec")
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Events) != 2 || run.Events[0].T != 6 || run.Events[0].Latency.Slowest[0].StartSeconds != 5.5 || run.Events[1].T != 8 {
		t.Errorf("events: %+v", run.Events)
	}
}

// TestReadEventsLongLine: a line longer than a record line may be is
// dropped with a note naming it, and the lines after it are still read.
func TestReadEventsLongLine(t *testing.T) {
	in := `{"t":1,"note":{"level":"info","message":"` + strings.Repeat("x", record.MaxLineBytes) + `"}}
{"t":3,"note":{"level":"info","message":"after"}}
`
	var b bytes.Buffer
	w, _ := record.NewWriter(&b, record.Header{})
	readEvents(strings.NewReader(in), 0, w, newGCSource(w, time.Hour))
	run, err := record.Read(&b, "rec")
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Events) != 2 || !strings.Contains(run.Events[0].Note.Message, "line 1 dropped: line too long") || run.Events[1].Note.Message != "after" {
		t.Errorf("events: %+v", run.Events)
	}
}

// BenchmarkSample is one RSS, peak RSS and CPU reading with the sampler's
// single *process.Process; BenchmarkSampleNewProcess creates a Process for
// every reading, as a naive observer would.
func BenchmarkSample(b *testing.B) {
	s, err := newSampler(os.Getpid())
	if err != nil {
		b.Fatal(err)
	}
	defer s.close()
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.sample(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSampleNewProcess(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		p, err := process.NewProcessWithContext(ctx, int32(os.Getpid()))
		if err != nil {
			b.Fatal(err)
		}
		s := &sampler{proc: p, buf: make([]byte, 4096)}
		s.status, _ = os.Open("/proc/self/status")
		if _, err := s.sample(ctx); err != nil {
			b.Fatal(err)
		}
		s.close()
	}
}
