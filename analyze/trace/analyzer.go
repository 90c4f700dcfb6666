package trace

import (
	"math"
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
	numCategories
)

const open = math.MaxInt64 // the end of an interval not yet ended

type procState struct {
	g     *goState // running goroutine, nil if none
	cat   category
	since int64
	// ns is the P's time so far in each category, up to since; a mark
	// phase's share is the difference between its end and its start.
	ns    [numCategories]int64
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
	// markFrom is each P's ns when the mark phase began, while it runs.
	markFrom [][numCategories]int64
	waiting  int
	waitNs   int64
	assistNs int64
}

type regionAcc struct {
	in, out regionSums
}

type regionSums struct {
	count, total, max, runnable, stw, assist int64
}

const maxRegionTypes = 64

type analyzer struct {
	opts   Options
	events int64
	first  int64
	last   int64
	seen   bool
	nSync  int
	// activeAtStart counts the assists and sweeps found active in the
	// first generation, which the MMU counts from the trace's start.
	activeAtStart int
	gomaxprocs    int
	stw           int // open GC stop-the-worlds
	gcProcs       int // Ps (below gomaxprocs) doing GC work
	// utilChanged says stw, gcProcs or gomaxprocs changed since the MMU
	// last heard.
	utilChanged bool
	procs       []procState
	gs          goTable // the live goroutines
	cycles      []*cycleState
	mmu         *mmuBuilder
	in, out     Exposure
	inWaitSum   int64
	outWaitSum  int64
	waitingIn   int
	waitingOut  int
	delayed     topList
	payers      topList
	regions     map[string]*regionAcc
	regionList  []string
	tasks       taskState
	failure     error
}

func newAnalyzer(opts Options) *analyzer {
	a := &analyzer{
		opts:    opts,
		mmu:     newMMUBuilder(opts.Windows),
		delayed: topList{n: opts.Top, key: Goroutine.GCDelayNs},
		payers:  topList{n: opts.Top, key: func(g Goroutine) int64 { return g.AssistNs }},
		regions: make(map[string]*regionAcc),
	}
	a.mmu.hold = true // until the first generation is read (see activeSinceStart)
	return a
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
	if ev.Kind() == xtrace.EventStateTransition {
		// Most events; tested before the switch, as a branch the CPU
		// predicts rather than the switch's jump table, which it often
		// does not.
		st := ev.StateTransition()
		if st.Resource.Kind == xtrace.ResourceGoroutine {
			a.goTransition(ev, &st, now)
		}
	} else {
		a.otherEvent(ev, now)
	}
	if a.utilChanged && a.gomaxprocs > 0 {
		a.mmu.add(now, a.util())
		a.utilChanged = false
	}
}

// otherEvent handles the events that are no state transitions.
func (a *analyzer) otherEvent(ev *xtrace.Event, now int64) {
	switch ev.Kind() {
	case xtrace.EventSync:
		a.nSync++
		if a.nSync > 1 {
			a.mmu.hold = false // past the first generation: nothing more is found late
		}
	case xtrace.EventMetric:
		m := ev.Metric()
		if m.Name == "/sched/gomaxprocs:threads" && m.Value.Kind() == xtrace.ValueUint64 {
			a.setGOMAXPROCS(int(min(m.Value.Uint64(), 1<<16)))
		}
	case xtrace.EventRangeActive:
		if a.nSync > 1 {
			break // known from the previous generation
		}
		a.activeSinceStart(ev.Range())
		a.rangeBegin(ev, ev.Range(), now)
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
}

// activeSinceStart corrects the MMU for a range the first generation
// names as already active: an assist of a running goroutine, or a sweep,
// has kept its P from the program since before the trace began, not from
// now on only. As go tool trace does, the P counts as GC work from the
// trace's first step. (A stop-the-world cannot be active when a trace
// starts.)
func (a *analyzer) activeSinceStart(r xtrace.Range) {
	if a.gomaxprocs == 0 {
		return
	}
	switch {
	case r.Name == "GC mark assist" && a.opts.Util&UtilAssist != 0:
		if r.Scope.Kind != xtrace.ResourceGoroutine {
			return
		}
		if g := a.gs.get(r.Scope.Goroutine()); g == nil || !g.state.Executing() {
			return // an assist parked or runnable took no P
		}
	case r.Name == "GC incremental sweep" && a.opts.Util&UtilSweep != 0:
	default:
		return
	}
	a.mmu.lowerUntil(a.last, 1/float64(a.gomaxprocs))
	a.activeAtStart++
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
	if g := a.gs.get(id); g != nil {
		return g
	}
	g := &goState{id: id, proc: xtrace.NoProc, row: Goroutine{ID: int64(id)}}
	a.gs.put(g)
	return g
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
		a.flushProc(p, now)
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

// flushProc adds P p's time since its last change to its category.
func (a *analyzer) flushProc(p *procState, now int64) {
	if now > p.since {
		p.ns[p.cat] += now - p.since
	}
	p.since = now
}

// markBegins notes every P's time so far, as cycle c's mark phase begins.
func (a *analyzer) markBegins(c *cycleState, now int64) {
	c.markFrom = make([][numCategories]int64, len(a.procs))
	for i := range a.procs {
		a.flushProc(&a.procs[i], now)
		c.markFrom[i] = a.procs[i].ns
	}
}

// markEnds sets cycle c's per-P times: what each P did since its mark
// phase began, up to now.
func (a *analyzer) markEnds(c *cycleState, now int64) {
	if c.markFrom == nil {
		return
	}
	c.procs = c.procs[:0]
	for i := range a.procs {
		p := &a.procs[i]
		a.flushProc(p, now)
		var d [numCategories]int64
		for k := range d {
			d[k] = p.ns[k]
			if i < len(c.markFrom) {
				d[k] -= c.markFrom[i][k]
			}
		}
		c.procs = append(c.procs, ProcTime{Proc: i,
			IdleNs: d[catIdle], UserNs: d[catUser], DedicatedNs: d[catDedicated],
			FractionalNs: d[catFractional], IdleMarkNs: d[catIdleMark], AssistNs: d[catAssist]})
	}
	// Ps that had no time in the phase (created after it) end the list.
	for len(c.procs) > 0 && c.procs[len(c.procs)-1] == (ProcTime{Proc: len(c.procs) - 1}) {
		c.procs = c.procs[:len(c.procs)-1]
	}
	c.markFrom = nil
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
	a.gs.remove(g)
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
			if c != nil && c.mark.end == open {
				a.markEnds(c, now) // a mark phase that never said it ended
			}
			c = a.newCycle(now)
		}
		c.start = min(c.start, now)
		c.mark = interval{now, open}
		a.markBegins(c, now)
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
				a.markEnds(c, now)
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
		if !inRuntime(f.Func) {
			return f.Func
		}
	}
	return first
}

// inRuntime reports whether fn belongs to the runtime or to the standard
// library's instrumentation of it (runtime/trace's regions and tasks,
// runtime/pprof's labels), which says nothing about what the program was
// doing.
func inRuntime(fn string) bool {
	return strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "runtime/") || strings.HasPrefix(fn, "internal/")
}

const runnable = xtrace.GoRunnable
