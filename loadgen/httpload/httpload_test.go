package httpload

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

// load runs cfg against the targets with a record in memory and reads the
// record back.
func load(t *testing.T, cfg Config) (Result, *record.Run) {
	t.Helper()
	var buf bytes.Buffer
	w, err := record.NewWriter(&buf, record.Header{Source: record.SourceRun})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Record = w
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	run, err := record.Read(&buf, "test")
	if err != nil {
		t.Fatal(err)
	}
	return res, run
}

func targets(t *testing.T, lines ...string) []Target {
	var ts []Target
	for _, l := range lines {
		tg, err := ParseTarget(l)
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, tg)
	}
	return ts
}

// latencies sums the record's Latency events.
type latencies struct {
	count, errors, timeouts, late uint64
	status                        map[string]uint64
	intervals                     int
}

func sum(run *record.Run) latencies {
	s := latencies{status: map[string]uint64{}}
	for _, e := range run.Events {
		if l := e.Latency; l != nil {
			s.intervals++
			s.count += l.Count
			s.errors += l.Errors
			s.timeouts += l.Timeouts
			s.late += l.Dropped
			for k, v := range l.Status {
				s.status[k] += v
			}
		}
	}
	return s
}

func TestRunCountsEveryResponse(t *testing.T) {
	var mu sync.Mutex
	got := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got[r.Method+" "+r.URL.Path+" "+r.Header.Get("X-Test")]++
		mu.Unlock()
		if r.URL.Path == "/bad" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	ts := targets(t, srv.URL+"/ok", "POST "+srv.URL+"/bad")
	ts[0].Header.Set("X-Test", "yes")
	const rate, dur = 400, 500 * time.Millisecond
	res, run := load(t, Config{Targets: ts, Rates: []float64{rate}, Duration: dur, Warmup: 100 * time.Millisecond, Connections: 4})
	s := sum(run)
	want := uint64(rate * dur.Seconds())
	if s.count < want*9/10 || s.count > want {
		t.Errorf("record counts %d requests, want about %d", s.count, want)
	}
	// Each worker alternates the two targets, so the split is half and
	// half give or take one request a worker.
	if s.status["2xx"]+s.status["5xx"] != s.count || s.status["5xx"] < s.count/2-4 || s.status["5xx"] > s.count/2+4 {
		t.Errorf("status classes %v do not split %d requests half and half", s.status, s.count)
	}
	if s.errors != 0 || s.timeouts != 0 {
		t.Errorf("errors %d, timeouts %d on a healthy server", s.errors, s.timeouts)
	}
	if res.Steps[0].Measured != s.count || res.Outcomes.Status["2xx"] != s.status["2xx"] {
		t.Errorf("result (%d measured, %v) differs from the record (%d, %v)", res.Steps[0].Measured, res.Outcomes.Status, s.count, s.status)
	}
	mu.Lock()
	defer mu.Unlock()
	if got["GET /ok yes"] == 0 || got["POST /bad "] == 0 || len(got) != 2 {
		t.Errorf("server saw %v, want GET /ok with the header and POST /bad", got)
	}
}

// TestStallShowsInP99: a server that stalls every request for 100 ms once
// a second (as a stop-the-world would) must show the stall in p99, since
// latency counts from when each request was due.
func TestStallShowsInP99(t *testing.T) {
	var world sync.RWMutex
	go func() {
		time.Sleep(500 * time.Millisecond)
		world.Lock()
		time.Sleep(100 * time.Millisecond)
		world.Unlock()
	}()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		world.RLock()
		world.RUnlock()
	}))
	defer srv.Close()
	res, run := load(t, Config{Targets: targets(t, srv.URL), Rates: []float64{500}, Duration: time.Second, Connections: 8})
	if p99 := res.Steps[0].P99; p99 < 40*time.Millisecond {
		t.Errorf("p99 = %v: the 100 ms stall does not show", p99)
	}
	if p50 := res.Steps[0].P50; p50 > 20*time.Millisecond {
		t.Errorf("p50 = %v: most requests were not in the stall", p50)
	}
	var slowest float64
	for _, e := range run.Events {
		if l := e.Latency; l != nil {
			for _, r := range l.Slowest {
				slowest = max(slowest, r.LatencySeconds)
			}
		}
	}
	if slowest < 0.08 {
		t.Errorf("slowest request in the record %.3fs, want about 0.1s", slowest)
	}
}

