package trace

import (
	"math"
	"slices"
	"strings"

	xtrace "golang.org/x/exp/trace"
)

// What a P runs, for the cycles' per-P accounting.
type category int8

const (
	catIdle category = iota
	catUser
	catDedicated
	catFractional
	catIdleMark
	catAssist
)

const open = math.MaxInt64 // the end of an interval not yet ended

type procState struct {
	g     *goState // running goroutine, nil if none
	cat   category
	since int64
	sweep int  // open incremental sweeps
	gc    bool // doing GC work by the MMU's rule, counted in gcProcs
}

type goState struct {
	id       xtrace.GoID
	state    xtrace.GoState
	since    int64 // when the goroutine last changed state
	waitFrom xtrace.Stack
	proc     xtrace.ProcID // the P it runs on, while it runs

	assist      bool
	assistSince int64
	// worker is the kind of mark worker the goroutine runs as now (a label
	// the runtime re-emits on every start of a worker goroutine).
	worker category
	// gcWorker and system goroutines are the runtime's, not the
	// program's: the exposure figures leave them out.
	gcWorker bool
	system   bool

	startFunc string
	waitFunc  string
	row       Goroutine
	regions   []openRegion
	// lastCycle is 1 + the index of the last cycle that counted this
	// goroutine among its waiting ones.
	lastCycle  int
	waitedInGC bool
	waitedOut  bool
}

type openRegion struct {
	typ                    string
	start                  int64
	runnable, stw, assists int64
}

type interval struct{ start, end int64 }

type cycleState struct {
	start, end  int64 // the whole cycle; end is open until mark termination ends
	mark        interval
	stw         []interval
	sweepTermNs int64
	markTermNs  int64
	sawSweep    bool
	sawMarkTerm bool
	procs       []ProcTime
	waiting     int
	waitNs      int64
	assistNs    int64
}

type regionAcc struct {
	in, out regionSums
}

type regionSums struct {
	count, total, max, runnable, stw, assist int64
}

const maxRegionTypes = 64

type analyzer struct {
	opts       Options
	events     int64
	first      int64
	last       int64
	seen       bool
	nSync      int
	gomaxprocs int
	stw        int // open GC stop-the-worlds
	gcProcs    int // Ps (below gomaxprocs) doing GC work
	// utilChanged says stw, gcProcs or gomaxprocs changed since the MMU
	// last heard.
	utilChanged bool
	procs       []procState
	// The live goroutines: by ID in dense below maxDense (IDs are handed
	// out in sequence), else in gs.
	dense      []*goState
	gs         map[xtrace.GoID]*goState
	live       int
	cycles     []*cycleState
	mmu        *mmuBuilder
	in, out    Exposure
	inWaitSum  int64
	outWaitSum int64
	waitingIn  int
	waitingOut int
	delayed    topList
	payers     topList
	regions    map[string]*regionAcc
	regionList []string
	tasks      taskState
	failure    error
}

func newAnalyzer(opts Options) *analyzer {
	return &analyzer{
		opts:    opts,
		gs:      make(map[xtrace.GoID]*goState),
		mmu:     newMMUBuilder(opts.Windows),
		delayed: topList{n: opts.Top, key: Goroutine.GCDelayNs},
		payers:  topList{n: opts.Top, key: func(g Goroutine) int64 { return g.AssistNs }},
		regions: make(map[string]*regionAcc),
	}
}

func (a *analyzer) fail(err error) { a.failure = err }

