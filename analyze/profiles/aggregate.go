package profiles

import (
	"regexp"
	"runtime"
	"strconv"
	"sync"

	"github.com/google/pprof/profile"
)

// aggregator sums sample values per key without building a call graph.
// Keys are resolved once per location into a flat table (locKeys, ranges of
// which each locEntry holds), so the per-sample work is slice lookups;
// cumulative values count a key once per sample by stamping it with the
// sample's generation number. Nothing is allocated per sample.
type aggregator struct {
	by            By
	focus, ignore *regexp.Regexp
	values        []int // sample value indices summed
	ids           map[string]int32
	names         []string
	byID          []locEntry                     // locations indexed by ID, when IDs are small
	other         map[*profile.Location]locEntry // locations not found through byID
	locKeys       []int32
	flat, cum     [][]int64 // [value][key]
	stamp         []uint32
	gen           uint32
	samples       int // samples summed
	dropped       int // samples left out by focus or ignore
	total, base   []int64
	net           []int64
	hasBase       bool
}

// locEntry is what the aggregator knows of one location: its keys, innermost
// first, are locKeys[start:end].
type locEntry struct {
	start, end    int32 // end == 0: not resolved
	focus, ignore bool
}

func newAggregator(p *profile.Profile, by By, focus, ignore *regexp.Regexp, values []int) *aggregator {
	a := &aggregator{
		by: by, focus: focus, ignore: ignore, values: values,
		ids:     make(map[string]int32, len(p.Function)),
		other:   map[*profile.Location]locEntry{},
		locKeys: make([]int32, 0, len(p.Location)+len(p.Location)/2),
		flat:    make([][]int64, len(values)),
		cum:     make([][]int64, len(values)),
		total:   make([]int64, len(values)),
		base:    make([]int64, len(values)),
		net:     make([]int64, len(values)),
	}
	var maxID uint64
	for _, l := range p.Location {
		maxID = max(maxID, l.ID)
	}
	if maxID <= uint64(4*len(p.Location)+1024) {
		a.byID = make([]locEntry, maxID+1)
	}
	for _, l := range p.Location {
		a.entry(l)
	}
	return a
}

// entry returns what the aggregator knows of location l, resolving its keys
// the first time.
func (a *aggregator) entry(l *profile.Location) locEntry {
	if id := l.ID; id < uint64(len(a.byID)) && a.byID[id].end != 0 {
		return a.byID[id]
	}
	return a.newEntry(l)
}

func (a *aggregator) newEntry(l *profile.Location) locEntry {
	if e, ok := a.other[l]; ok {
		return e
	}
	e := locEntry{start: int32(len(a.locKeys))}
	match := func(s string) {
		if a.focus != nil && !e.focus && a.focus.MatchString(s) {
			e.focus = true
		}
		if a.ignore != nil && !e.ignore && a.ignore.MatchString(s) {
			e.ignore = true
		}
	}
	filter := a.focus != nil || a.ignore != nil
	if len(l.Line) == 0 {
		a.add(frameKey(a.by, l, nil))
		if filter {
			match("0x" + strconv.FormatUint(l.Address, 16))
			if l.Mapping != nil {
				match(l.Mapping.File)
			}
		}
	}
	for j := range l.Line {
		ln := &l.Line[j]
		a.add(frameKey(a.by, l, ln))
		if fn := ln.Function; fn != nil && filter {
			match(fn.Name)
			match(fn.Filename)
		}
	}
	e.end = int32(len(a.locKeys))
	if id := l.ID; id != 0 && id < uint64(len(a.byID)) && a.byID[id].end == 0 {
		a.byID[id] = e
	} else {
		a.other[l] = e
	}
	return e
}

// add appends the id of key to the keys of the location being resolved.
func (a *aggregator) add(key string) {
	id, ok := a.ids[key]
	if !ok {
		id = int32(len(a.names))
		a.ids[key] = id
		a.names = append(a.names, key)
		for v := range a.values {
			a.flat[v] = append(a.flat[v], 0)
			a.cum[v] = append(a.cum[v], 0)
		}
		a.stamp = append(a.stamp, 0)
	}
	a.locKeys = append(a.locKeys, id)
}

// addSamples sums the samples of p.
func (a *aggregator) addSamples(p *profile.Profile) {
	if len(a.values) == 1 {
		a.addSamples1(p)
		return
	}
	filter := a.focus != nil || a.ignore != nil
	for _, s := range p.Sample {
		if filter && !a.keep(s) {
			a.dropped++
			continue
		}
		a.count(s)
		gen := a.next()
		leaf := true
		for _, l := range s.Location {
			e := a.entry(l)
			for _, k := range a.locKeys[e.start:e.end] {
				if leaf {
					leaf = false
					for vi, idx := range a.values {
						if idx < len(s.Value) {
							a.flat[vi][k] += s.Value[idx]
						}
					}
				}
				if a.stamp[k] == gen {
					continue
				}
				a.stamp[k] = gen
				for vi, idx := range a.values {
					if idx < len(s.Value) {
						a.cum[vi][k] += s.Value[idx]
					}
				}
			}
		}
	}
}

