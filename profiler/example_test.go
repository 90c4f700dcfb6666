package profiler_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"

	"github.com/gcprobe/gcprobe/profiler"
)

// Mount the agent the way net/http/pprof is mounted, on 127.0.0.1, then read
// it as gcprobe attach would.
func Example() {
	p, err := profiler.New(profiler.Options{})
	if err != nil {
		log.Fatal(err)
	}
	p.Start(context.Background())
	defer p.Close()

	mux := http.NewServeMux()
	mux.Handle("/debug/gcprobe/", p.Handler())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(ln, mux)

	resp, err := http.Get("http://" + ln.Addr().String() + "/debug/gcprobe/")
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