func (a *analyzer) event(ev *xtrace.Event) {
	now := int64(ev.Time())
	if !a.seen {
		a.first, a.seen = now, true
	}
	if now > a.last {
		a.last = now
	}
	a.events++
	switch ev.Kind() {
	case xtrace.EventSync:
		a.nSync++
	case xtrace.EventMetric:
		m := ev.Metric()
		if m.Name == "/sched/gomaxprocs:threads" && m.Value.Kind() == xtrace.ValueUint64 {
			a.setGOMAXPROCS(int(min(m.Value.Uint64(), 1<<16)))
		}
	case xtrace.EventStateTransition:
		st := ev.StateTransition()
		if st.Resource.Kind == xtrace.ResourceGoroutine {
			a.goTransition(ev, &st, now)
		}
	case xtrace.EventRangeActive:
		if a.nSync > 1 {
			break // known from the previous generation
		}
		fallthrough
	case xtrace.EventRangeBegin:
		a.rangeBegin(ev, ev.Range(), now)
	case xtrace.EventRangeEnd:
		a.rangeEnd(ev, ev.Range(), now)
	case xtrace.EventLabel:
		a.label(ev, ev.Label(), now)
	case xtrace.EventRegionBegin:
		if g := a.g(ev.Goroutine()); g != nil && len(g.regions) < 16 {
			g.regions = append(g.regions, openRegion{typ: ev.Region().Type, start: now})
		}
	case xtrace.EventRegionEnd:
		if g := a.g(ev.Goroutine()); g != nil {
			a.regionEnd(g, ev.Region().Type, now)
		}
	case xtrace.EventTaskBegin:
		a.taskBegin(ev.Task(), now)
	case xtrace.EventTaskEnd:
		a.taskEnd(ev.Task().ID, now)
	case xtrace.EventLog:
		a.taskLog(ev.Log())
	}
	if a.utilChanged && a.gomaxprocs > 0 {
		a.mmu.add(now, a.util())
		a.utilChanged = false
	}
}

func (a *analyzer) util() float64 {
	if a.stw > 0 && a.opts.Util&UtilSTW != 0 {
		return 0
	}
	return 1 - float64(a.gcProcs)/float64(a.gomaxprocs)
}

func (a *analyzer) setGOMAXPROCS(n int) {
	if n == a.gomaxprocs || n <= 0 {
		return
	}
	a.gomaxprocs = n
	a.gcProcs = 0
	a.utilChanged = true
	for i := range a.procs {
		if i < n && a.procs[i].gc {
			a.gcProcs++
		}
	}
}

// proc returns the state of P id, or nil for NoProc.
func (a *analyzer) proc(id xtrace.ProcID) *procState {
	if id < 0 || id > 1<<16 {
		return nil
	}
	for int(id) >= len(a.procs) {
		a.procs = append(a.procs, procState{since: a.last})
	}
	return &a.procs[id]
}

// g returns the state of goroutine id, creating it, or nil for NoGoroutine.
func (a *analyzer) g(id xtrace.GoID) *goState {
	if id < 0 {
		return nil
	}
	if id < maxDense {
		for int(id) >= len(a.dense) {
			a.dense = append(a.dense, make([]*goState, max(len(a.dense), 1024))...)
		}
		if g := a.dense[id]; g != nil {
			return g
		}
		g := a.newG(id)
		a.dense[id] = g
		return g
	}
	g := a.gs[id]
	if g == nil {
		g = a.newG(id)
		a.gs[id] = g
	}
	return g
}

// maxDense bounds the dense goroutine table (8 MiB of pointers).
const maxDense = 1 << 20

func (a *analyzer) newG(id xtrace.GoID) *goState {
	a.live++
	return &goState{id: id, proc: xtrace.NoProc, row: Goroutine{ID: int64(id)}}
}

func (a *analyzer) forget(g *goState) {
	a.live--
	if g.id < maxDense {
		a.dense[g.id] = nil
	} else {
		delete(a.gs, g.id)
	}
}

// liveGs returns the live goroutines in ID order.
func (a *analyzer) liveGs() []*goState {
	var out []*goState
	for _, g := range a.dense {
		if g != nil {
			out = append(out, g)
		}
	}
	ids := make([]xtrace.GoID, 0, len(a.gs))
	for id := range a.gs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		out = append(out, a.gs[id])
	}
	return out
}

// refresh recomputes what P p is doing after its goroutine, that
// goroutine's state or its sweeps changed.
func (a *analyzer) refresh(p *procState, id int, now int64) {
	cat := catIdle
	if g := p.g; g != nil {
		switch {
		case g.assist:
			cat = catAssist
		case g.worker != catIdle:
			cat = g.worker
		default:
			cat = catUser
		}
	}
	if cat != p.cat {
		a.flushProc(p, id, now)
		p.cat = cat
	}
	f := a.opts.Util
	gc := (f&UtilSweep != 0 && p.sweep > 0) ||
		(p.g != nil && ((f&UtilAssist != 0 && p.g.assist) || (f&UtilBackground != 0 && (p.g.worker == catDedicated || p.g.worker == catFractional))))
	if gc != p.gc {
		p.gc = gc
		a.utilChanged = true
		if id < a.gomaxprocs {
			if gc {
				a.gcProcs++
			} else {
				a.gcProcs--
			}
		}
	}
}

