package report

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/gcprobe/gcprobe/record"
)

// This file makes the inputs in testdata (see testdata/README.md);
// go test -update rewrites them and the golden files.

var testStart = time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)

// encode writes a record with the real writer; writing to memory cannot
// fail, so an error is a bug and panics (TestMain calls this without a T).
func encode(_ testing.TB, h record.Header, es []record.Event) []byte {
	var b bytes.Buffer
	w, err := record.NewWriter(&b, h)
	if err != nil {
		panic(err)
	}
	for _, e := range es {
		if err := w.Write(e); err != nil {
			panic(err)
		}
	}
	return b.Bytes()
}

// genFiles returns every generated file by its path under testdata.
func genFiles(t testing.TB) map[string][]byte {
	files := map[string][]byte{
		"scenario.jsonl":      encodeHE(t)(scenario(100, "pointers", 1)),
		"attached.jsonl":      encodeHE(t)(attached()),
		"attached.heap.pb.gz": heapProfile(t),
	}
	for _, gogc := range []int{50, 100, 200} {
		for rep := 1; rep <= 6; rep++ {
			h, es := scenario(gogc, "pointers", uint64(rep))
			files[fmt.Sprintf("sweep/gogc%d-%d.jsonl", gogc, rep)] = encode(t, h, es)
		}
	}
	return files
}

// scenario is a readstates-like run of 20 one-second intervals at 200
// requests/s. A lower GOGC runs more GC cycles, each starving requests of
// CPU (latency up to ~300 ms inside cycles), and holds less memory.
func scenario(gogc int, layout string, seed uint64) (record.Header, []record.Event) {
	return scenarioWith(sweepConfig{gogc: gogc, layout: layout}, seed)
}

// sweepConfig is one configuration of a generated sweep. A memory limit
// (MiB, 0 for none) below the heap goal GOGC would give makes cycles come
// sooner; the compact layout's cycles are short and barely slow requests.
// gogc 0 is GOGC=off: no cycles.
type sweepConfig struct {
	gogc     int
	limitMiB int
	layout   string
}

func scenarioWith(cfg sweepConfig, seed uint64) (record.Header, []record.Event) {
	gogc, layout := cfg.gogc, cfg.layout
	h := record.Header{
		Source: record.SourceScenario, Scenario: "readstates",
		Params:    map[string]string{"entries": "1000000", "layout": layout, "rate": "200"},
		Env:       map[string]string{"GOGC": fmt.Sprint(gogc), "GOMAXPROCS": "2"},
		Command:   []string{"gcprobe", "scenario", "run", "readstates"},
		GoVersion: "go1.26.8", GC: record.GCGreenTea, GCProbeVersion: "test",
		Host:  record.Host{Hostname: "bench", OS: "linux", Arch: "amd64", CPUs: 2, MemoryBytes: 8 << 30},
		Start: testStart,
	}
	rng := rand.New(rand.NewPCG(seed, uint64(gogc)))
	period := 2.0 * float64(gogc) / 100 // seconds between cycles
	length, penalty := 0.4, 0.3
	if layout == "compact" {
		length, penalty = 0.05, 0.004
	}
	live := 300.0 * (1 << 20)
	goal := live * (1 + float64(gogc)/100)
	if cfg.gogc == 0 {
		h.Env["GOGC"], goal, period = "off", 8*live, 0
	}
	if limit := float64(cfg.limitMiB) * (1 << 20); limit > 0 {
		h.Env["GOMEMLIMIT"] = fmt.Sprintf("%dMiB", cfg.limitMiB)
		if capped := 0.95 * limit; capped < goal {
			period = 2.0 * (capped - live) / live
			goal = capped
		}
	}
	var cycles [][2]float64
	for c := period; period > 0 && c < 20; c += period {
		cycles = append(cycles, [2]float64{c, c + length})
	}
	inGC := func(x float64) bool {
		for _, c := range cycles {
			if x >= c[0] && x < c[1] {
				return true
			}
		}
		return false
	}
	var es []record.Event
	n := 0
	for sec := 1; sec <= 20; sec++ {
		t := float64(sec)
		counts := map[float64]uint64{}
		var maxLat float64
		var slow []record.Request
		for i := 0; i < 200; i++ {
			start := t - 1 + float64(i)/200
			lat := 0.0005 + rng.ExpFloat64()*0.0005
			if inGC(start) {
				lat += rng.Float64() * rng.Float64() * penalty
			}
			lo := math.Pow(2, math.Floor(math.Log2(lat/1e-6))) * 1e-6 // power-of-two buckets
			counts[lo]++
			maxLat = math.Max(maxLat, lat)
			if lat > 0.01 && len(slow) < 8 {
				slow = append(slow, record.Request{StartSeconds: start, LatencySeconds: lat})
			}
		}
		var bs []record.Bucket
		for lo := 1e-6; lo < 10; lo *= 2 {
			if c := counts[lo]; c > 0 {
				bs = append(bs, record.Bucket{Lo: lo, Hi: 2 * lo, Count: c})
			}
		}
		es = append(es, record.Event{T: t, Latency: &record.Latency{IntervalSeconds: 1, Count: 200, MaxSeconds: maxLat, Buckets: bs, Slowest: slow}})
		rss := goal*1.1 + float64(sec%3)*(4<<20) + rng.Float64()*(8<<20)
		es = append(es, record.Event{T: t, Sample: &record.Sample{RSSBytes: uint64(rss), RSSPeakBytes: uint64(goal*1.2 + float64(seed)*(3<<20)),
			HeapLiveBytes: uint64(live), HeapGoalBytes: uint64(goal), AllocBytesTotal: uint64(t * 150 * (1 << 20))}})
		for _, c := range cycles {
			if c[1] > t-1 && c[1] <= t {
				n++
				es = append(es, record.Event{T: c[1], GC: &record.GC{N: uint64(n), StartSeconds: c[0], EndSeconds: c[1],
					PauseSeconds: 0.0009 + 0.0001*rng.Float64(), PauseMaxSeconds: 0.0006 + 0.0001*rng.Float64(),
					HeapLiveBytes: uint64(live), HeapGoalBytes: uint64(goal), GCCPUSeconds: (0.45 + 0.1*rng.Float64()) * (length / 0.4), IntervalCPUSeconds: 2 * period}})
				es = append(es, record.Event{T: c[1], Pauses: &record.Pauses{Buckets: []record.Bucket{
					{Lo: 0.0002, Hi: 0.0003, Count: 1}, {Lo: 0.0006, Hi: 0.0007, Count: 1}}}})
			}
		}
	}
	es = append(es, record.Event{T: 20, End: &record.End{Reason: record.EndDuration}})
	return h, es
}

