package attach

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"expvar"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

// server starts an httptest server on 127.0.0.1 serving h.
func server(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

// memstatsJSON builds an expvar body whose ring holds cycles first..numGC,
// cycle n with a pause of n µs ending at start + n ms.
func memstatsJSON(start time.Time, numGC, forced uint32) []byte {
	var ms memStats
	ms.NumGC, ms.NumForcedGC, ms.HeapAlloc, ms.NextGC = numGC, forced, 3<<20, 4<<20
	for n := max(1, int64(numGC)-ringSize+1); n <= int64(numGC); n++ {
		i := (n - 1) % ringSize
		ms.PauseNs[i] = uint64(n) * 1000
		ms.PauseEnd[i] = uint64(start.Add(time.Duration(n) * time.Millisecond).UnixNano())
	}
	b, _ := json.Marshal(map[string]any{"cmdline": []string{"svc"}, "memstats": ms})
	return b
}

func TestExpvarRing(t *testing.T) {
	start := time.Now()
	var body []byte
	url := server(t, func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
	e := newExpvar(newFetcher(time.Second), url, start)
	poll := func(numGC, forced uint32, now float64) []record.Event {
		t.Helper()
		body = memstatsJSON(start, numGC, forced)
		r, err := e.poll(context.Background(), now)
		if err != nil {
			t.Fatal(err)
		}
		if !r.sampleOK || r.sample.GCCyclesTotal != uint64(numGC) || r.sample.HeapObjectsBytes != 3<<20 {
			t.Fatalf("sample %+v", r.sample)
		}
		return r.events
	}
	if evs := poll(10, 0, 0); len(evs) != 0 {
		t.Fatalf("baseline gave events: %v", evs)
	}
	t.Run("every cycle recovered", func(t *testing.T) {
		evs := poll(15, 5, 1)
		if len(evs) != 5 {
			t.Fatalf("got %d events, want 5", len(evs))
		}
		for k, ev := range evs {
			n := uint64(11 + k)
			g := ev.GC
			if g == nil || g.N != n || !near(g.PauseSeconds, float64(n)*1e-6) || !g.Forced {
				t.Errorf("event %d: %+v", k, g)
			}
			if d := g.EndSeconds - float64(n)/1000; d > 1e-6 || d < -1e-6 {
				t.Errorf("cycle %d ended at %v, want %v", n, g.EndSeconds, float64(n)/1000)
			}
		}
	})
	t.Run("more than the ring holds", func(t *testing.T) {
		evs := poll(15+300, 5, 2)
		if len(evs) != 1+ringSize {
			t.Fatalf("got %d events, want a note and 256 cycles", len(evs))
		}
		if evs[0].Note == nil || !strings.Contains(evs[0].Note.Message, "44 cycles (16 to 59) are lost") {
			t.Errorf("note: %+v", evs[0].Note)
		}
		if g := evs[1].GC; g.N != 60 || !near(g.PauseSeconds, 60e-6) || g.Forced {
			t.Errorf("first kept cycle: %+v", g)
		}
		if g := evs[len(evs)-1].GC; g.N != 315 {
			t.Errorf("last cycle: %+v", g)
		}
	})
	t.Run("restarted target", func(t *testing.T) {
		evs := poll(3, 0, 3)
		if len(evs) != 1 || evs[0].Note == nil || !strings.Contains(evs[0].Note.Message, "restarted") {
			t.Fatalf("events: %+v", evs)
		}
		if evs := poll(4, 0, 4); len(evs) != 1 || evs[0].GC.N != 4 {
			t.Fatalf("after restart: %+v", evs)
		}
	})
}

const promText = `# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 1e-05
go_gc_duration_seconds{quantile="1"} 0.001
go_gc_duration_seconds_sum %g
go_gc_duration_seconds_count %d
# TYPE go_memstats_heap_alloc_bytes gauge
go_memstats_heap_alloc_bytes 3.145728e+06
# TYPE go_memstats_last_gc_time_seconds gauge
go_memstats_last_gc_time_seconds %.9f
# TYPE go_sched_pauses_total_gc_seconds histogram
go_sched_pauses_total_gc_seconds_bucket{le="1e-05"} 0
go_sched_pauses_total_gc_seconds_bucket{le="0.0001"} %d
go_sched_pauses_total_gc_seconds_bucket{le="+Inf"} %d
go_sched_pauses_total_gc_seconds_sum NaN
go_sched_pauses_total_gc_seconds_count %d
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 1.2e+07
`

func TestPrometheusCycles(t *testing.T) {
	start := time.Now()
	var body string
	url := server(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
	p := newPrometheus(newFetcher(time.Second), url, start)
	poll := func(n int, sum float64, lastGC float64, now float64) []record.Event {
		t.Helper()
		last := float64(start.UnixNano())/1e9 + lastGC
		body = fmt.Sprintf(promText, sum, n, last, 2*n, 2*n, 2*n)
		r, err := p.poll(context.Background(), now)
		if err != nil {
			t.Fatal(err)
		}
		if r.sample.GCCyclesTotal != uint64(n) || r.sample.RSSBytes != 12e6 || r.sample.HeapObjectsBytes != 3<<20 {
			t.Fatalf("sample %+v", r.sample)
		}
		return r.events
	}
	poll(3, 0.003, 0, 0)
	evs := poll(4, 0.0035, 0.5, 1)
	if len(evs) != 2 || evs[0].GC == nil || evs[0].GC.N != 4 || !near(evs[0].GC.PauseSeconds, 0.0005) || !near(evs[0].GC.EndSeconds, 0.5) {
		t.Fatalf("one cycle: %+v", evs)
	}
	if ps := evs[1].Pauses; ps == nil || len(ps.Buckets) != 1 || ps.Buckets[0].Count != 2 || ps.Buckets[0].Hi != 1e-4 {
		t.Fatalf("pauses: %+v", evs[1].Pauses)
	}
	evs = poll(7, 0.0065, 1.9, 2)
	var cycles []*record.GC
	var pz *record.Pauses
	for _, e := range evs {
		if e.GC != nil {
			cycles = append(cycles, e.GC)
		}
		if e.Pauses != nil {
			pz = e.Pauses
		}
	}
	if len(cycles) != 3 || pz == nil {
		t.Fatalf("three cycles: %+v", evs)
	}
	// Three cycles share the poll: none gets a pause of its own (an
	// average would be invented); the Pauses event has the exact count
	// and sum, and quantile="1" as the maximum, labelled.
	for _, g := range cycles {
		if g.PauseSeconds != 0 {
			t.Errorf("cycle %d got pause %v: averaged", g.N, g.PauseSeconds)
		}
	}
	if pz.Count != 3 || !near(pz.SumSeconds, 0.003) || pz.MaxSeconds != 0.001 || !strings.Contains(pz.MaxNote, "quantile") {
		t.Fatalf("pauses of three cycles: %+v", pz)
	}
	if cycles[2].N != 7 || !near(cycles[2].EndSeconds, 1.9) {
		t.Fatalf("three cycles: %+v", cycles[2])
	}
}

func near(a, b float64) bool { return a-b < 1e-6 && b-a < 1e-6 }

// TestFaults checks that every bad endpoint gives one clear line, quickly.
func TestFaults(t *testing.T) {
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	refused := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln.Close()
		return "http://" + ln.Addr().String()
	}()
	html := server(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<!DOCTYPE html><html><body>Please log in</body></html>")
	})
	garbage := server(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "\x00\x01garbage{{{ not metrics") })
	hangs := server(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	})
	endless := server(t, func(w http.ResponseWriter, r *http.Request) {
		buf := []byte(strings.Repeat(`{"memstats":`, 1024))
		for {
			if _, err := w.Write(buf); err != nil {
				return
			}
			select {
			case <-stop:
				return
			default:
			}
		}
	})
	notFound := server(t, http.NotFound)
	notGo := server(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"cmdline":["x"]}`) })
	for _, tc := range []struct {
		name, url, source string
		want              []string
		timeout           time.Duration
	}{
		{"refused", refused, SourceAuto, []string{"connection refused"}, 0},
		{"hangs", hangs, SourceExpvar, []string{"no complete answer within 300ms (--timeout)"}, 0},
		{"HTML", html, SourceAuto, []string{"no Go runtime data", "agent: GET", "HTML page", "expvar: GET", "prometheus: GET"}, 0},
		{"garbage JSON", garbage, SourceExpvar, []string{"not expvar JSON"}, 0},
		{"garbage metrics", garbage, SourcePrometheus, []string{"not Prometheus text exposition"}, 0},
		{"endless body", endless, SourceExpvar, []string{"body larger than 16.0 MiB"}, 5 * time.Second},
		{"404", notFound, SourceAgent, []string{"404 Not Found"}, 0},
		{"expvar of no Go program", notGo, SourceExpvar, []string{`without "memstats"`}, 0},
		{"bad URL", "ftp://x", SourceAuto, []string{"want http://HOST:PORT"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.timeout == 0 {
				tc.timeout = 300 * time.Millisecond
			}
			begin := time.Now()
			_, err := Open(context.Background(), Options{URL: tc.url, Source: tc.source, Timeout: tc.timeout})
			if err == nil {
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
			if d := time.Since(begin); d > tc.timeout+2*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestOpenProcess(t *testing.T) {
	ctx := context.Background()
	t.Run("self", func(t *testing.T) {
		p, err := OpenProcess(ctx, os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		if p.Build.GoVersion == "" {
			t.Error("no Go version")
		}
		r, err := p.Read(ctx)
		if err != nil || r.RSSBytes == 0 || r.RSSPeakBytes < r.RSSBytes || r.CPUSecondsTotal <= 0 {
			t.Errorf("Read = %+v, %v", r, err)
		}
	})
	t.Run("no such process", func(t *testing.T) {
		_, err := OpenProcess(ctx, 1<<30)
		if err == nil || !strings.Contains(err.Error(), "no such process") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("permission denied", func(t *testing.T) {
		denied := func(string) ([]byte, error) {
			return nil, &fs.PathError{Op: "open", Path: "/proc/x/status", Err: fs.ErrPermission}
		}
		_, err := openProcess(ctx, os.Getpid(), denied)
		if err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("err = %v", err)
		}
	})
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep program")
	}
	cmd := exec.Command(sleep, "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	t.Run("not a Go program", func(t *testing.T) {
		_, err := OpenProcess(ctx, cmd.Process.Pid)
		if err == nil || !strings.Contains(err.Error(), "is not a Go program") || !strings.Contains(err.Error(), "(sleep)") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("exited, not reaped", func(t *testing.T) {
		p, err := openProcess(ctx, os.Getpid(), os.ReadFile)
		if err != nil {
			t.Fatal(err)
		}
		p.PID = cmd.Process.Pid // a handle on a process that is about to exit
		if _, err := p.Read(ctx); err != nil {
			t.Fatalf("alive: %v", err)
		}
		cmd.Process.Kill()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if _, err = p.Read(ctx); err != nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if !errors.Is(err, ErrGone) {
			t.Fatalf("after kill: %v", err)
		}
		cmd.Wait()
		if _, err := p.Read(ctx); !errors.Is(err, ErrGone) {
			t.Fatalf("after reaping: %v", err)
		}
	})
}

// TestRecordFaultsMidway: an endpoint that starts hanging after a good start
// gets a note, then ends the record (lost) after three failed polls.
func TestRecordFaultsMidway(t *testing.T) {
	start := time.Now()
	var polls atomic.Int32
	stop := make(chan struct{})
	defer close(stop)
	url := server(t, func(w http.ResponseWriter, r *http.Request) {
		if polls.Add(1) <= 3 {
			w.Write(memstatsJSON(start, uint32(polls.Load()), 0))
			return
		}
		select { // hang
		case <-r.Context().Done():
		case <-stop:
		}
	})
	s, err := Open(context.Background(), Options{URL: url, Source: SourceExpvar, Interval: 20 * time.Millisecond, Timeout: 100 * time.Millisecond, Duration: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	res, err := s.Record(context.Background(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	if res.End.Reason != record.EndLost || res.Failures != 3 || time.Since(start) > 3*time.Second {
		t.Fatalf("result %+v after %v", res, time.Since(start))
	}
	run, err := record.Read(&buf, "x")
	if err != nil {
		t.Fatal(err)
	}
	var notes []string
	gcs := 0
	for _, e := range run.Events {
		if e.Note != nil {
			notes = append(notes, e.Note.Message)
		}
		if e.GC != nil {
			gcs++
		}
	}
	if gcs != 2 || len(notes) != 3 || !strings.Contains(notes[1], "--timeout") || !strings.Contains(notes[2], "after 3 failed polls") {
		t.Fatalf("%d cycles, notes %q", gcs, notes)
	}
}

func TestAgentEvents(t *testing.T) {
	start := time.Now()
	agentStart := start.Add(-10 * time.Second) // the agent started earlier
	var body string
	url := server(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
	a := newAgent(newFetcher(time.Second), url+"/debug/gcprobe/", start)
	poll := func(b string, now float64) reading {
		t.Helper()
		body = b
		r, err := a.poll(context.Background(), now)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	st, _ := json.Marshal(map[string]any{"header": record.Header{Schema: record.Schema, PID: 42, GoVersion: "go1.26.8", Start: agentStart}, "sample": record.Sample{RSSBytes: 1}, "next": 7})
	if r := poll(string(st), 0); r.header == nil || r.header.PID != 42 || !r.sampleOK {
		t.Fatalf("baseline: %+v", r)
	}
	r := poll(`{"next":10,"lost":1,"events":[{"t":10.5,"gc":{"n":3,"end_seconds":10.4,"pause_seconds":1e-4}},{"t":10.6,"sample":{"rss_bytes":5}},{"t":11,"end":{"reason":"exit"}}]}`, 1)
	if len(r.events) != 3 || r.events[0].Note == nil || !strings.Contains(r.events[0].Note.Message, "1 events") {
		t.Fatalf("events: %+v", r.events)
	}
	if g := r.events[1].GC; g == nil || !near(r.events[1].T, 0.5) || !near(g.EndSeconds, 0.4) {
		t.Errorf("GC not moved to the record's clock: t=%v %+v", r.events[1].T, g)
	}
	if a.cursor != 10 {
		t.Errorf("cursor %d, want 10", a.cursor)
	}
	r = poll(`{"next":2,"lost":0,"events":[]}`, 2)
	if len(r.events) != 1 || !strings.Contains(r.events[0].Note.Message, "restarted") || a.cursor != 2 {
		t.Fatalf("restart: %+v, cursor %d", r.events, a.cursor)
	}
}

// TestParseEndpoints: a URL of one source's page selects that source under
// the base it is mounted at; any other path is a prefix.
func TestParseEndpoints(t *testing.T) {
	for _, tc := range []struct{ url, base, only string }{
		{"http://h:1", "http://h:1", ""},
		{"http://h:1/", "http://h:1", ""},
		{"http://h:1/admin?x=1", "http://h:1/admin", ""},
		{"http://h:1/debug/gcprobe/", "http://h:1", SourceAgent},
		{"http://h:1/debug/gcprobe/metrics", "http://h:1", SourceAgent},
		{"http://h:1/admin/debug/gcprobe/events?since=3", "http://h:1/admin", SourceAgent},
		{"http://h:1/debug/vars", "http://h:1", SourceExpvar},
		{"https://h:1/x/metrics", "https://h:1/x", SourcePrometheus},
	} {
		e, err := parseEndpoints(tc.url)
		if err != nil || e.base != tc.base || e.only != tc.only || e.agent != tc.base+"/debug/gcprobe/" {
			t.Errorf("%s: base %q only %q agent %q (%v); want base %q only %q", tc.url, e.base, e.only, e.agent, err, tc.base, tc.only)
		}
	}
	for _, bad := range []string{"127.0.0.1:8080", "ftp://h", "http://", "http:///x", "::"} {
		if err := CheckURL(bad); err == nil || !strings.Contains(err.Error(), "want http://HOST:PORT") {
			t.Errorf("CheckURL(%q) = %v", bad, err)
		}
	}
}

// TestAgentSchemaChecked: an agent of a newer major record schema is refused
// as a file of that schema is, and JSON without a header is not the agent.
func TestAgentSchemaChecked(t *testing.T) {
	var body string
	url := server(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
	for b, want := range map[string]string{
		`{"header":{"schema":"gcprobe.run/v2"},"next":1}`: "not supported by this gcprobe",
		`{"next":1}`: "not the gcprobe agent",
	} {
		body = b
		a := newAgent(newFetcher(time.Second), url+"/debug/gcprobe/", time.Now())
		if _, err := a.poll(context.Background(), 0); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error with %q", b, err, want)
		}
	}
}

// TestStartTime reads a process's start from /proc/PID/stat and
// /proc/uptime: a process that started 2.5 s after boot, read 12.5 s after
// boot, started 10 s ago. The command name may hold spaces and parentheses.
func TestStartTime(t *testing.T) {
	files := map[string]string{
		"/proc/7/stat": "7 (my (odd) prog) S 1 7 7 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 3 0 250 1000000 200 18446744073709551615",
		"/proc/uptime": "12.50 20.00\n",
	}
	p := &Process{PID: 7, readFile: func(name string) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, os.ErrNotExist
	}}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	got, err := p.StartTime(now)
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Add(-10 * time.Second); !got.Equal(want) {
		t.Errorf("start %v, want %v", got, want)
	}
	files["/proc/7/stat"] = "7 (x) S 1"
	if _, err := p.StartTime(now); err == nil {
		t.Error("a short stat line gave no error")
	}
}

// TestExpvarCPUAccount: GCCPUFraction at a cycle end times the uptime and
// GOMAXPROCS is the runtime's GC CPU time since the start; over two cycle
// ends the share of the window follows, whatever GOMAXPROCS was assumed.
func TestExpvarCPUAccount(t *testing.T) {
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, procs := range []int{2, 8} {
		e := &expvarSource{procStart: start, procs: procs}
		var a, b record.Sample
		// 10% over the first 100 s, 15% over the first 200 s: the
		// window from 100 s to 200 s had (0.15*200 - 0.10*100)/100 = 20%.
		e.cpuAccount(&a, &memStats{GCCPUFraction: 0.10, LastGC: uint64(start.Add(100 * time.Second).UnixNano())})
		e.cpuAccount(&b, &memStats{GCCPUFraction: 0.15, LastGC: uint64(start.Add(200 * time.Second).UnixNano())})
		share := (b.GCCPUSecondsTotal - a.GCCPUSecondsTotal) / (b.TotalCPUSecondsTotal - a.TotalCPUSecondsTotal)
		if !near(share, 0.20) || !b.GCCPUWithoutIdle || !near(b.TotalCPUSecondsTotal, 200*float64(procs)) {
			t.Errorf("GOMAXPROCS %d: window share %v (want 0.20), samples %+v %+v", procs, share, a, b)
		}
	}
	var s record.Sample
	(&expvarSource{}).cpuAccount(&s, &memStats{GCCPUFraction: 0.1, LastGC: 1})
	if s.TotalCPUSecondsTotal != 0 {
		t.Errorf("without a start time: %+v", s)
	}
}

// TestSameProcessUncheckable: an endpoint that says nothing about its
// process (a /metrics without process_start_time_seconds) is recorded with
// a note saying the check could not be made, not refused.
func TestSameProcessUncheckable(t *testing.T) {
	body := fmt.Sprintf(promText, 0.001, 3, 0.0, 6, 6, 6)
	url := server(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
	s, err := Open(context.Background(), Options{PID: os.Getpid(), URL: url, Source: SourcePrometheus})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.notes) != 1 || !strings.Contains(s.notes[0], "could not check") {
		t.Errorf("notes %q", s.notes)
	}
}

// TestMetricsURLPrefersExpvar: a --url naming /metrics of a service that
// also serves /debug/vars is read through expvar, which has every cycle's
// pause, and the record says why.
func TestMetricsURLPrefersExpvar(t *testing.T) {
	body := fmt.Sprintf(promText, 0.001, 3, 0.0, 6, 6, 6)
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
	mux.Handle("/debug/vars", expvar.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s, err := Open(context.Background(), Options{URL: srv.URL + "/metrics"})
	if err != nil {
		t.Fatal(err)
	}
	if via := s.Header().Attach.Via; via != SourceExpvar || len(s.notes) != 1 || !strings.Contains(s.notes[0], "every cycle's pause") {
		t.Errorf("via %s, notes %q", via, s.notes)
	}
	only := server(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, body)
	})
	if s, err := Open(context.Background(), Options{URL: only + "/metrics"}); err != nil || s.Header().Attach.Via != SourcePrometheus {
		t.Errorf("a service with /metrics only: %v", err)
	}
}