// flushProc adds P p's time since its last change to the mark phases it
// overlaps.
func (a *analyzer) flushProc(p *procState, id int, now int64) {
	from := p.since
	p.since = now
	if now <= from {
		return
	}
	for i := len(a.cycles) - 1; i >= 0; i-- {
		c := a.cycles[i]
		if c.end != open && c.end <= from {
			break
		}
		if c.mark.start == 0 {
			continue
		}
		ov := overlap(from, now, c.mark.start, c.mark.end)
		if ov <= 0 {
			continue
		}
		for len(c.procs) <= id {
			c.procs = append(c.procs, ProcTime{Proc: len(c.procs)})
		}
		pt := &c.procs[id]
		switch p.cat {
		case catIdle:
			pt.IdleNs += ov
		case catUser:
			pt.UserNs += ov
		case catDedicated:
			pt.DedicatedNs += ov
		case catFractional:
			pt.FractionalNs += ov
		case catIdleMark:
			pt.IdleMarkNs += ov
		case catAssist:
			pt.AssistNs += ov
		}
	}
}

func overlap(a0, a1, b0, b1 int64) int64 {
	return min(a1, b1) - max(a0, b0)
}

func (a *analyzer) goTransition(ev *xtrace.Event, st *xtrace.StateTransition, now int64) {
	g := a.g(st.Resource.Goroutine())
	from, to := st.Goroutine()
	if from == xtrace.GoNotExist || (from == xtrace.GoUndetermined && g.startFunc == "") {
		g.startFunc = startFunc(st.Stack)
		g.system = strings.HasPrefix(g.startFunc, "runtime.")
	}
	if from == xtrace.GoRunnable {
		a.waited(g, g.since, now)
	}
	if from.Executing() && !to.Executing() {
		if p := a.proc(g.proc); p != nil && p.g == g {
			p.g = nil
			g.worker = catIdle
			a.refresh(p, int(g.proc), now)
		}
		g.proc = xtrace.NoProc
	}
	if to == xtrace.GoRunnable {
		g.waitFrom = st.Stack
	}
	if !from.Executing() && to.Executing() {
		if p := a.proc(ev.Proc()); p != nil {
			if old := p.g; old != nil && old != g {
				old.proc = xtrace.NoProc
			}
			p.g = g
			g.proc = ev.Proc()
			a.refresh(p, int(ev.Proc()), now)
		}
	}
	g.state, g.since = to, now
	if to == xtrace.GoNotExist {
		a.retire(g, now)
	}
}

// retire folds a goroutine that ended into the top lists.
func (a *analyzer) retire(g *goState, now int64) {
	if g.assist {
		a.assistEnd(g, now)
	}
	if !g.gcWorker && !g.system {
		if g.row.Func == "" {
			g.row.Func = g.startFunc
		}
		a.delayed.push(g.row)
		a.payers.push(g.row)
	}
	a.forget(g)
}

// waited accounts a runnable wait from t0 to t1.
func (a *analyzer) waited(g *goState, t0, t1 int64) {
	if g.gcWorker || g.system || t1 <= t0 {
		return
	}
	d := t1 - t0
	a.countWait(g, t0, d)
	if g.assist {
		return // parked in the assist queue: assist time, counted at its end
	}
	var stw, gc int64
	a.eachCycle(t0, t1, func(i int, c *cycleState, inCycle, inSTW int64) {
		stw += inSTW
		gc += inCycle - inSTW
		c.waitNs += inCycle
		if g.lastCycle != i+1 {
			g.lastCycle = i + 1
			c.waiting++
		}
	})
	outside := (t1 - t0) - stw - gc
	g.row.RunnableInGCNs += gc
	g.row.STWNs += stw
	g.row.RunnableOutsideNs += outside
	a.in.RunnableNs += gc
	a.in.STWNs += stw
	a.out.RunnableNs += outside
	for i := range g.regions {
		g.regions[i].runnable += gc + outside
		g.regions[i].stw += stw
	}
}