// addSamples1 is addSamples for one value, the common case, with the
// inner loop kept small.
func (a *aggregator) addSamples1(p *profile.Profile) {
	filter := a.focus != nil || a.ignore != nil
	idx := a.values[0]
	if !filter && a.addParallel(p.Sample, idx) {
		return
	}
	for _, s := range p.Sample {
		if filter && !a.keep(s) {
			a.dropped++
			continue
		}
		a.count(s)
		if idx >= len(s.Value) {
			continue
		}
		v := s.Value[idx]
		gen := a.next()
		// The slices may grow as locations outside p.Location are met.
		flat, cum, stamp := a.flat[0], a.cum[0], a.stamp
		leaf := true
		for _, l := range s.Location {
			var e locEntry
			if id := l.ID; id < uint64(len(a.byID)) && a.byID[id].end != 0 {
				e = a.byID[id]
			} else {
				e = a.newEntry(l)
				flat, cum, stamp = a.flat[0], a.cum[0], a.stamp
			}
			for _, k := range a.locKeys[e.start:e.end] {
				if leaf {
					leaf = false
					flat[k] += v
				}
				if stamp[k] != gen {
					stamp[k] = gen
					cum[k] += v
				}
			}
		}
	}
}

// parallelMin is the number of samples from which addParallel splits the
// work.
const parallelMin = 32 << 10

// addParallel sums samples for value idx in shards, one per CPU (at most
// 4), and adds them up. It returns false, having changed nothing, when there
// are too few samples or CPUs, or when a sample has a location that is not
// in the profile's table: the serial path handles those.
func (a *aggregator) addParallel(samples []*profile.Sample, idx int) bool {
	n := min(runtime.GOMAXPROCS(0), 4, len(samples)/parallelMin)
	if n < 2 {
		return false
	}
	shards := make([]shard, n)
	var wg sync.WaitGroup
	for i := range shards {
		lo, hi := i*len(samples)/n, (i+1)*len(samples)/n
		wg.Go(func() { a.sumShard(&shards[i], samples[lo:hi], idx) })
	}
	wg.Wait()
	for i := range shards {
		if shards[i].missed {
			return false
		}
	}
	flat, cum := a.flat[0], a.cum[0]
	for i := range shards {
		sh := &shards[i]
		for k := range flat {
			flat[k] += sh.flat[k]
			cum[k] += sh.cum[k]
		}
		a.samples += sh.samples
		a.net[0] += sh.net
		a.total[0] += sh.total
		a.base[0] += sh.base
		a.hasBase = a.hasBase || sh.hasBase
	}
	return true
}

// shard is the sums of one run of samples, for one value.
type shard struct {
	flat, cum        []int64
	stamp            []uint32
	gen              uint32
	samples          int
	net, total, base int64
	hasBase          bool
	missed           bool // met a location outside byID: the sums are not valid
}

// sumShard is the loop of addSamples1 over its own arrays; it only reads
// the aggregator.
func (a *aggregator) sumShard(sh *shard, samples []*profile.Sample, idx int) {
	sh.flat = make([]int64, len(a.names))
	sh.cum = make([]int64, len(a.names))
	sh.stamp = make([]uint32, len(a.names))
	byID, locKeys := a.byID, a.locKeys
	for _, s := range samples {
		sh.samples++
		if idx >= len(s.Value) {
			continue
		}
		v := s.Value[idx]
		sh.net += v
		abs := max(v, -v)
		if len(s.Label) > 0 && s.DiffBaseSample() {
			sh.hasBase = true
			sh.base += abs
		} else {
			sh.total += abs
		}
		sh.gen++
		if sh.gen == 0 {
			clear(sh.stamp)
			sh.gen = 1
		}
		gen, leaf := sh.gen, true
		for _, l := range s.Location {
			id := l.ID
			if id >= uint64(len(byID)) || byID[id].end == 0 {
				sh.missed = true
				return
			}
			e := byID[id]
			for _, k := range locKeys[e.start:e.end] {
				if leaf {
					leaf = false
					sh.flat[k] += v
				}
				if sh.stamp[k] != gen {
					sh.stamp[k] = gen
					sh.cum[k] += v
				}
			}
		}
	}
}

// count adds a kept sample to the totals.
func (a *aggregator) count(s *profile.Sample) {
	a.samples++
	isBase := len(s.Label) > 0 && s.DiffBaseSample()
	a.hasBase = a.hasBase || isBase
	for vi, idx := range a.values {
		if idx >= len(s.Value) {
			continue
		}
		v := s.Value[idx]
		a.net[vi] += v
		if v < 0 {
			v = -v
		}
		if isBase {
			a.base[vi] += v
		} else {
			a.total[vi] += v
		}
	}
}

// next starts a sample: it returns a fresh generation for the stamps.
func (a *aggregator) next() uint32 {
	a.gen++
	if a.gen == 0 { // wrapped: forget old stamps
		clear(a.stamp)
		a.gen = 1
	}
	return a.gen
}

// keep applies focus and ignore to a sample: it must have a frame that
// matches focus, and none that matches ignore.
func (a *aggregator) keep(s *profile.Sample) bool {
	focused := a.focus == nil
	for _, l := range s.Location {
		e := a.entry(l)
		if e.ignore {
			return false
		}
		focused = focused || e.focus
	}
	return focused
}

// denominator is what percentages are of, as in pprof: the sum of absolute
// values, or in a diff the base's.
func (a *aggregator) denominator(vi int) int64 {
	if a.hasBase {
		return a.base[vi]
	}
	return a.total[vi]
}
