// Package testservice starts gcprobe's test service (testdata/progs/service)
// for tests: a real Go HTTP server on 127.0.0.1 in its own process, built
// once per test binary, with the endpoints a test asks for (agent, expvar,
// prometheus, pprof, ...; see the program's doc).
package testservice

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Service is one running test service.
type Service struct {
	URL  string // http://127.0.0.1:PORT
	Addr string // 127.0.0.1:PORT, for a scrape target
	PID  int
	Cmd  *exec.Cmd // its path and arguments, for tests of what was profiled
}

// built caches the service binary per test binary.
var built struct {
	sync.Mutex
	path string
}

// binary builds the test service once per test binary.
func binary(t testing.TB) string {
	t.Helper()
	built.Lock()
	defer built.Unlock()
	if built.path != "" {
		return built.path
	}
	_, here, _, _ := runtime.Caller(0)
	pkg := filepath.Join(filepath.Dir(here), "..", "..", "testdata", "progs", "service")
	dir, err := os.MkdirTemp("", "gcprobe-testservice")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "service")
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = pkg
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	built.path = out
	return out
}

// Start starts the test service with the given endpoints and stops it when
// the test ends. The GC settings of the shell running the tests (GOGC,
// GOMEMLIMIT, GODEBUG, GOMAXPROCS) are not passed on: the service runs with
// the runtime's defaults plus env (e.g. "GOGC=50").
func Start(t testing.TB, endpoints string, env ...string) *Service {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and starts a service; skipped with -short")
	}
	cmd := exec.Command(binary(t), "-endpoints", endpoints)
	cmd.Env = append(WithoutGCEnv(os.Environ()), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Scan()
		line <- sc.Text()
	}()
	select {
	case l := <-line:
		u, ok := strings.CutPrefix(l, "listening on ")
		if !ok {
			t.Fatalf("service said %q", l)
		}
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		return &Service{URL: u, Addr: pu.Host, PID: cmd.Process.Pid, Cmd: cmd}
	case <-time.After(10 * time.Second):
		t.Fatal("service did not start within 10s")
	}
	return nil
}

// WithoutGCEnv is env without the variables that set a Go program's GC and
// scheduler, for a child whose settings the test alone decides.
func WithoutGCEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GODEBUG", "GOGC", "GOMEMLIMIT", "GOMAXPROCS":
			continue
		}
		out = append(out, kv)
	}
	return out
}

// Load sends requests that allocate kib KiB each from clients goroutines
// until d has passed or max requests were sent, and returns how many were.
func (s *Service) Load(d time.Duration, max, kib, clients int) int {
	var sent atomic.Int64
	deadline := time.Now().Add(d)
	path := s.URL + "/work?kib=" + strconv.Itoa(kib)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for time.Now().Before(deadline) && sent.Add(1) <= int64(max) {
				resp, err := http.Get(path)
				if err != nil {
					return
				}
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	return int(min(sent.Load(), int64(max)))
}

// GCStats is the service's own count of GC cycles and their pause total
// (runtime/debug.ReadGCStats, served at /gcstats).
type GCStats struct {
	NumGC        int64 `json:"num_gc"`
	PauseTotalNs int64 `json:"pause_total_ns"`
}

// GCStats asks the service for its own GC count.
func (s *Service) GCStats(t testing.TB) GCStats {
	t.Helper()
	resp, err := http.Get(s.URL + "/gcstats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st GCStats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// Stop kills the service (a restart, when another is started in its place).
func (s *Service) Stop() {
	s.Cmd.Process.Kill()
	s.Cmd.Wait()
}
