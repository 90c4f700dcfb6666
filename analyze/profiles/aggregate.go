package profiles

import (
	"regexp"
	"strconv"

	"github.com/google/pprof/profile"
)

// aggregator sums sample values per key without building a call graph.
// Keys are resolved once per location into a flat table (locKeys, indexed
// through locStart), so the per-sample work is slice lookups; cumulative
// values count a key once per sample by stamping it with the sample's
// generation number. Nothing is allocated per sample.
type aggregator struct {
	by             By
	focus, ignore  *regexp.Regexp
	values         []int // sample value indices summed
	ids            map[string]int32
	names          []string
	byID           []*profile.Location // location table indexed by ID, when IDs are small
	idxByID        []int32
	other          map[*profile.Location]int32 // locations not found through byID
	locStart       []int32                     // keys of location i: locKeys[locStart[i]:locStart[i+1]]
	locKeys        []int32
	locFocus       []bool
	locIgnore      []bool
	flat, cum      [][]int64 // [value][key]
	stamp          []uint32
	gen            uint32
	samples        int // samples summed
	dropped        int // samples left out by focus or ignore
	total, base    []int64
	net            []int64
	hasBaseSamples bool
}

func newAggregator(p *profile.Profile, by By, focus, ignore *regexp.Regexp, values []int) *aggregator {
	a := &aggregator{
		by: by, focus: focus, ignore: ignore, values: values,
		ids:      make(map[string]int32, len(p.Function)),
		other:    map[*profile.Location]int32{},
		locStart: make([]int32, 1, len(p.Location)+1),
		locKeys:  make([]int32, 0, len(p.Location)+len(p.Location)/2),
		flat:     make([][]int64, len(values)),
		cum:      make([][]int64, len(values)),
		total:    make([]int64, len(values)),
		base:     make([]int64, len(values)),
		net:      make([]int64, len(values)),
	}
	var maxID uint64
	for _, l := range p.Location {
		maxID = max(maxID, l.ID)
	}
	if maxID <= uint64(4*len(p.Location)+1024) {
		a.byID = make([]*profile.Location, maxID+1)
		a.idxByID = make([]int32, maxID+1)
	}
	for _, l := range p.Location {
		a.index(l)
	}
	return a
}

// index returns the index of location l, resolving its keys the first time.
func (a *aggregator) index(l *profile.Location) int32 {
	if l.ID < uint64(len(a.byID)) && a.byID[l.ID] == l {
		return a.idxByID[l.ID]
	}
	if i, ok := a.other[l]; ok {
		return i
	}
	i := int32(len(a.locStart) - 1)
	if l.ID < uint64(len(a.byID)) && a.byID[l.ID] == nil {
		a.byID[l.ID], a.idxByID[l.ID] = l, i
	} else {
		a.other[l] = i
	}
	focus, ignore := false, false
	match := func(s string) {
		if a.focus != nil && !focus && a.focus.MatchString(s) {
			focus = true
		}
		if a.ignore != nil && !ignore && a.ignore.MatchString(s) {
			ignore = true
		}
	}
	if len(l.Line) == 0 {
		a.add(frameKey(a.by, l, nil))
		if a.focus != nil || a.ignore != nil {
			match("0x" + strconv.FormatUint(l.Address, 16))
			if l.Mapping != nil {
				match(l.Mapping.File)
			}
		}
	}
	for j := range l.Line {
		ln := &l.Line[j]
		a.add(frameKey(a.by, l, ln))
		if fn := ln.Function; fn != nil && (a.focus != nil || a.ignore != nil) {
			match(fn.Name)
			match(fn.Filename)
		}
	}
	a.locStart = append(a.locStart, int32(len(a.locKeys)))
	a.locFocus = append(a.locFocus, focus)
	a.locIgnore = append(a.locIgnore, ignore)
	return i
}

// add appends the id of key to the keys of the location being indexed.
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
	filter := a.focus != nil || a.ignore != nil
	for _, s := range p.Sample {
		if filter && !a.keep(s) {
			a.dropped++
			continue
		}
		a.samples++
		isBase := s.DiffBaseSample()
		a.gen++
		if a.gen == 0 { // wrapped: forget old stamps
			clear(a.stamp)
			a.gen = 1
		}
		for vi, idx := range a.values {
			if idx >= len(s.Value) {
				continue
			}
			v := s.Value[idx]
			a.net[vi] += v
			abs := v
			if abs < 0 {
				abs = -abs
			}
			if isBase {
				a.base[vi] += abs
			} else {
				a.total[vi] += abs
			}
		}
		if isBase {
			a.hasBaseSamples = true
		}
		leaf := true
		for _, l := range s.Location {
			li := a.index(l)
			for _, k := range a.locKeys[a.locStart[li]:a.locStart[li+1]] {
				if leaf {
					leaf = false
					for vi, idx := range a.values {
						if idx < len(s.Value) {
							a.flat[vi][k] += s.Value[idx]
						}
					}
				}
				if a.stamp[k] == a.gen {
					continue
				}
				a.stamp[k] = a.gen
				for vi, idx := range a.values {
					if idx < len(s.Value) {
						a.cum[vi][k] += s.Value[idx]
					}
				}
			}
		}
	}
}

// keep applies focus and ignore to a sample: it must have a frame that
// matches focus, and none that matches ignore.
func (a *aggregator) keep(s *profile.Sample) bool {
	focused := a.focus == nil
	for _, l := range s.Location {
		li := a.index(l)
		if a.locIgnore[li] {
			return false
		}
		focused = focused || a.locFocus[li]
	}
	return focused
}

// denominator is what percentages are of, as in pprof: the sum of absolute
// values, or in a diff the base's.
func (a *aggregator) denominator(vi int) int64 {
	if a.hasBaseSamples {
		return a.base[vi]
	}
	return a.total[vi]
}