// attached is an attach to a service with a heap profile taken at the end.
// Its command line holds HTML, which every renderer must show, not run.
func attached() (record.Header, []record.Event) {
	h := record.Header{
		Source: record.SourceAttach, PID: 4242, Attach: &record.Attach{URL: "http://127.0.0.1:6060", Via: "agent"},
		Command:   []string{"./svc", "--name=<script>alert(1)</script>"},
		GoVersion: "go1.25.3", GC: record.GCClassic, Host: record.Host{OS: "linux", Arch: "arm64", CPUs: 4, CgroupMemoryLimitBytes: 2 << 30},
		Env: map[string]string{"GOMEMLIMIT": "1GiB"}, Start: testStart,
	}
	var es []record.Event
	for i := 1; i <= 10; i++ {
		t := float64(i)
		es = append(es, record.Event{T: t, Sample: &record.Sample{RSSBytes: uint64(200+5*i) << 20, HeapLiveBytes: 120 << 20,
			HeapGoalBytes: 240 << 20, GCCyclesTotal: uint64(40 + i), GCCPUFraction: 0.031}})
		es = append(es, record.Event{T: t, GC: &record.GC{N: uint64(40 + i), HeapLiveBytes: uint64(118+i/3) << 20, HeapGoalBytes: 240 << 20}})
	}
	es = append(es, record.Event{T: 10, Profile: &record.Profile{Kind: "heap", Path: "attached.heap.pb.gz", When: "end"}})
	es = append(es, record.Event{T: 10, End: &record.End{Reason: record.EndInterrupted}})
	return h, es
}

// heapProfile is a small Go heap profile: one site that makes garbage, one
// that retains memory, and one whose function name is HTML.
func heapProfile(t testing.TB) []byte {
	fn := func(id uint64, name string) *profile.Function {
		return &profile.Function{ID: id, Name: name, SystemName: name, Filename: "svc/main.go"}
	}
	fns := []*profile.Function{fn(1, "main.decodeEvent"), fn(2, "main.(*Cache).Put"), fn(3, "main.<script>alert(2)</script>")}
	var locs []*profile.Location
	for i, f := range fns {
		locs = append(locs, &profile.Location{ID: uint64(i + 1), Address: uint64(0x1000 * (i + 1)), Line: []profile.Line{{Function: f, Line: int64(10 * (i + 1))}}})
	}
	sample := func(l *profile.Location, allocObj, allocB, inuseObj, inuseB int64) *profile.Sample {
		return &profile.Sample{Location: []*profile.Location{l}, Value: []int64{allocObj, allocB, inuseObj, inuseB}}
	}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "alloc_objects", Unit: "count"}, {Type: "alloc_space", Unit: "bytes"},
			{Type: "inuse_objects", Unit: "count"}, {Type: "inuse_space", Unit: "bytes"}},
		Sample: []*profile.Sample{
			sample(locs[0], 900000, 3<<30, 100, 64<<10),
			sample(locs[1], 50000, 200<<20, 40000, 150<<20),
			sample(locs[2], 1000, 1<<20, 10, 4<<10),
		},
		Location: locs, Function: fns,
		PeriodType: &profile.ValueType{Type: "space", Unit: "bytes"}, Period: 512 * 1024,
		TimeNanos: testStart.UnixNano(),
	}
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// encodeHE adapts encode to functions that return a header and events.
func encodeHE(t testing.TB) func(record.Header, []record.Event) []byte {
	return func(h record.Header, es []record.Event) []byte { return encode(t, h, es) }
}
