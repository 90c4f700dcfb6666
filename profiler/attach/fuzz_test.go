package attach

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzRead feeds arbitrary bodies to every source, as first (baseline) and
// second poll: each must return a reading or one line of error, never panic,
// and cycles must come out numbered in order.
func FuzzRead(f *testing.F) {
	start := time.Unix(1700000000, 0)
	f.Add(memstatsJSON(start, 10, 0), memstatsJSON(start, 400, 3))
	f.Add(memstatsJSON(start, 300, 0), memstatsJSON(start, 2, 0))
	f.Add([]byte(fmt.Sprintf(promText, 0.003, 3, 1.7e9, 6, 6, 6)), []byte(fmt.Sprintf(promText, 0.009, 9, 1.7e9+1, 18, 18, 18)))
	state, _ := json.Marshal(map[string]any{"header": map[string]any{"schema": "gcprobe.run/v1", "start": start}, "next": 5})
	f.Add(state, []byte(`{"next":9,"lost":2,"events":[{"t":1,"gc":{"n":4,"pause_seconds":1e-4}},{"t":1.1,"sample":{"rss_bytes":1}},{"t":2,"end":{}}]}`))
	f.Add([]byte("<html>"), []byte("garbage"))
	f.Fuzz(func(t *testing.T, first, second []byte) {
		sources := []interface {
			read2(body []byte, now float64) (reading, error)
		}{
			readerOf(newExpvar(nil, "u", start)),
			readerOf(newPrometheus(nil, "u", start)),
			readerOf(newAgent(nil, "u", start)),
		}
		for _, s := range sources {
			if _, err := s.read2(first, 0); err != nil {
				checkLine(t, err)
				continue
			}
			r, err := s.read2(second, 1)
			if err != nil {
				checkLine(t, err)
				continue
			}
			var prev uint64
			for _, e := range r.events {
				if e.GC == nil {
					continue
				}
				if prev != 0 && e.GC.N != prev+1 {
					t.Fatalf("cycle %d after %d", e.GC.N, prev)
				}
				prev = e.GC.N
			}
		}
	})
}

func checkLine(t *testing.T, err error) {
	if strings.Contains(err.Error(), "\n") {
		t.Fatalf("error of several lines: %q", err)
	}
}

// readerOf adapts each source's read to one signature.
type reader2 func(body []byte, now float64) (reading, error)

func (r reader2) read2(body []byte, now float64) (reading, error) { return r(body, now) }

func readerOf(s source) reader2 {
	switch s := s.(type) {
	case *expvarSource:
		return s.read
	case *promSource:
		return s.read
	case *agent:
		return func(body []byte, now float64) (reading, error) { return s.read("u", body, now) }
	}
	panic("unknown source")
}

// FuzzParseStatus feeds /proc/PID/status contents with State and VmHWM lines
// among arbitrary other lines: parseStatus must find both, whatever the
// others hold, and never panic on the arbitrary lines alone.
func FuzzParseStatus(f *testing.F) {
	f.Add([]byte("Name:\tsvc\nUmask:\t0022\n"), []byte("Tgid:\t1\n"), "S", uint32(1608))
	f.Add([]byte(""), []byte("\n\n::\n"), "Z", uint32(0))
	f.Fuzz(func(t *testing.T, before, after []byte, state string, kb uint32) {
		parseStatus(before)
		parseStatus(after)
		for _, b := range [][]byte{before, after} {
			for _, line := range strings.Split(string(b), "\n") {
				if k, _, ok := strings.Cut(line, ":"); ok && (k == "State" || k == "VmHWM") {
					return // the lines below would not be the only ones
				}
			}
		}
		state = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0xA0 || r > 0x7e || r < 0x21 {
				return -1
			}
			return r
		}, state)
		if state == "" {
			state = "R"
		}
		status := fmt.Sprintf("%s\nState:\t%s (running)\nVmHWM:\t%8d kB\n%s", before, state, kb, after)
		gotState, gotHWM := parseStatus([]byte(status))
		if gotState != state || gotHWM != uint64(kb)<<10 {
			t.Fatalf("parseStatus(%q) = %q, %d; want %q, %d", status, gotState, gotHWM, state, uint64(kb)<<10)
		}
	})
}

// FuzzParseEndpoints feeds arbitrary --url values: each is refused with one
// line naming --url, or gives endpoints that are http(s) URLs under its base.
func FuzzParseEndpoints(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:8080", "https://h/admin/debug/gcprobe/metrics?x", "127.0.0.1:80", "http://[::1]:6060/debug/vars#f", "http://h/%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		e, err := parseEndpoints(raw)
		if err != nil {
			checkLine(t, err)
			if !strings.Contains(err.Error(), "--url") {
				t.Fatalf("error does not name --url: %v", err)
			}
			return
		}
		for _, u := range []string{e.agent, e.expvar, e.prometheus, e.pprof} {
			if !strings.HasPrefix(u, e.base+"/") {
				t.Fatalf("%q: endpoint %q not under base %q", raw, u, e.base)
			}
			if _, err := url.Parse(u); err != nil {
				t.Fatalf("%q: endpoint %q does not parse: %v", raw, u, err)
			}
		}
	})
}