// countWait adds one runnable wait of d ns that began at t0 to the wait
// statistics.
func (a *analyzer) countWait(g *goState, t0, d int64) {
	if a.inCycle(t0) {
		a.in.Waits++
		a.inWaitSum += d
		a.in.MaxWaitNs = max(a.in.MaxWaitNs, d)
		if !g.waitedInGC {
			g.waitedInGC = true
			a.waitingIn++
		}
	} else {
		a.out.Waits++
		a.outWaitSum += d
		a.out.MaxWaitNs = max(a.out.MaxWaitNs, d)
		if !g.waitedOut {
			g.waitedOut = true
			a.waitingOut++
		}
	}
	if d > g.row.MaxWaitNs {
		g.row.MaxWaitNs = d
		if f := leafFunc(g.waitFrom); f != "" {
			g.waitFunc = f
			if g.row.AssistNs == 0 {
				g.row.Func = f
			}
		}
	}
}

// eachCycle calls fn for each GC cycle that overlaps [t0, t1], with the
// overlap and the part of it stopped by the world.
func (a *analyzer) eachCycle(t0, t1 int64, fn func(i int, c *cycleState, inCycle, inSTW int64)) {
	for i := len(a.cycles) - 1; i >= 0; i-- {
		c := a.cycles[i]
		if c.end != open && c.end <= t0 {
			break
		}
		ov := overlap(t0, t1, c.start, c.end)
		if ov <= 0 {
			continue
		}
		var stw int64
		for _, s := range c.stw {
			if o := overlap(t0, t1, s.start, s.end); o > 0 {
				stw += o
			}
		}
		fn(i, c, ov, stw)
	}
}

func (a *analyzer) inCycle(t int64) bool {
	for i := len(a.cycles) - 1; i >= 0; i-- {
		c := a.cycles[i]
		if c.end != open && c.end <= t {
			return false
		}
		if c.start <= t {
			return true
		}
	}
	return false
}

func isGCSTW(name string) bool {
	return strings.HasPrefix(name, "stop-the-world") && strings.Contains(name, "GC")
}

func (a *analyzer) current() *cycleState {
	if n := len(a.cycles); n > 0 && a.cycles[n-1].end == open {
		return a.cycles[n-1]
	}
	return nil
}

func (a *analyzer) newCycle(now int64) *cycleState {
	c := &cycleState{start: now, end: open}
	a.cycles = append(a.cycles, c)
	return c
}

func (a *analyzer) rangeBegin(ev *xtrace.Event, r xtrace.Range, now int64) {
	switch {
	case isGCSTW(r.Name):
		a.stw++
		a.utilChanged = true
		// The mark phase's begin may come just before or after the
		// sweep termination that starts its cycle.
		c := a.current()
		if c == nil || (strings.Contains(r.Name, "sweep termination") && (c.sawSweep || len(c.stw) > 0)) {
			c = a.newCycle(now)
		}
		c.start = min(c.start, now)
		c.stw = append(c.stw, interval{now, open})
	case r.Name == "GC concurrent mark phase":
		c := a.current()
		if c == nil || c.mark.start != 0 {
			c = a.newCycle(now)
		}
		c.start = min(c.start, now)
		c.mark = interval{now, open}
	case r.Name == "GC mark assist":
		if r.Scope.Kind != xtrace.ResourceGoroutine {
			return
		}
		g := a.g(r.Scope.Goroutine())
		if g == nil || g.assist {
			return
		}
		g.assist, g.assistSince = true, now
		g.row.Assists++
		if g.row.AssistNs == 0 && g.row.Assists == 1 {
			if f := leafFunc(ev.Stack()); f != "" {
				g.row.Func = f
			}
		}
		if p := a.proc(g.proc); p != nil && p.g == g {
			a.refresh(p, int(g.proc), now)
		}
	case r.Name == "GC incremental sweep":
		if p := a.proc(ev.Proc()); p != nil {
			p.sweep++
			a.refresh(p, int(ev.Proc()), now)
		}
	}
}

