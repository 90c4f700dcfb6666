// Package promtest starts a real Prometheus server for tests: Debian's
// prometheus binary on 127.0.0.1, with a configuration written by the test
// and its own storage in a temporary directory. When the binary is missing
// the test skips with the install hint, except in CI (.ci/run sets
// GCPROBE_REQUIRE_PROMETHEUS), where it fails.
package promtest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// RequireEnv names the variable that makes a missing Prometheus a failure.
const RequireEnv = "GCPROBE_REQUIRE_PROMETHEUS"

const installHint = "prometheus is not installed: the fleet import is not tested against a real server " +
	"(.ci/run installs Debian's prometheus; locally: apt-get install prometheus, with a policy-rc.d that exits 101 so that its service does not start)"

// Binary returns the path of a tool of the prometheus package ("prometheus"
// or "promtool"), or skips the test (fails it in CI) when it is missing.
func Binary(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if testing.Short() {
		t.Skip("starts a Prometheus server; skipped with -short")
	}
	if os.Getenv(RequireEnv) != "" {
		t.Fatalf("%s: %s", RequireEnv, installHint)
	}
	t.Skip(installHint)
	return ""
}

// Target is one scrape target: a Go service's host:port, the job it
// belongs to and extra labels Prometheus attaches to its series.
type Target struct {
	Job    string
	Addr   string // host:port
	Labels map[string]string
	// Path is the job's metrics path (default /metrics); the first target
	// of a job that sets it sets it for the job.
	Path string
}

// Server is a running Prometheus.
type Server struct {
	URL     string // http://127.0.0.1:PORT
	DataDir string
	API     v1.API
	log     *lockedBuffer
	cmd     *exec.Cmd
	config  string
	every   time.Duration
}

// Options are the server's settings beyond its targets.
type Options struct {
	// ScrapeInterval defaults to 1s.
	ScrapeInterval time.Duration
	// DataDir is the storage directory (a fresh temporary one when empty);
	// a test that backfills blocks with promtool passes its own.
	DataDir string
	// Flags are extra command-line flags.
	Flags []string
}

// Start starts Prometheus scraping targets and returns once it answers
// ready. It is stopped when the test ends.
func Start(t testing.TB, targets []Target, o Options) *Server {
	t.Helper()
	bin := Binary(t, "prometheus")
	if o.ScrapeInterval == 0 {
		o.ScrapeInterval = time.Second
	}
	dir := t.TempDir()
	if o.DataDir == "" {
		o.DataDir = filepath.Join(dir, "data")
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, config(targets, o.ScrapeInterval), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	args := append([]string{
		"--config.file=" + cfg,
		"--storage.tsdb.path=" + o.DataDir,
		"--web.listen-address=" + addr,
		"--log.level=warn",
	}, o.Flags...)
	cmd := exec.Command(bin, args...)
	log := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	s := &Server{URL: "http://" + addr, DataDir: o.DataDir, log: log, cmd: cmd, config: cfg, every: o.ScrapeInterval}
	client, err := api.NewClient(api.Config{Address: s.URL})
	if err != nil {
		t.Fatal(err)
	}
	s.API = v1.NewAPI(client)
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-exited:
			t.Fatalf("prometheus exited before it was ready:\n%s", log)
		default:
		}
		if resp, err := http.Get(s.URL + "/-/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready after 20s:\n%s", log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Reload rewrites the configuration with new targets and makes the server
// read it again (SIGHUP), as an operator does when a target moves.
func (s *Server) Reload(t testing.TB, targets []Target) {
	t.Helper()
	if err := os.WriteFile(s.config, config(targets, s.every), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
}

// config writes a prometheus.yml that scrapes each target's /metrics.
func config(targets []Target, every time.Duration) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "global:\n  scrape_interval: %s\n  scrape_timeout: %s\n", every, every)
	fmt.Fprintf(&b, "scrape_configs:\n")
	byJob := map[string][]Target{}
	var jobs []string
	for _, tg := range targets {
		if _, ok := byJob[tg.Job]; !ok {
			jobs = append(jobs, tg.Job)
		}
		byJob[tg.Job] = append(byJob[tg.Job], tg)
	}
	for _, job := range jobs {
		fmt.Fprintf(&b, "  - job_name: %q\n", job)
		for _, tg := range byJob[job] {
			if tg.Path != "" {
				fmt.Fprintf(&b, "    metrics_path: %q\n", tg.Path)
				break
			}
		}
		fmt.Fprintf(&b, "    static_configs:\n")
		for _, tg := range byJob[job] {
			fmt.Fprintf(&b, "      - targets: [%q]\n", tg.Addr)
			if len(tg.Labels) > 0 {
				fmt.Fprintf(&b, "        labels:\n")
				for k, v := range tg.Labels {
					fmt.Fprintf(&b, "          %s: %q\n", k, v)
				}
			}
		}
	}
	return b.Bytes()
}

// WaitScrapes waits until want series of up match selector and each has
// at least n samples: every target was scraped n times.
func (s *Server) WaitScrapes(t testing.TB, selector string, want, n int) {
	t.Helper()
	q := fmt.Sprintf("count_over_time(up%s[5m])", selector)
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		v, _, _, err := s.API.Query(ctx, q, time.Now())
		cancel()
		if err == nil {
			if vec, ok := v.(model.Vector); ok && len(vec) >= want && minValue(vec) >= float64(n) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d series of up%s with %d scrapes after 30s (last: %v, %v)\n%s", want, selector, n, v, err, s.log)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func minValue(vec model.Vector) float64 {
	m := float64(vec[0].Value)
	for _, x := range vec[1:] {
		m = min(m, float64(x.Value))
	}
	return m
}

// freeAddr returns a 127.0.0.1 address that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// lockedBuffer collects the server's log for failure messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns the last lines of the log.
func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(l.b.Bytes()))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}

var _ io.Writer = (*lockedBuffer)(nil)
