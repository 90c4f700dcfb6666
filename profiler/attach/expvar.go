package attach

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

// ringSize is the length of MemStats' PauseNs and PauseEnd rings.
const ringSize = 256

// memStats is the part of runtime.MemStats (as expvar publishes it) that
// attach reads.
type memStats struct {
	TotalAlloc    uint64
	Sys           uint64
	HeapAlloc     uint64
	NextGC        uint64
	PauseTotalNs  uint64
	PauseNs       [ringSize]uint64
	PauseEnd      [ringSize]uint64
	NumGC         uint32
	NumForcedGC   uint32
	GCCPUFraction float64
	LastGC        uint64 // Unix ns
	// The fields the memory classes are derived from.
	HeapInuse, HeapIdle, HeapReleased            uint64
	StackInuse, StackSys                         uint64
	MSpanInuse, MSpanSys, MCacheInuse, MCacheSys uint64
	BuckHashSys, GCSys, OtherSys                 uint64
}

// expvarSource polls /debug/vars. Each poll costs the target a
// runtime.ReadMemStats (a stop-the-world) — that is what expvar does.
type expvarSource struct {
	f     *fetcher
	url   string
	start time.Time
	// procStart is when the target started (zero: unknown) and procs its
	// GOMAXPROCS: with them, GCCPUFraction at a cycle end becomes the
	// runtime's GC CPU time since the start (see cpuAccount).
	procStart time.Time
	procs     int

	started    bool
	prevN      uint32
	prevForced uint32
	prevT      float64
	lostTotal  uint64
	vars       expvarVars
}

func newExpvar(f *fetcher, url string, start time.Time) *expvarSource {
	return &expvarSource{f: f, url: url, start: start}
}

func (*expvarSource) name() string { return SourceExpvar }

func (e *expvarSource) poll(ctx context.Context, now float64) (reading, error) {
	body, err := e.f.get(ctx, e.url, "application/json", maxMetricsBody, 0)
	if err != nil {
		return reading{}, err
	}
	return e.read(body, now)
}

// read decodes one /debug/vars body.
func (e *expvarSource) read(body []byte, now float64) (reading, error) {
	ms, err := decodeExpvar(e.url, body, &e.vars)
	if err != nil {
		return reading{}, err
	}
	r := reading{sampleOK: true, sample: record.Sample{
		HeapObjectsBytes: ms.HeapAlloc,
		HeapGoalBytes:    ms.NextGC,
		GoTotalBytes:     ms.Sys,
		AllocBytesTotal:  ms.TotalAlloc,
		GCCyclesTotal:    uint64(ms.NumGC),
		GCCPUFraction:    ms.GCCPUFraction,
		GoMemory:         ms.goMemory(),
	}}
	e.cpuAccount(&r.sample, ms)
	if !e.started && len(e.vars.Cmdline) > 0 {
		r.identity = &identity{cmdline: e.vars.Cmdline}
	}
	if e.started {
		r.events = e.cycles(ms, now)
	} else if args := e.vars.Cmdline; len(args) > 0 {
		r.program = &record.Program{Name: filepath.Base(args[0]), Args: args, From: record.ProgramFromExpvar}
	}
	e.started, e.prevN, e.prevForced, e.prevT = true, ms.NumGC, ms.NumForcedGC, now
	return r, nil
}

// goMemory derives the memory classes, nil when the body had no heap figures
// (every Go runtime publishes HeapInuse and Sys; a zero means absent).
func (ms *memStats) goMemory() *record.GoMemory {
	if ms.HeapInuse == 0 || ms.Sys == 0 {
		return nil
	}
	m := record.GoMemoryFromMemStats(record.MemStats{
		HeapAlloc: ms.HeapAlloc, HeapInuse: ms.HeapInuse, HeapIdle: ms.HeapIdle, HeapReleased: ms.HeapReleased,
		StackInuse: ms.StackInuse, StackSys: ms.StackSys,
		MSpanInuse: ms.MSpanInuse, MSpanSys: ms.MSpanSys, MCacheInuse: ms.MCacheInuse, MCacheSys: ms.MCacheSys,
		BuckHashSys: ms.BuckHashSys, GCSys: ms.GCSys, OtherSys: ms.OtherSys,
	}, record.FromMemStats)
	return &m
}