// TestServerGoneMidRun: the service stops answering half way; the record
// counts the failed requests, says why in a note, and keeps what was
// measured before.
func TestServerGoneMidRun(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	go func() {
		time.Sleep(300 * time.Millisecond)
		srv.CloseClientConnections()
		srv.Close()
	}()
	_, run := load(t, Config{Targets: targets(t, srv.URL), Rates: []float64{200}, Duration: 700 * time.Millisecond, Connections: 2})
	s := sum(run)
	if s.count < 40 || s.errors < 40 {
		t.Errorf("measured %d, failed %d; want about 60 and 80", s.count, s.errors)
	}
	var notes []string
	for _, e := range run.Events {
		if e.Note != nil && e.Note.Level == record.NoteWarning {
			notes = append(notes, e.Note.Message)
		}
	}
	if len(notes) == 0 || !strings.Contains(strings.Join(notes, "\n"), "connection refused") {
		t.Errorf("notes %q do not say the connection was refused", notes)
	}
}

func TestTimeoutsAreCounted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			time.Sleep(300 * time.Millisecond)
		}
	}))
	defer srv.Close()
	_, run := load(t, Config{Targets: targets(t, srv.URL+"/slow", srv.URL+"/fast"), Rates: []float64{50}, Duration: 400 * time.Millisecond,
		Connections: 30, Timeout: 50 * time.Millisecond})
	s := sum(run)
	if s.timeouts < 7 || s.status["2xx"] < 7 || s.errors != 0 {
		t.Errorf("timeouts %d, 2xx %d, errors %d; want about 10, 10, 0", s.timeouts, s.status["2xx"], s.errors)
	}
}

func TestUnsustainableRateIsLate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { time.Sleep(5 * time.Millisecond) }))
	defer srv.Close()
	res, _ := load(t, Config{Targets: targets(t, srv.URL), Rates: []float64{1000}, Duration: 300 * time.Millisecond, Connections: 1})
	if share := res.LateShare(); share < 0.5 {
		t.Errorf("late share %.2f with one connection at 5 ms a request and 1000/s, want most", share)
	}
}

func TestRateSteps(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	res, run := load(t, Config{Targets: targets(t, srv.URL), Rates: []float64{100, 300}, Step: 300 * time.Millisecond, Connections: 4})
	if len(res.Steps) != 2 || res.Steps[0].Measured < 25 || res.Steps[0].Measured > 30 || res.Steps[1].Measured < 80 || res.Steps[1].Measured > 90 {
		t.Fatalf("steps %+v, want 30 then 90 requests", res.Steps)
	}
	var steps int
	for _, e := range run.Events {
		if e.Note != nil && strings.HasPrefix(e.Note.Message, "load step ") {
			steps++
		}
	}
	if steps != 2 {
		t.Errorf("%d step notes in the record, want 2", steps)
	}
}

func TestWaitReady(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	if err := WaitReady(context.Background(), srv.URL, time.Second); err != nil {
		t.Errorf("a serving server: %v", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	err = WaitReady(context.Background(), "http://"+addr+"/", 300*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "did not answer within 300ms") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("nothing listening: %v", err)
	}

	// A server that speaks something other than HTTP.
	ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.Read(make([]byte, 512)) // the request, then a reply in another protocol
				c.Write([]byte("SSH-2.0-OpenSSH_9.2\r\n"))
			}()
		}
	}()
	err = WaitReady(context.Background(), "http://"+ln.Addr().String()+"/", 300*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "malformed HTTP") {
		t.Errorf("a non-HTTP server: %v", err)
	}
}

// TestBodyIsSentEveryTime: a target's body goes out whole with every
// request, though the request is reused.
func TestBodyIsSentEveryTime(t *testing.T) {
	var mu sync.Mutex
	bodies := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies[fmt.Sprintf("%s %d %s", r.Method, r.ContentLength, b)]++
		mu.Unlock()
	}))
	defer srv.Close()
	tg := targets(t, "PUT "+srv.URL)[0]
	tg.Body = []byte(`{"k":"v"}`)
	res, _ := load(t, Config{Targets: []Target{tg}, Rates: []float64{200}, Duration: 300 * time.Millisecond, Connections: 2})
	mu.Lock()
	defer mu.Unlock()
	if n := bodies[`PUT 9 {"k":"v"}`]; len(bodies) != 1 || uint64(n) != res.Steps[0].Measured || n < 50 {
		t.Errorf("server got %v; want %d times PUT 9 {\"k\":\"v\"}", bodies, res.Steps[0].Measured)
	}
}
