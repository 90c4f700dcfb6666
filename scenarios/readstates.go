package scenarios

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync"
	"time"

	"github.com/gcprobe/gcprobe/loadgen"
	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/scenarios/lru"
)

// readStates is Discord's Read States service: an LRU cache of one small
// read state per (user, channel), under a fixed rate of Zipf-skewed reads,
// acks, mentions and resets, with dirty states persisted 30 s after they
// change and on eviction. Each request also allocates --garbage bytes of
// short-lived request and response buffers, as decoding an RPC and encoding
// its answer does; that sets how often the GC runs. With --garbage 0 the
// cycles become the runtime's periodic 2-minute GC, as at Discord.
//
// The defaults (4M entries, 20k requests/s for 35 s, after a fill of about
// 7 s) finish in about 45 s on 2 quiet cores and show the effect: measured
// here, p99 latency inside GC cycles of 117 ms with --layout pointers and
// 1.5 ms with --layout compact, the longest pause 1-4 ms in both (5M
// entries: 842 ms and 8.5 ms, in 50 s). --entries scales to tens of
// millions given the memory (refused, with the estimate, when it does not
// fit).
func readStates() Scenario {
	s := Scenario{
		Name: "readstates",
		Doc:  "Discord's Read States: an LRU of millions of per-(user, channel) read states under open-loop load",
		Params: append(commonParams("35s", "5s", "20000"),
			Param{"entries", Int, "4000000", "read states in the LRU cache (filled before the load starts)"},
			Param{"layout", String, "pointers", "pointers (map + container/list, scanned by the GC) or compact (pointer-free slab, not scanned)"},
			Param{"garbage", Int, "4096", "bytes of short-lived request/response buffers per request (0: only the cache's own allocations)"},
			Param{"workers", Int, "8", "requests served at once"},
		),
	}
	s.Prepare = func(p *Params) (Workload, error) {
		load := p.Load(s)
		entries := p.Int("entries")
		layout := p.String("layout")
		garbage := p.Int("garbage")
		workers := p.Int("workers")
		switch {
		case p.Err() != nil:
		case layout != "pointers" && layout != "compact":
			p.Errorf("layout", "%q: want pointers or compact", layout)
		case entries < 1 || entries > math.MaxInt32:
			p.Errorf("entries", "%d: want 1 to %d", entries, math.MaxInt32)
		case garbage < 0 || garbage > maxGarbage:
			p.Errorf("garbage", "%d: want 0 to %d bytes (16MiB)", garbage, maxGarbage)
		case workers < 1 || workers > maxWorkers:
			p.Errorf("workers", "%d: want 1 to %d", workers, maxWorkers)
		}
		if p.Err() == nil {
			p.checkFits("entries", "the "+layout+" layout and its store ("+strconv.Itoa(lru.BytesPerEntry(layout))+" B per entry)",
				uint64(entries)*uint64(lru.BytesPerEntry(layout)))
			p.checkFits("garbage", strconv.Itoa(int(workers))+" workers' request buffers",
				uint64(workers)*uint64(garbage)*2)
		}
		if err := p.Err(); err != nil {
			return nil, err
		}
		rs := &readStatesRun{load: load, entries: int(entries), layout: layout, garbage: int(garbage), workers: int(workers)}
		return rs.run, nil
	}
	return s
}

// maxGarbage and maxWorkers bound --garbage and --workers: a request buffer
// or a goroutine count past them is a typo (a goroutine per worker and a
// buffer per request are allocated up front and per request).
const maxGarbage, maxWorkers = 1 << 24, 10000

// fillGOGC is the GOGC of the cache's fill, unless the user's is higher or off.
const fillGOGC = 1000

type readStatesRun struct {
	load                      Load
	entries, garbage, workers int
	layout                    string
}

func (rs *readStatesRun) run(ctx context.Context, env Env) error {
	w := env.Record
	start := time.Now()
	store := lru.NewStore(rs.entries)
	cache, err := lru.New(rs.layout, rs.entries, store)
	if err != nil {
		return err
	}
	work := lru.DefaultWorkload(rs.load.Seed, rs.entries)
	gogc, done := rs.fill(ctx, cache, work)
	if !done {
		return nil
	}
	w.Note(record.NoteInfo, "readstates: filled the %s cache with %d read states in %.1fs with GOGC=%s; the load starts now",
		rs.layout, rs.entries, time.Since(start).Seconds(), gogc)

	before := readHeap()
	res, err := rs.serve(ctx, w, cache, work)
	if err != nil {
		return err
	}
	after := readHeap()
	stats := cache.Stats
	hit := float64(stats.Hits) / float64(max(stats.Ops, 1))
	w.Note(record.NoteInfo, "readstates: %d requests (%d measured, %d late), hit ratio %.1f%%, %d evictions, %d writes to the store (%d on eviction), %d loads",
		res.Sent, res.Measured, res.Late, 100*hit, stats.Evictions, store.Writes, stats.EvictPersisted, stats.Loads)
	if msg := periodicNote(before, after); msg != "" {
		w.Note(record.NoteInfo, "readstates: %s", msg)
	}
	fmt.Fprintf(env.Out, "readstates: %d entries (%s layout), %d requests at %g/s: p50 %v, p99 %v, max %v; hit ratio %.1f%%\n",
		rs.entries, rs.layout, res.Sent, rs.load.Rate, res.Hist.Quantile(0.5), res.Hist.Quantile(0.99), res.Hist.Quantile(1), 100*hit)
	return nil
}

