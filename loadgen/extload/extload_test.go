package extload

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/loadgen"
	"github.com/gcprobe/gcprobe/record"
)

func TestRunCleansTheEnvironment(t *testing.T) {
	var log bytes.Buffer
	env := []string{"PATH=" + os.Getenv("PATH"), "GOGC=50", "GODEBUG=gctrace=1", "GOMEMLIMIT=1GiB", "GOMAXPROCS=1", "KEEP=yes"}
	res, err := Run(context.Background(), Config{Command: `echo "gogc=$GOGC godebug=$GODEBUG memlimit=$GOMEMLIMIT procs=$GOMAXPROCS keep=$KEEP"; echo oops >&2`, Env: env, Log: &log})
	if err != nil || res.Err != nil {
		t.Fatal(err, res.Err)
	}
	for _, want := range []string{"load-cmd: gogc= godebug= memlimit= procs= keep=yes\n", "load-cmd: oops\n"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log %q has no %q", log.String(), want)
		}
	}
}

func TestRunStopsAfterDuration(t *testing.T) {
	start := time.Now()
	res, err := Run(context.Background(), Config{Command: "sleep 30", Duration: 200 * time.Millisecond})
	if err != nil || !res.Stopped || res.Err != nil {
		t.Fatalf("res %+v, err %v", res, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v to stop", d)
	}
	res, _ = Run(context.Background(), Config{Command: "exit 3"})
	if res.Err == nil || res.Stopped {
		t.Errorf("a failing command: %+v", res)
	}
}

// TestVegetaResults runs the real vegeta (built through the module proxy)
// against a real server and reads its JSON results into the record.
func TestVegetaResults(t *testing.T) {
	if testing.Short() {
		t.Skip("builds vegeta; skipped with -short")
	}
	dir := t.TempDir()
	cmd := exec.Command("go", "install", "github.com/tsenart/vegeta/v12@v12.13.0")
	cmd.Env, cmd.Dir = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=-mod=mod"), dir
	if out, err := cmd.CombinedOutput(); err != nil {
		if strings.Contains(string(out), "proxy") || strings.Contains(string(out), "dial tcp") {
			if os.Getenv("CI") != "" { // .ci/run: the proxy is part of the build
				t.Fatalf("go install: %s", strings.TrimSpace(string(out)))
			}
			t.Skipf("the module proxy cannot serve vegeta: %s", out)
		}
		t.Fatalf("go install vegeta: %v\n%s", err, out)
	}
	vegeta := filepath.Join(dir, "vegeta")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			time.Sleep(50 * time.Millisecond)
		}
	}))
	defer srv.Close()
	var buf, log bytes.Buffer
	w, err := record.NewWriter(&buf, record.Header{Source: record.SourceRun})
	if err != nil {
		t.Fatal(err)
	}
	targets := "GET " + srv.URL + "/fast\nGET " + srv.URL + "/slow\n"
	os.WriteFile(filepath.Join(dir, "targets"), []byte(targets), 0o644)
	res, err := Run(context.Background(), Config{Record: w, Log: &log,
		Command: vegeta + " attack -rate 100 -duration 1s -targets " + filepath.Join(dir, "targets") + " | " + vegeta + " encode"})
	if err != nil || res.Err != nil {
		t.Fatalf("%v %v\n%s", err, res.Err, log.String())
	}
	if res.Results < 95 || res.Results > 100 {
		t.Errorf("%d vegeta results read, want 100", res.Results)
	}
	run, err := record.Read(&buf, "test")
	if err != nil {
		t.Fatal(err)
	}
	var n, ok uint64
	var slowest float64
	for _, e := range run.Events {
		if l := e.Latency; l != nil {
			n += l.Count
			ok += l.Status["2xx"]
			for _, r := range l.Slowest {
				slowest = max(slowest, r.LatencySeconds)
				if r.StartSeconds < 0 || r.StartSeconds > 3 {
					t.Errorf("a request started at %vs on the record's clock", r.StartSeconds)
				}
			}
		}
	}
	if n != res.Results || ok != n {
		t.Errorf("record counts %d requests, %d 2xx; vegeta gave %d", n, ok, res.Results)
	}
	if slowest < 0.05 || slowest > 0.5 {
		t.Errorf("slowest %vs, want the /slow target's 50 ms", slowest)
	}
	if strings.Contains(log.String(), `"latency"`) {
		t.Errorf("vegeta's results went to the log too")
	}
}

// FuzzParseVegeta: any line is a result or not, never a panic; a result
// counted goes to the histogram or the outcomes without a panic either.
func FuzzParseVegeta(f *testing.F) {
	f.Add(`{"attack":"","seq":0,"code":200,"timestamp":"2026-12-01T21:00:03.65693741Z","latency":1132494,"error":""}`)
	f.Add(`{"code":0,"timestamp":"2026-12-01T21:00:03Z","latency":5,"error":"Get \"http://x/\": dial tcp: connect: connection refused"}`)
	f.Add(`{"code":200}`)
	f.Add("Requests [total] 100")
	f.Fuzz(func(t *testing.T, line string) {
		v, ok := parseVegeta([]byte(line))
		if !ok {
			return
		}
		if v.Code == nil || v.Latency == nil || v.Timestamp.IsZero() {
			t.Fatalf("accepted %q without code, latency or timestamp", line)
		}
		count(v, time.Time{}, new(loadgen.Histogram), new(loadgen.Outcomes))
	})
}
