package crosscheck

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/internal/testservice"
	"github.com/gcprobe/gcprobe/profiler/attach"
	"github.com/gcprobe/gcprobe/record"
)

// service is testdata/progs/service running on 127.0.0.1.
type service struct {
	url string
	pid int
	svc *testservice.Service
}

func startService(t *testing.T, endpoints string) service {
	t.Helper()
	svc := testservice.Start(t, endpoints)
	return service{svc.URL, svc.PID, svc}
}

// load sends requests that allocate from a few goroutines for d, at most n.
func (s service) load(d time.Duration, n int) { s.svc.Load(d, n, 512, 4) }

// record attaches to the service through one source for d and returns the
// summary of the record.
func (s service) record(t *testing.T, source string, d time.Duration) summary.Summary {
	t.Helper()
	ses, err := attach.Open(context.Background(), attach.Options{
		PID: s.pid, URL: s.url, Source: source, Interval: 100 * time.Millisecond, Duration: d,
	})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := ses.Record(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	run, err := record.Read(&b, source+".jsonl")
	if err != nil {
		t.Fatal(err)
	}
	return summary.Compute(run)
}

// both attaches through two sources over the same window while f runs.
func (s service) both(t *testing.T, a, b string, d time.Duration, f func()) (summary.Summary, summary.Summary) {
	t.Helper()
	var sa, sb summary.Summary
	var wg sync.WaitGroup
	wg.Go(func() { sa = s.record(t, a, d) })
	wg.Go(func() { sb = s.record(t, b, d) })
	time.Sleep(200 * time.Millisecond) // both have their baselines
	f()
	wg.Wait()
	return sa, sb
}

// TestPrometheusPausesAgainstExpvar attaches to one real service through
// its client_golang /metrics and its /debug/vars over the same window under
// load. expvar's PauseNs holds every cycle's pause; Prometheus gives the
// count and sum exactly and quantile="1", so its longest pause must be at
// least 0.8x expvar's (it may be larger: it reaches back 256 cycles), or not
// claimed at all, and it must claim no percentiles.
func TestPrometheusPausesAgainstExpvar(t *testing.T) {
	svc := startService(t, "expvar,prometheus")
	prom, ex := svc.both(t, attach.SourcePrometheus, attach.SourceExpvar, 2*time.Second, func() {
		svc.load(1500*time.Millisecond, 4000)
	})
	p, e := prom.Pauses, ex.Pauses
	t.Logf("prometheus: %d cycles, longest %.3f ms (%s), total %.3f ms; expvar: %d cycles, longest %.3f ms, total %.3f ms",
		p.Count, 1e3*p.Longest, p.Method, 1e3*p.Total, e.Count, 1e3*e.Longest, 1e3*e.Total)
	if e.Count < 5 {
		t.Fatalf("the load made only %d cycles", e.Count)
	}
	if p.Method != summary.PauseCounts || p.HasQuantiles() {
		t.Errorf("prometheus pauses: method %q, quantiles %v; want counts only", p.Method, p.HasQuantiles())
	}
	if p.Longest != 0 && p.Longest < 0.8*e.Longest {
		t.Errorf("prometheus longest pause %.3f ms, below 0.8x expvar's %.3f ms", 1e3*p.Longest, 1e3*e.Longest)
	}
	if p.Longest != 0 && !strings.Contains(p.LongestIs, "quantile") {
		t.Errorf("prometheus longest pause without its label: %q", p.LongestIs)
	}
	// The two windows start and end at different polls: a cycle or two
	// apart at most, at the load's rate.
	if d := p.Count - e.Count; d < -3 || d > 3 {
		t.Errorf("prometheus counted %d cycles, expvar %d", p.Count, e.Count)
	}
	for _, x := range append(prom.Verdict(), ex.Verdict()...) {
		if strings.Contains(x, "average") {
			t.Errorf("verdict %q", x)
		}
	}
}

// TestAttachGCCPUWindow attaches to one service through the agent (its
// probe reads /cpu/classes) and through expvar (GCCPUFraction at two cycle
// ends times the uptime) over the same window under load: two independent
// routes to the runtime's account of the same window.
func TestAttachGCCPUWindow(t *testing.T) {
	svc := startService(t, "agent,expvar")
	// A history before the window, so that a lifetime figure would differ.
	svc.load(500*time.Millisecond, 1000)
	ag, ex := svc.both(t, attach.SourceAgent, attach.SourceExpvar, 2*time.Second, func() {
		svc.load(1500*time.Millisecond, 4000)
	})
	a, e := ag.GCCPU, ex.GCCPU
	t.Logf("agent: %.2f%% (%s), idle %.2f%%; expvar: %.2f%% (%s); %d and %d cycles", 100*a.Share, a.Method, 100*a.IdleShare,
		100*e.Share, e.Method, ag.Cycles.Total, ex.Cycles.Total)
	if ex.Cycles.Total < 5 {
		t.Fatalf("the load made only %d cycles", ex.Cycles.Total)
	}
	if a.Method != summary.CPURuntimeCycles || e.Method != summary.CPUFractionEnds {
		t.Fatalf("methods %q and %q", a.Method, e.Method)
	}
	// The windows differ by the cycles at their edges.
	if d := a.Share - e.Share; d > 0.25*a.Share+0.005 || d < -0.25*a.Share-0.005 {
		t.Errorf("agent %.2f%%, expvar %.2f%%: more than 25%% apart", 100*a.Share, 100*e.Share)
	}
}

// TestAttachIdleWindow attaches to a service that ran GC cycles before the
// window and none in it: no source may claim a GC CPU share (a lifetime
// figure would), and no verdict that says no cycle ran may name one.
func TestAttachIdleWindow(t *testing.T) {
	svc := startService(t, "agent,expvar,prometheus")
	svc.load(500*time.Millisecond, 1000)
	for _, source := range []string{attach.SourceAgent, attach.SourceExpvar, attach.SourcePrometheus} {
		t.Run(source, func(t *testing.T) {
			// A cycle just before the window: the polls' own garbage
			// is then far from the heap goal.
			if resp, err := http.Get(svc.url + "/gc"); err == nil {
				resp.Body.Close()
			}
			time.Sleep(400 * time.Millisecond) // the agent's probe (250 ms ticks) has seen it
			s := svc.record(t, source, 800*time.Millisecond)
			v := strings.Join(s.Verdict(), "; ")
			t.Logf("%s: %d cycles, GC CPU %+v; verdict: %s", source, s.Cycles.Total, s.GCCPU, v)
			if s.Cycles.Total > 0 {
				t.Skipf("a GC cycle ran in the window after all (%d)", s.Cycles.Total)
			}
			if s.GCCPU.Share != 0 || (s.GCCPU.Method != "" && s.GCCPU.Method != summary.CPUNoCycle) {
				t.Errorf("GC CPU %+v over a window without a cycle", s.GCCPU)
			}
			if strings.Contains(v, "GC used") {
				t.Errorf("verdict claims GC CPU: %s", v)
			}
		})
	}
}

// TestSameProcessByPprof: a /metrics that says nothing about its process
// (no process collector) leaves pprof's main mapping to tell which binary
// answers: the service's own PID passes with a note saying what was
// compared; the PID of another Go program is refused.
func TestSameProcessByPprof(t *testing.T) {
	svc := startService(t, "prometheus-bare,pprof")
	opts := attach.Options{PID: svc.pid, URL: svc.url, Source: attach.SourcePrometheus, Interval: 100 * time.Millisecond, Duration: 200 * time.Millisecond}
	ses, err := attach.Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("the service's own PID: %v", err)
	}
	var b bytes.Buffer
	if _, err := ses.Record(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "same binary") {
		t.Errorf("no note on what was compared:\n%s", b.String())
	}
	other := contend(t, 1, 5*time.Second) // spin: another Go program
	opts.PID = other.Process.Pid
	if _, err := attach.Open(context.Background(), opts); !errors.Is(err, attach.ErrOtherProcess) {
		t.Errorf("PID of spin with the service's URL: %v, want ErrOtherProcess", err)
	}
}