// fill fills the cache before the load, and returns the GOGC it ran with and
// whether it finished (ctx may end it).
//
// The fill is setup, not measurement: it runs with GOGC raised to fillGOGC,
// so that the GC does not mark the growing cache again and again (3-4x
// faster). Not off: a cycle running when GOGC goes off reports an infinite
// heap goal, which would mislead the summary.
func (rs *readStatesRun) fill(ctx context.Context, cache *lru.Cache, work lru.Workload) (gogc string, done bool) {
	gcPercent := debug.SetGCPercent(fillGOGC)
	defer debug.SetGCPercent(gcPercent)
	gogc = strconv.Itoa(fillGOGC)
	if gcPercent < 0 || gcPercent > fillGOGC {
		debug.SetGCPercent(gcPercent)
		gogc = os.Getenv("GOGC")
	}
	for i := range uint64(rs.entries) {
		if i%(1<<16) == 0 && ctx.Err() != nil {
			return gogc, false
		}
		cache.Fill(work.FillKey(i), lru.FillState(i))
	}
	return gogc, true
}

// serve runs the load: each request decodes into a fresh --garbage buffer,
// applies its operation to the cache (one shard, under a lock), and encodes
// the answer into the buffer.
func (rs *readStatesRun) serve(ctx context.Context, w *record.Writer, cache *lru.Cache, work lru.Workload) (loadgen.Result, error) {
	var mu sync.Mutex
	ops := make([]*lru.Ops, rs.workers)
	sinks := make([]uint64, rs.workers)
	for i := range ops {
		ops[i] = work.NewOps()
	}
	clock := time.Now()
	res, err := loadgen.Run(ctx, loadgen.Config{
		Rate: rs.load.Rate, Workers: rs.workers, Warmup: rs.load.Warmup, Duration: rs.load.Duration - rs.load.Warmup,
		Record: w,
	}, func(r loadgen.Request) {
		req := make([]byte, rs.garbage)
		mu.Lock()
		st := cache.Apply(ops[r.Worker].Op(r.Seq, int64(time.Since(clock))))
		mu.Unlock()
		if len(req) >= 32 {
			binary.LittleEndian.PutUint64(req, st.LastMessageID)
			binary.LittleEndian.PutUint32(req[8:], uint32(st.MentionCount))
			sinks[r.Worker] += uint64(req[len(req)-1]) + uint64(req[0])
		}
	})
	runtime.KeepAlive(sinks)
	return res, err
}

// heapReading is what periodicNote needs from runtime/metrics.
type heapReading struct {
	t                  time.Time
	allocs, live, goal uint64
}

func readHeap() heapReading {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}, {Name: "/gc/heap/live:bytes"}, {Name: "/gc/heap/goal:bytes"}}
	metrics.Read(s)
	r := heapReading{t: time.Now()}
	if s[0].Value.Kind() == metrics.KindUint64 {
		r.allocs = s[0].Value.Uint64()
	}
	if s[1].Value.Kind() == metrics.KindUint64 {
		r.live = s[1].Value.Uint64()
	}
	if s[2].Value.Kind() == metrics.KindUint64 {
		r.goal = s[2].Value.Uint64()
	}
	return r
}

// periodicNote says when the allocation rate is so low that the heap takes
// more than two minutes to reach its goal: the GC cycles are then the
// runtime's periodic forced GC (forcegcperiod), which scans the whole cache
// every 2 minutes whatever GOGC says — Discord's spikes.
func periodicNote(before, after heapReading) string {
	secs := after.t.Sub(before.t).Seconds()
	if secs <= 0 || after.goal <= after.live {
		return ""
	}
	rate := float64(after.allocs-before.allocs) / secs
	fill := float64(after.goal-after.live) / rate
	if rate > 0 && fill < 120 {
		return fmt.Sprintf("allocating %.1f MB/s, the heap reaches its goal every %.1fs: GC cycles are driven by GOGC", rate/1e6, fill)
	}
	return fmt.Sprintf("allocating %.2f MB/s, the heap would take %.0fs to reach its goal: the GC cycles are the runtime's periodic 2-minute GC (forcegcperiod), each scanning the whole cache", rate/1e6, fill)
}