// cpuAccount turns GCCPUFraction into the runtime's CPU account at the last
// cycle's end. The runtime sets GCCPUFraction at the end of each cycle to its
// GC CPU time since the program started (idle marking left out) over
// GOMAXPROCS × the time since then; times the uptime at LastGC and
// GOMAXPROCS it is that GC CPU time again. Two such readings bound a window
// by cycle ends, as /cpu/classes does; GOMAXPROCS cancels out of the share
// over the window, so an assumed one only scales the seconds.
func (e *expvarSource) cpuAccount(s *record.Sample, ms *memStats) {
	if e.procStart.IsZero() || ms.LastGC == 0 || e.procs <= 0 {
		return
	}
	up := time.Unix(0, int64(ms.LastGC)).Sub(e.procStart).Seconds()
	if up <= 0 {
		return
	}
	total := up * float64(e.procs)
	s.TotalCPUSecondsTotal, s.GCCPUSecondsTotal, s.GCCPUWithoutIdle = total, ms.GCCPUFraction*total, true
}

// expvarVars is the part of /debug/vars that attach reads.
type expvarVars struct {
	Memstats *memStats
	// Cmdline is the program's os.Args, which expvar publishes: what
	// tells whose /debug/vars this is.
	Cmdline []string
}

// decodeExpvar decodes a /debug/vars body into v, reusing its memstats.
func decodeExpvar(url string, body []byte, v *expvarVars) (*memStats, error) {
	if err := decodeJSON(url, "expvar", body, v); err != nil {
		return nil, err
	}
	if v.Memstats == nil {
		return nil, fmt.Errorf("GET %s: JSON without \"memstats\": not a Go program's expvar (import _ \"expvar\")", url)
	}
	return v.Memstats, nil
}

// cycles returns one GC event for every cycle completed since the previous
// poll that the ring still holds: cycle n (counting from 1) is at index
// (n-1)%256, its pause in PauseNs and the pause's end in PauseEnd (Unix ns).
// A note counts the cycles the ring no longer holds.
func (e *expvarSource) cycles(ms *memStats, now float64) []record.Event {
	d := ms.NumGC - e.prevN // uint32 arithmetic survives wrap-around
	if d == 0 {
		return nil
	}
	if int32(d) < 0 {
		return []record.Event{{T: now, Note: &record.Note{Level: record.NoteWarning, Message: fmt.Sprintf(
			"expvar: NumGC went back from %d to %d at %.3fs: a different process answers at the URL now (restarted?)", e.prevN, ms.NumGC, now)}}}
	}
	var evs []record.Event
	first := e.prevN + 1
	if d > ringSize {
		lost := d - ringSize
		first += lost
		e.lostTotal += uint64(lost)
		evs = append(evs, record.Event{T: now, Note: &record.Note{Level: record.NoteWarning, Message: fmt.Sprintf(
			"expvar: %d GC cycles between polls at %.3fs and %.3fs, more than the 256 that MemStats.PauseNs holds: %d cycles (%d to %d) are lost; poll more often (--interval)",
			d, e.prevT, now, lost, e.prevN+1, first-1)}})
	}
	allForced := ms.NumForcedGC-e.prevForced == d
	for n := first; n != ms.NumGC+1; n++ {
		i := (n - 1) % ringSize
		g := &record.GC{N: uint64(n), PauseSeconds: float64(ms.PauseNs[i]) / 1e9, Forced: allForced}
		t := now
		if end := ms.PauseEnd[i]; end > 0 {
			g.EndSeconds = time.Unix(0, int64(end)).Sub(e.start).Seconds()
			// Keep events in order on the record's clock even if the
			// target's clock differs from ours.
			t = min(max(g.EndSeconds, e.prevT), now)
		}
		evs = append(evs, record.Event{T: t, GC: g})
	}
	return evs
}
