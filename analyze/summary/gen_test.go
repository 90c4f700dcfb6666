package summary

import (
	"bytes"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

// This file makes the run records in testdata (see testdata/README.md).
// go test -update rewrites them, and the golden outputs beside them.

var testStart = time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)

func testHost() record.Host {
	return record.Host{Hostname: "bench", OS: "linux", Arch: "amd64", CPUs: 2, MemoryBytes: 8 << 30, CgroupMemoryLimitBytes: 4 << 30}
}

// encode writes a record with the real writer.
func encode(t testing.TB, r rec) []byte {
	t.Helper()
	h, es := r.h, r.es
	var b bytes.Buffer
	w, err := record.NewWriter(&b, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// genRecords returns every generated record by file name.
func genRecords(t testing.TB) map[string][]byte {
	gctrace := genGCTrace()
	cut := encode(t, rec{gctrace.h, gctrace.es[:len(gctrace.es)-1]}) // no end event
	cut = append(cut, []byte(`{"t":9.9,"sample":{"rss_by`)...)       // killed mid-line
	return map[string][]byte{
		"gctrace.jsonl":   encode(t, gctrace),
		"probe.jsonl":     encode(t, genProbe()),
		"scenario.jsonl":  encode(t, genScenario()),
		"periodic.jsonl":  encode(t, genPeriodic()),
		"truncated.jsonl": cut,
		"nogc.jsonl": encode(t, rec{record.Header{Source: record.SourceAttach, PID: 42, Attach: &record.Attach{Via: "none"}, Host: testHost(), Start: testStart},
			[]record.Event{
				{T: 1, Sample: &record.Sample{RSSBytes: 30 << 20}},
				{T: 2, Sample: &record.Sample{RSSBytes: 31 << 20}},
				{T: 3, End: &record.End{Reason: record.EndLost}},
			}}),
	}
}

type rec struct {
	h  record.Header
	es []record.Event
}

// genGCTrace is gcprobe run of a program under gctrace: cycles with start,
// end, pauses and heap sizes, cumulative GC CPU, RSS samples; one
// runtime.GC() and one periodic cycle.
func genGCTrace() rec {
	h := record.Header{
		Source: record.SourceRun, Command: []string{"./alloc", "-n", "3"},
		Env:       map[string]string{"GOGC": "50", "GODEBUG": "gctrace=1"},
		GoVersion: "go1.26.8", GC: record.GCGreenTea, Host: testHost(), Start: testStart,
	}
	var es []record.Event
	live := uint64(8 << 20)
	for i := 1; i <= 8; i++ {
		start := float64(i)
		g := &record.GC{
			N: uint64(i), StartSeconds: start, EndSeconds: start + 0.004,
			PauseSeconds: 0.00005 * float64(i), PauseMaxSeconds: 0.00003 * float64(i),
			HeapStartBytes: live*3/2 + 1<<20, HeapEndBytes: live*3/2 + 2<<20, HeapLiveBytes: live,
			HeapGoalBytes: live * 3 / 2, Procs: 2, CumulativeGCCPUFraction: 0.01 * float64(i),
		}
		if i == 4 {
			g.Forced = true
		}
		if i == 8 {
			g.Periodic = true
		}
		es = append(es, record.Event{T: start + 0.004, GC: g})
		es = append(es, record.Event{T: start + 0.5, Sample: &record.Sample{RSSBytes: uint64(20+i) << 20, RSSPeakBytes: uint64(21+i) << 20}})
		live += 1 << 20
	}
	es = append(es, record.Event{T: 9.5, End: &record.End{Reason: record.EndExit, ExitCode: 3}})
	return rec{h, es}
}

// genProbe is the in-process probe: full samples, cycles without bounds but
// with GC-bounded CPU, and pause histograms.
func genProbe() rec {
	h := record.Header{
		Source: record.SourceProbe, Env: map[string]string{"GOMEMLIMIT": "512MiB", "GOMAXPROCS": "2"},
		GoVersion: "go1.26.8", GC: record.GCGreenTea, Host: testHost(), Start: testStart,
	}
	var es []record.Event
	var alloc, gcCPU uint64
	for i := 1; i <= 20; i++ {
		t := float64(i) / 2
		alloc += 50 << 20
		es = append(es, record.Event{T: t, Sample: &record.Sample{
			RSSBytes: uint64(100+i) << 20, RSSPeakBytes: uint64(100+i) << 20, HeapLiveBytes: 40 << 20, HeapGoalBytes: 80 << 20,
			AllocBytesTotal: alloc, GCCyclesTotal: uint64(i / 2), Goroutines: 12,
			GCCPUSecondsTotal: float64(gcCPU) * 0.05, TotalCPUSecondsTotal: t * 2,
			GoMemory: &record.GoMemory{From: record.FromRuntimeMetrics, HeapObjectsBytes: 60 << 20, HeapUnusedBytes: 2 << 20,
				HeapFreeBytes: 10 << 20, HeapReleasedBytes: 5 << 20, HeapStacksBytes: 1 << 20, MetadataOtherBytes: 3 << 20,
				ProfilingBucketsBytes: 1 << 20, OtherBytes: 1 << 20},
			ProcMemory: &record.ProcMemory{RSSBytes: uint64(100+i) << 20, AnonymousBytes: uint64(94+i) << 20, LazyFreeBytes: 0},
		}})
		if i%2 == 0 {
			gcCPU++
			es = append(es, record.Event{T: t, GC: &record.GC{N: uint64(i / 2), HeapLiveBytes: uint64(38+i/4) << 20, HeapGoalBytes: uint64(76+i/2) << 20,
				GCCPUSeconds: 0.05 + 0.01*float64(i%4), IntervalCPUSeconds: 2}})
			es = append(es, record.Event{T: t, Pauses: &record.Pauses{Buckets: []record.Bucket{
				{Lo: 50e-6, Hi: 60e-6, Count: 1}, {Lo: 100e-6, Hi: 120e-6, Count: 1}}}})
		}
	}
	es = append(es, record.Event{T: 10, Pauses: &record.Pauses{Buckets: []record.Bucket{{Lo: 2e-3, Hi: 0, Count: 1}}}})
	es = append(es, record.Event{T: 10, Note: &record.Note{Level: record.NoteWarning, Message: "2 samples were late"}})
	es = append(es, record.Event{T: 10, End: &record.End{Reason: record.EndSignal, Signal: "SIGKILL", ExitCode: -1}})
	return rec{h, es}
}

// latencyBucket is a log-linear bucket with 1/16 relative width, as a load
// generator's histogram would have (coarser, to keep testdata small).
func latencyBucket(x float64) (lo, hi float64) {
	k := math.Floor(math.Log(x/1e-6) / math.Log1p(1.0/16))
	lo = 1e-6 * math.Pow(1+1.0/16, k)
	return lo, lo * (1 + 1.0/16)
}

// genScenario is a readstates-like run: 40 s of 1-second latency intervals
// at 1000 requests/s, a GC cycle of 1.5 s every 10 s during which requests
// queue behind starved workers (latency up to ~400 ms), pauses of at most
// about 1 ms.
func genScenario() rec {
	h := record.Header{
		Source: record.SourceScenario, Scenario: "readstates",
		Params:    map[string]string{"entries": "5000000", "layout": "pointers", "rate": "1000"},
		Env:       map[string]string{"GOGC": "100", "GOMAXPROCS": "2"},
		GoVersion: "go1.26.8", GC: record.GCGreenTea, Host: testHost(), Start: testStart,
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var cycles [][2]float64
	for c := 10.0; c < 40; c += 10 {
		cycles = append(cycles, [2]float64{c + 0.2, c + 1.7})
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
	var alloc uint64
	n := 0
	for sec := 1; sec <= 40; sec++ {
		t := float64(sec)
		type req struct{ start, lat float64 }
		var reqs []req
		counts := map[[2]float64]uint64{}
		var sum, maxLat float64
		for i := 0; i < 1000; i++ {
			start := t - 1 + float64(i)/1000
			lat := 0.0002 + rng.ExpFloat64()*0.0003
			if inGC(start) {
				lat += rng.Float64() * 0.4 * rng.Float64()
			}
			reqs = append(reqs, req{start, lat})
			lo, hi := latencyBucket(lat)
			counts[[2]float64{lo, hi}]++
			sum += lat
			maxLat = math.Max(maxLat, lat)
		}
		var bs []record.Bucket
		for k, c := range counts {
			bs = append(bs, record.Bucket{Lo: k[0], Hi: k[1], Count: c})
		}
		sort.Slice(bs, func(i, j int) bool { return bs[i].Lo < bs[j].Lo })
		sort.Slice(reqs, func(i, j int) bool { return reqs[i].lat > reqs[j].lat })
		var slow []record.Request
		for _, r := range reqs[:16] {
			slow = append(slow, record.Request{StartSeconds: r.start, LatencySeconds: r.lat})
		}
		es = append(es, record.Event{T: t, Latency: &record.Latency{IntervalSeconds: 1, Count: 1000, MaxSeconds: maxLat, SumSeconds: sum, Buckets: bs, Slowest: slow}})
		alloc += 30 << 20
		es = append(es, record.Event{T: t, Sample: &record.Sample{RSSBytes: 1200 << 20, RSSPeakBytes: 1250 << 20,
			HeapLiveBytes: 700 << 20, HeapGoalBytes: 1400 << 20, AllocBytesTotal: alloc}})
		for _, c := range cycles {
			if c[1] > t-1 && c[1] <= t {
				n++
				es = append(es, record.Event{T: c[1], GC: &record.GC{N: uint64(n), StartSeconds: c[0], EndSeconds: c[1],
					PauseSeconds: 0.0015, PauseMaxSeconds: 0.0011, HeapLiveBytes: 700 << 20, HeapGoalBytes: 1400 << 20,
					GCCPUSeconds: 2.4, IntervalCPUSeconds: 20}})
				es = append(es, record.Event{T: c[1], Pauses: &record.Pauses{Buckets: []record.Bucket{
					{Lo: 0.0003, Hi: 0.0004, Count: 1}, {Lo: 0.001, Hi: 0.0011, Count: 1}}}})
			}
		}
	}
	es = append(es, record.Event{T: 40, End: &record.End{Reason: record.EndDuration}})
	return rec{h, es}
}

// genPeriodic is a quiet program: only the periodic 2-minute GC ran.
func genPeriodic() rec {
	h := record.Header{Source: record.SourceRun, Command: []string{"./idle"}, GoVersion: "go1.26.8", Host: testHost(), Start: testStart}
	var es []record.Event
	for i := 1; i <= 3; i++ {
		t := 120.0 * float64(i)
		es = append(es, record.Event{T: t, GC: &record.GC{N: uint64(i), StartSeconds: t, EndSeconds: t + 0.002, Periodic: true,
			PauseSeconds: 0.0001, PauseMaxSeconds: 0.00006, HeapStartBytes: 4 << 20, HeapEndBytes: 4 << 20, HeapLiveBytes: 3 << 20, HeapGoalBytes: 4 << 20,
			CumulativeGCCPUFraction: 0.001}})
		es = append(es, record.Event{T: t + 1, Sample: &record.Sample{RSSBytes: 12 << 20}})
	}
	es = append(es, record.Event{T: 400, End: &record.End{Reason: record.EndInterrupted}})
	return rec{h, es}
}
