// Command loadserver is an HTTP server for the tests of gcprobe's load
// generator: it allocates on every request, so that its GC runs under load,
// and can stall every request for a while at a fixed period, as a long
// stop-the-world would.
//
//	loadserver -addr 127.0.0.1:8080 [-kib 64] [-stall 100ms -every 1s] [-die-after 1s] [-pprof] [-agent-flight]
//
//	GET /         allocates about -kib KiB in small objects, answers 200
//	GET /status/N answers with status N
//
// -pprof mounts net/http/pprof (its trace window too) at /debug/pprof/;
// -agent-flight starts a runtime flight recorder and mounts gcprobe's agent,
// which serves its snapshots, at /debug/gcprobe/.
//
// -die-after makes it exit (status 3) that long after it starts listening,
// as a service that crashes mid-run.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gcprobe/gcprobe/profiler"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	kib := flag.Int("kib", 64, "KiB allocated by each request to /")
	stall := flag.Duration("stall", 0, "stall every request this long once every -every")
	every := flag.Duration("every", time.Second, "period of the stalls")
	dieAfter := flag.Duration("die-after", 0, "exit with status 3 this long after listening")
	mux := http.NewServeMux()
	withPprof := flag.Bool("pprof", false, "mount net/http/pprof")
	agentFlight := flag.Bool("agent-flight", false, "mount gcprobe's agent with a flight recorder")
	flag.Parse()
	if *withPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	if *agentFlight {
		fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: time.Second})
		if err := fr.Start(); err != nil {
			log.Fatal(err)
		}
		p, err := profiler.New(profiler.Options{FlightRecorder: fr})
		if err != nil {
			log.Fatal(err)
		}
		p.Start(context.Background())
		mux.Handle("/debug/gcprobe/", p.Handler())
	}

	var world sync.RWMutex // held for writing during a stall
	if *stall > 0 {
		go func() {
			for range time.Tick(*every) {
				world.Lock()
				time.Sleep(*stall)
				world.Unlock()
			}
		}()
	}
	var keep [][]byte
	var mu sync.Mutex
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		world.RLock()
		world.RUnlock()
		var sum int
		chunks := make([][]byte, 0, *kib)
		for range *kib {
			b := make([]byte, 1024)
			b[0] = 1
			chunks = append(chunks, b)
			sum += len(b)
		}
		mu.Lock()
		keep = append(keep, chunks[0]) // a little live heap that grows
		if len(keep) > 4096 {
			keep = keep[:0]
		}
		mu.Unlock()
		fmt.Fprintf(w, "%d\n", sum)
	})
	mux.HandleFunc("/status/", func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/status/"))
		if err != nil || code < 100 || code > 599 {
			http.Error(w, "bad status", http.StatusBadRequest)
			return
		}
		w.WriteHeader(code)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	if *dieAfter > 0 {
		time.AfterFunc(*dieAfter, func() { os.Exit(3) })
	}
	// Not DefaultServeMux: importing net/http/pprof mounts itself there.
	log.Fatal(http.Serve(ln, mux))
}
