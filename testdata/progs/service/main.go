// Command service is a small Go HTTP service for gcprobe attach's tests: it
// serves the runtime data sources attach reads (the gcprobe agent, expvar,
// a client_golang /metrics, net/http/pprof), an endpoint that allocates, to
// put it under load, and its own count of GC cycles and pause time, to check
// what attach recorded against.
//
//	service [-endpoints agent,expvar,prometheus,pprof,trace]
//
// prometheus-runtime instead of prometheus serves a registry that also
// exports runtime/metrics (go_gc_cycles_*, go_sched_pauses_*);
// prometheus-bare one with the Go collector only (no process metrics);
// prometheus-all one that exports every runtime/metrics metric (the /cpu/classes
// and /memory/classes ones too).
//
// It listens on 127.0.0.1 on a free port and prints "listening on URL".
//
//	GET /work?kib=N   allocates about N KiB (default 256) in small objects
//	GET /gcstats      {"num_gc":N,"pause_total_ns":NS} from debug.ReadGCStats
//	GET /gc           runs runtime.GC()
package main

import (
	"context"
	"encoding/json"
	"expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/gcprobe/gcprobe/profiler"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func main() {
	endpoints := flag.String("endpoints", "agent,expvar,prometheus,pprof", "comma-separated endpoints to mount")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, strings.Split(*endpoints, ",")); err != nil {
		fmt.Fprintln(os.Stderr, "service:", err)
		os.Exit(1)
	}
}

func serve(ctx context.Context, endpoints []string) error {
	mux := http.NewServeMux()
	for _, e := range endpoints {
		switch e {
		case "agent":
			p, err := profiler.New(profiler.Options{})
			if err != nil {
				return err
			}
			p.Start(ctx)
			defer p.Close()
			mux.Handle("/debug/gcprobe/", p.Handler())
		case "expvar":
			mux.Handle("/debug/vars", expvar.Handler())
		case "prometheus":
			mux.Handle("/metrics", promhttp.Handler())
		case "prometheus-runtime":
			// A registry that also exports runtime/metrics, among them the
			// GC cycle counter and the pause histogram.
			reg := prometheus.NewRegistry()
			reg.MustRegister(
				collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(collectors.MetricsGC, collectors.MetricsScheduler)),
				collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
			mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		case "prometheus-bare":
			// A registry with the Go collector only, as services that
			// register their own often have: nothing says which
			// process it is.
			reg := prometheus.NewRegistry()
			reg.MustRegister(collectors.NewGoCollector())
			mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		case "prometheus-all":
			reg := prometheus.NewRegistry()
			reg.MustRegister(
				collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(collectors.MetricsAll)),
				collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
			mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		case "pprof":
			mux.HandleFunc("/debug/pprof/", pprof.Index)
			mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		case "trace": // without it, pprof's index answers 404 for /debug/pprof/trace
			mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		case "":
		default:
			return fmt.Errorf("unknown endpoint %q", e)
		}
	}
	mux.HandleFunc("/work", work)
	mux.HandleFunc("/gcstats", gcstats)
	mux.HandleFunc("/gc", func(w http.ResponseWriter, r *http.Request) {
		// A cycle now, so that a test's window after it starts with the
		// heap far from its goal.
		runtime.GC()
		fmt.Fprintln(w, "ok")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: mux}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// node is a small pointer-bearing object, so the GC has something to mark.
type node struct {
	next *node
	data [48]byte
}

// kept is live heap that the load churns: each request replaces a slot.
var kept struct {
	sync.Mutex
	lists [16]*node
	i     int
}

func work(w http.ResponseWriter, r *http.Request) {
	kib, err := strconv.Atoi(r.URL.Query().Get("kib"))
	if err != nil || kib <= 0 {
		kib = 256
	}
	var head *node
	for range kib * 1024 / 64 {
		head = &node{next: head}
	}
	kept.Lock()
	kept.lists[kept.i%len(kept.lists)] = head
	kept.i++
	kept.Unlock()
	fmt.Fprintln(w, "ok")
}

func gcstats(w http.ResponseWriter, r *http.Request) {
	var s debug.GCStats
	debug.ReadGCStats(&s)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]int64{"num_gc": s.NumGC, "pause_total_ns": int64(s.PauseTotal)})
}
