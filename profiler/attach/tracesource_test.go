package attach

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"runtime/trace"
	"strings"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/profiler"
	"github.com/gcprobe/gcprobe/record"
)

// TestFindTargetTrace finds the trace a real server gives: its flight
// recorder through the agent first, else net/http/pprof's window; a
// server with neither gets one line naming both, and a server gone by the
// time a trigger fires gets an error.
func TestFindTargetTrace(t *testing.T) {
	ctx := context.Background()
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: 200 * time.Millisecond})
	if err := fr.Start(); err != nil {
		t.Skipf("a trace is already being taken: %v", err)
	}
	p, err := profiler.New(profiler.Options{FlightRecorder: fr})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/debug/gcprobe/", p.Handler())
	srv := httptest.NewServer(mux)
	defer srv.Close()

	src, err := FindTargetTrace(ctx, srv.URL+"/some/path", 200*time.Millisecond)
	if err != nil || src.From() != record.TraceFromAgent || src.Window() != 0 || src.URL() != srv.URL+"/debug/gcprobe/trace" {
		t.Fatalf("with the agent's recorder: %+v, %v", src, err)
	}
	var buf bytes.Buffer
	if err := src.WriteTrace(ctx, &buf); err != nil || !bytes.HasPrefix(buf.Bytes(), traceMagic) {
		t.Fatalf("agent snapshot: %v, %d bytes", err, buf.Len())
	}
	fr.Stop()

	src, err = FindTargetTrace(ctx, srv.URL, 200*time.Millisecond)
	if err != nil || src.From() != record.TraceFromPprof || src.Window() != 200*time.Millisecond || !strings.Contains(src.Covers(), "after the trigger") {
		t.Fatalf("with pprof only: %+v, %v", src, err)
	}
	buf.Reset()
	t0 := time.Now()
	if err := src.WriteTrace(ctx, &buf); err != nil || !bytes.HasPrefix(buf.Bytes(), traceMagic) || time.Since(t0) < 200*time.Millisecond {
		t.Fatalf("pprof window: %v, %d bytes in %v", err, buf.Len(), time.Since(t0))
	}
	srv.Close()
	if err := src.WriteTrace(ctx, &buf); err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("a server gone: %v", err)
	}

	none := httptest.NewServer(http.NotFoundHandler())
	defer none.Close()
	_, err = FindTargetTrace(ctx, none.URL, time.Second)
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "/debug/gcprobe/") || !strings.Contains(err.Error(), "/debug/pprof/trace") {
		t.Errorf("neither: %v", err)
	}
	if _, err := FindTargetTrace(ctx, "ftp://x", time.Second); err == nil {
		t.Error("an ftp URL is accepted")
	}
}
