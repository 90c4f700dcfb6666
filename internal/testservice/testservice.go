package promtest

import (
	"bufio"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Service is gcprobe's test service (testdata/progs/service), a real Go
// HTTP server on 127.0.0.1, running as its own process.
type Service struct {
	URL  string // http://127.0.0.1:PORT
	Addr string // 127.0.0.1:PORT, for a scrape target
	cmd  *exec.Cmd
}

// built caches the service binary per test binary.
var built struct {
	sync.Mutex
	path string
}

// serviceBinary builds the test service once per test binary.
func serviceBinary(t testing.TB) string {
	t.Helper()
	built.Lock()
	defer built.Unlock()
	if built.path != "" {
		return built.path
	}
	_, here, _, _ := runtime.Caller(0)
	pkg := filepath.Join(filepath.Dir(here), "..", "..", "testdata", "progs", "service")
	dir, err := os.MkdirTemp("", "gcprobe-promtest")
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

// StartService starts the test service with the given endpoints (see its
// doc: agent, prometheus, prometheus-runtime, ...) and extra environment
// (GOGC=50, GOMEMLIMIT=64MiB), and stops it when the test ends.
func StartService(t testing.TB, endpoints string, env ...string) *Service {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and starts a service; skipped with -short")
	}
	cmd := exec.Command(serviceBinary(t), "-endpoints", endpoints)
	cmd.Env = append(os.Environ(), env...)
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
		return &Service{URL: u, Addr: pu.Host, cmd: cmd}
	case <-time.After(10 * time.Second):
		t.Fatal("service did not start within 10s")
	}
	return nil
}

// Load sends allocating requests (kib KiB each) from two clients until d
// has passed or max requests were sent.
func (s *Service) Load(d time.Duration, max, kib int) {
	deadline := time.Now().Add(d)
	var mu sync.Mutex
	sent := 0
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				mu.Lock()
				sent++
				stop := sent > max
				mu.Unlock()
				if stop {
					return
				}
				resp, err := http.Get(s.URL + "/work?kib=" + strconv.Itoa(kib))
				if err != nil {
					return
				}
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
}

// Stop kills the service (a restart, when another is started in its place).
func (s *Service) Stop() {
	s.cmd.Process.Kill()
	s.cmd.Wait()
}