func (a *analyzer) rangeEnd(ev *xtrace.Event, r xtrace.Range, now int64) {
	switch {
	case isGCSTW(r.Name):
		if a.stw > 0 {
			a.stw--
			a.utilChanged = true
		}
		c := a.current()
		if c == nil || len(c.stw) == 0 || c.stw[len(c.stw)-1].end != open {
			return
		}
		s := &c.stw[len(c.stw)-1]
		s.end = now
		if strings.Contains(r.Name, "sweep termination") {
			c.sweepTermNs, c.sawSweep = now-s.start, true
		} else if strings.Contains(r.Name, "mark termination") {
			c.markTermNs, c.sawMarkTerm = now-s.start, true
			c.end = now
		}
	case r.Name == "GC concurrent mark phase":
		// The mark phase may end just after mark termination's STW.
		if n := len(a.cycles); n > 0 {
			c := a.cycles[n-1]
			if c.mark.start != 0 && c.mark.end == open {
				c.mark.end = now
				if c.end != open {
					c.end = max(c.end, now)
				}
			}
		}
	case r.Name == "GC mark assist":
		if r.Scope.Kind != xtrace.ResourceGoroutine {
			return
		}
		if g := a.g(r.Scope.Goroutine()); g != nil && g.assist {
			a.assistEnd(g, now)
			if p := a.proc(g.proc); p != nil && p.g == g {
				a.refresh(p, int(g.proc), now)
			}
		}
	case r.Name == "GC incremental sweep":
		if p := a.proc(ev.Proc()); p != nil && p.sweep > 0 {
			p.sweep--
			a.refresh(p, int(ev.Proc()), now)
		}
	}
}

func (a *analyzer) assistEnd(g *goState, now int64) {
	g.assist = false
	d := now - g.assistSince
	if d <= 0 {
		return
	}
	g.row.AssistNs += d
	// An assist (running, parked in the assist queue or runnable again)
	// may outlast its cycle: a parked one resumes after mark termination,
	// and then waits for a P. Each cycle counts its own part.
	var inGC int64
	a.eachCycle(g.assistSince, now, func(_ int, c *cycleState, inCycle, _ int64) {
		c.assistNs += inCycle
		inGC += inCycle
	})
	if !g.gcWorker && !g.system {
		a.in.AssistNs += inGC
		a.out.AssistNs += d - inGC
	}
	for i := range g.regions {
		g.regions[i].assists += d
	}
}

func (a *analyzer) label(ev *xtrace.Event, l xtrace.Label, now int64) {
	if l.Resource.Kind != xtrace.ResourceGoroutine {
		return
	}
	var w category
	switch l.Label {
	case "GC (dedicated)":
		w = catDedicated
	case "GC (fractional)":
		w = catFractional
	case "GC (idle)":
		w = catIdleMark
	default:
		return
	}
	g := a.g(l.Resource.Goroutine())
	g.worker, g.gcWorker = w, true
	if p := a.proc(g.proc); p != nil && p.g == g {
		a.refresh(p, int(g.proc), now)
	}
}

func (a *analyzer) regionEnd(g *goState, typ string, now int64) {
	for i := len(g.regions) - 1; i >= 0; i-- {
		r := g.regions[i]
		if r.typ != typ {
			continue
		}
		g.regions = append(g.regions[:i], g.regions[i+1:]...)
		acc := a.regions[typ]
		if acc == nil {
			if len(a.regions) >= maxRegionTypes {
				typ = "(other types)"
				acc = a.regions[typ]
			}
			if acc == nil {
				acc = &regionAcc{}
				a.regions[typ] = acc
				a.regionList = append(a.regionList, typ)
			}
		}
		sums := &acc.out
		inGC := false
		a.eachCycle(r.start, now, func(int, *cycleState, int64, int64) { inGC = true })
		if inGC {
			sums = &acc.in
		}
		d := now - r.start
		sums.count++
		sums.total += d
		sums.max = max(sums.max, d)
		sums.runnable += r.runnable
		sums.stw += r.stw
		sums.assist += r.assists
		return
	}
}

// startFunc is the outermost function of a goroutine's stack.
func startFunc(s xtrace.Stack) string {
	fn := ""
	for f := range s.Frames() {
		if f.Func != "runtime.goexit" {
			fn = f.Func
		}
	}
	return fn
}

// leafFunc is the innermost function of s outside the runtime, or the
// innermost one if all are the runtime's.
func leafFunc(s xtrace.Stack) string {
	first := ""
	for f := range s.Frames() {
		if first == "" {
			first = f.Func
		}
		if !strings.HasPrefix(f.Func, "runtime.") && !strings.HasPrefix(f.Func, "internal/") {
			return f.Func
		}
	}
	return first
}

const runnable = xtrace.GoRunnable
