package profiler_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/trace"
	"time"

	"github.com/gcprobe/gcprobe/profiler"
	"github.com/gcprobe/gcprobe/record"
)

// Mount the agent the way net/http/pprof is mounted: the seven lines after
// the mux are all a service adds. Serve the mux on 127.0.0.1 unless it must
// be reached from elsewhere, and gcprobe attach --url reads it; the rest of
// the example reads it as gcprobe attach does first.
func Example() {
	mux := http.NewServeMux() // the service's own

	p, err := profiler.New(profiler.Options{})
	if err != nil {
		log.Fatal(err)
	}
	p.Start(context.Background())
	defer p.Close()
	mux.Handle("/debug/gcprobe/", p.Handler()) // beside /debug/pprof/

	srv := httptest.NewServer(mux) // on 127.0.0.1
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/debug/gcprobe/")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var st profiler.Status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Header.Source, st.Sample.HeapGoalBytes > 0)
	// Output: probe true
}

// A program started by `gcprobe run` streams its events to gcprobe; run
// alone, it just probes itself.
func ExampleStreamFromEnv() {
	w, _, err := profiler.StreamFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	p, err := profiler.New(profiler.Options{Record: w}) // a nil w records nothing
	if err != nil {
		log.Fatal(err)
	}
	p.Start(context.Background())
	defer p.Close()
	// ... the program's work ...
}

// Keep the last seconds of execution trace and write them beside the
// record when a GC pause passes 2 ms or GC takes over a quarter of the CPU
// over a cycle; the probe's GC events, written to the same record, are what
// the triggers watch.
func ExampleStartFlight() {
	f, err := os.Create("run.jsonl")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	w, err := record.NewWriter(f, record.Header{Source: record.SourceProbe})
	if err != nil {
		log.Fatal(err)
	}
	triggers, err := profiler.ParseTriggers("pause>2ms,gccpu>25%")
	if err != nil {
		log.Fatal(err)
	}
	flight, err := profiler.StartFlight(w, profiler.FlightOptions{Triggers: triggers, Dir: ".", Prefix: "run-trace"})
	if err != nil {
		log.Fatal(err)
	}
	defer flight.Stop()
	probe, err := profiler.New(profiler.Options{Record: w})
	if err != nil {
		log.Fatal(err)
	}
	if err := probe.Start(context.Background()); err != nil {
		log.Fatal(err)
	}
	defer probe.Close()
	// ... the program's work ...
}

// Give the agent the program's own flight recorder, so that gcprobe run or
// attach --trace-on can take the seconds before a spike from it at
// /debug/gcprobe/trace.
func ExampleOptions_flightRecorder() {
	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: 2 * time.Second, MaxBytes: 16 << 20})
	if err := fr.Start(); err != nil {
		log.Fatal(err)
	}
	defer fr.Stop()
	p, err := profiler.New(profiler.Options{FlightRecorder: fr})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/debug/gcprobe/", p.Handler())

	srv := httptest.NewServer(mux)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/debug/gcprobe/trace")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	head := make([]byte, 5)
	io.ReadFull(resp.Body, head)
	fmt.Println(resp.Status, resp.Header.Get("Content-Type"), string(head))
	// Output: 200 OK application/octet-stream go 1.
}
