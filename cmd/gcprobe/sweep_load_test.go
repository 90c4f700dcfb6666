package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goHTTPBin is a real third-party Go HTTP service, built through the module
// proxy by the tests that load one.
const goHTTPBin = "github.com/mccutchen/go-httpbin/v2/cmd/go-httpbin@v2.26.0"

// buildGoHTTPBin builds go-httpbin into a temporary directory, skipping the
// test (with the reason) only when the module proxy cannot serve it.
func buildGoHTTPBin(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds go-httpbin through the module proxy; skipped with -short")
	}
	dir := t.TempDir()
	cmd := exec.Command("go", "install", goHTTPBin)
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=-mod=mod")
	cmd.Dir = dir // outside gcprobe's module
	if out, err := cmd.CombinedOutput(); err != nil {
		msg := string(out)
		if strings.Contains(msg, "proxy") || strings.Contains(msg, "dial tcp") || strings.Contains(msg, "no such host") {
			if os.Getenv("CI") != "" { // .ci/run: the proxy is part of the build
				t.Fatalf("go install: %s", strings.TrimSpace(msg))
			}
			t.Skipf("the module proxy cannot serve %s: %s", goHTTPBin, strings.TrimSpace(msg))
		}
		t.Fatalf("go install %s: %v\n%s", goHTTPBin, err, msg)
	}
	return filepath.Join(dir, "go-httpbin")
}

// TestSweepLoadGoHTTPBin is the done-when test of loading a user's service:
// a GOGC sweep of go-httpbin under gcprobe's own load, then compare and
// report give request latency p99 and throughput per configuration, with
// the U-test's verdict against the baseline.
func TestSweepLoadGoHTTPBin(t *testing.T) {
	bin := buildGoHTTPBin(t)
	addr := freeAddr(t)
	port := addr[strings.LastIndex(addr, ":")+1:]
	dir := filepath.Join(t.TempDir(), "sweep")
	r := gcprobe(t, "sweep", "--gogc", "50,100,400", "--repeat", "3", "--duration", "1s",
		"--load", "http://"+addr+"/bytes/16384", "--rate", "400", "--out", dir,
		"--", bin, "-host", "127.0.0.1", "-port", port, "-log-level", "OFF")
	if r.code != 0 {
		t.Fatalf("sweep: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = gcprobe(t, "compare", "--json", dir)
	if r.code != 0 {
		t.Fatalf("compare: exit %d\n%s", r.code, r.stderr)
	}
	var cmp struct {
		Configurations []struct {
			Label string `json:"label"`
			Stats []struct {
				Metric string    `json:"metric"`
				N      int       `json:"n"`
				Median *float64  `json:"median"`
				Values []float64 `json:"values"`
			} `json:"stats"`
		} `json:"configurations"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &cmp); err != nil {
		t.Fatalf("compare --json: %v\n%s", err, r.stdout)
	}
	if len(cmp.Configurations) != 3 {
		t.Fatalf("%d configurations, want 3", len(cmp.Configurations))
	}
	for _, c := range cmp.Configurations {
		got := map[string]float64{}
		for _, s := range c.Stats {
			if s.N == 3 && s.Median != nil {
				got[s.Metric] = *s.Median
			}
		}
		if tp := got["throughput"]; tp < 300 || tp > 420 {
			t.Errorf("%s: median throughput %.0f/s over 3 runs, want about 400/s", c.Label, tp)
		}
		if p99 := got["latency.p99"]; p99 <= 0 || p99 > 5 {
			t.Errorf("%s: median latency p99 %v s", c.Label, p99)
		}
		if _, ok := got["errors.rate"]; !ok {
			t.Errorf("%s: no error rate", c.Label)
		}
	}

	r = gcprobe(t, "compare", dir)
	for _, want := range []string{"latency.p99 (lower is better)", "throughput (higher is better)", "(p=", "Pareto frontier", "latency.p99"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("compare's text has no %q:\n%s", want, r.stdout)
		}
	}
	md := filepath.Join(t.TempDir(), "report.md")
	if r := gcprobe(t, "report", dir, "-o", md); r.code != 0 {
		t.Fatalf("report: exit %d\n%s", r.code, r.stderr)
	}
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"latency.p99", "throughput", "gogc=400"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report has no %q", want)
		}
	}
}
