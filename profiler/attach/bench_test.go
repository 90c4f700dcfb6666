package attach

import (
	"bytes"
	"context"
	"expvar"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/profiler"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// The cost of one poll of each source, measured three ways:
//
//   - BenchmarkPoll: a poll over loopback HTTP of the real handler served by
//     this process (client and target costs together, as ns/op, B/op and
//     allocs/op count both);
//   - BenchmarkServe: the target's side alone, the handler answering one
//     poll (expvar's includes runtime.ReadMemStats, a stop-the-world);
//   - BenchmarkClient: gcprobe's side alone, a poll of a real payload
//     captured once and served as fixed bytes.

// cpuTime is this process's user+system CPU time: on a machine shared with
// other work, CPU per poll says more than wall time per poll.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs poll b.N times and reports CPU ns per poll besides wall ns.
func loop(b *testing.B, poll func(i int)) {
	b.ReportAllocs()
	c0 := cpuTime()
	n := 0
	for b.Loop() {
		poll(n)
		n++
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(n), "cpu-ns/op")
}

// realHandlers returns the handlers a service mounts for each source, with
// the agent's probe running at its default interval for about a second
// while this process allocates, so that the agent holds what a poll at the
// default --interval (1s) gets: a few samples, GC cycles and pauses.
func realHandlers(b *testing.B) map[string]http.Handler {
	p, err := profiler.New(profiler.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.Start(ctx)
	b.Cleanup(func() { cancel(); p.Close() })
	for range 20 {
		churn()
		time.Sleep(50 * time.Millisecond)
	}
	return map[string]http.Handler{
		SourceAgent:      p.Handler(),
		SourceExpvar:     expvar.Handler(),
		SourcePrometheus: promhttp.Handler(),
	}
}

// churn allocates so that GC cycles happen between polls, as in a service
// under load.
func churn() {
	var keep [][]byte
	for range 64 {
		keep = append(keep, make([]byte, 64<<10))
	}
	runtime.KeepAlive(keep)
}

func newSource(name string, f *fetcher, base string) source {
	ep, _ := parseEndpoints(base)
	switch name {
	case SourceAgent:
		return newAgent(f, ep.agent, time.Now())
	case SourceExpvar:
		return newExpvar(f, ep.expvar, time.Now())
	}
	return newPrometheus(f, ep.prometheus, time.Now())
}

func mux(name string, h http.Handler) http.Handler {
	m := http.NewServeMux()
	switch name {
	case SourceAgent:
		m.Handle("/debug/gcprobe/", h)
	case SourceExpvar:
		m.Handle("/debug/vars", h)
	default:
		m.Handle("/metrics", h)
	}
	return m
}

func BenchmarkPoll(b *testing.B) {
	hs := realHandlers(b)
	for _, name := range Sources {
		b.Run(name, func(b *testing.B) {
			srv := httptest.NewServer(mux(name, hs[name]))
			defer srv.Close()
			s := newSource(name, newFetcher(5*time.Second), srv.URL)
			ctx := context.Background()
			if _, err := s.poll(ctx, 0); err != nil {
				b.Fatal(err)
			}
			loop(b, func(i int) {
				if _, err := s.poll(ctx, float64(i)); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

func BenchmarkServe(b *testing.B) {
	hs := realHandlers(b)
	paths := map[string]string{SourceAgent: "/debug/gcprobe/events?since=0", SourceExpvar: "/debug/vars", SourcePrometheus: "/metrics"}
	for _, name := range Sources {
		b.Run(name, func(b *testing.B) {
			h := mux(name, hs[name])
			req := httptest.NewRequest("GET", paths[name], nil)
			loop(b, func(int) {
				w := &discard{h: http.Header{}}
				h.ServeHTTP(w, req)
			})
		})
	}
}

// discard is a ResponseWriter that throws the body away.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

func BenchmarkClient(b *testing.B) {
	hs := realHandlers(b)
	for _, name := range Sources {
		b.Run(name, func(b *testing.B) {
			live := httptest.NewServer(mux(name, hs[name]))
			defer live.Close()
			ep, _ := parseEndpoints(live.URL)
			capture := func(url string) []byte {
				resp, err := http.Get(url)
				if err != nil {
					b.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				return body
			}
			var state, page []byte
			switch name {
			case SourceAgent:
				state = capture(ep.agent)
				page = capture(ep.agent + "events?since=0")
			case SourceExpvar:
				page = capture(ep.expvar)
			default:
				page = capture(ep.prometheus)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if state != nil && !bytes.Contains([]byte(r.URL.RawQuery), []byte("since")) {
					w.Write(state)
					return
				}
				w.Write(page)
			}))
			defer srv.Close()
			s := newSource(name, newFetcher(5*time.Second), srv.URL)
			ctx := context.Background()
			if _, err := s.poll(ctx, 0); err != nil {
				b.Fatal(err)
			}
			loop(b, func(i int) {
				if _, err := s.poll(ctx, float64(i)); err != nil {
					b.Fatal(fmt.Errorf("poll %d: %w", i, err))
				}
			})
			b.ReportMetric(float64(len(page)), "payload-B")
		})
	}
}
