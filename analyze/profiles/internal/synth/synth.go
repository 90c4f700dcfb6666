// Package synth generates large synthetic Go heap profiles for benchmarks:
// one sample per distinct stack, as the runtime writes them, stacks 8 to 64
// frames deep (about 28 on average) through a call graph of 6,000 functions
// in 300 packages, some frames inlined, a "bytes" numeric label on every
// sample as in real heap profiles and a string label on a quarter of them.
// Stacks start from 40 roots and walk a call graph in which each location
// calls one of 4 locations after it, the first most often.
// The same seed gives the same profile.
package synth

import (
	"fmt"
	"math/rand/v2"

	"github.com/google/pprof/profile"
)

// Heap returns a heap profile of n samples.
func Heap(n int, seed uint64) *profile.Profile {
	return generate(n, rand.New(rand.NewPCG(seed, 2)))
}

const (
	nPackages  = 300
	nFunctions = 6000
	nLocations = 30000
	nRoots     = 40
	fanout     = 4
	window     = 64
)

func generate(n int, r *rand.Rand) *profile.Profile {
	m := &profile.Mapping{ID: 1, Start: 0x400000, Limit: 0x4000000, File: "/usr/local/bin/service",
		HasFunctions: true, HasFilenames: true, HasLineNumbers: true}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{
			{Type: "alloc_objects", Unit: "count"}, {Type: "alloc_space", Unit: "bytes"},
			{Type: "inuse_objects", Unit: "count"}, {Type: "inuse_space", Unit: "bytes"},
		},
		PeriodType: &profile.ValueType{Type: "space", Unit: "bytes"},
		Period:     512 * 1024,
		Mapping:    []*profile.Mapping{m},
	}
	for i := range nFunctions {
		pkg := i % nPackages
		path := fmt.Sprintf("github.com/acme/service/internal/pkg%03d", pkg)
		name := fmt.Sprintf("%s.func%04d", path, i)
		if i%3 == 0 {
			name = fmt.Sprintf("%s.(*Type%02d).Method%04d", path, i%17, i)
		}
		p.Function = append(p.Function, &profile.Function{ID: uint64(i + 1), Name: name, SystemName: name,
			Filename: fmt.Sprintf("%s/file%d.go", path, i%7), StartLine: int64(10 + i%500)})
	}
	for i := range nLocations {
		fn := p.Function[r.IntN(nFunctions)]
		l := &profile.Location{ID: uint64(i + 1), Mapping: m, Address: 0x401000 + uint64(i)*0x40,
			Line: []profile.Line{{Function: fn, Line: fn.StartLine + int64(r.IntN(80))}}}
		if r.IntN(10) == 0 { // an inlined call at this address
			in := p.Function[r.IntN(nFunctions)]
			l.Line = append([]profile.Line{{Function: in, Line: in.StartLine + 3}}, l.Line...)
		}
		p.Location = append(p.Location, l)
	}
	// A call graph: each location calls a few of the locations after it, as
	// code in one layer calls the layer below, so stacks share edges as a
	// real program's do; the first callee is the likeliest.
	callees := make([][]*profile.Location, nLocations)
	for i := range callees {
		for range fanout {
			callees[i] = append(callees[i], p.Location[(i+1+r.IntN(window))%nLocations])
		}
	}
	handlers := []string{"/api/read", "/api/write", "/api/list", "/healthz", "/api/sync", "/api/batch"}
	seen := make(map[[4]uint64]bool, n)
	stack := make([]*profile.Location, 0, 64)
	for len(p.Sample) < n {
		root := r.IntN(nRoots) * (nLocations / nRoots)
		depth := 8 + int(r.ExpFloat64()*22)
		depth = min(depth, 64)
		stack = stack[:0]
		cur := p.Location[root]
		var h [4]uint64
		for range depth {
			stack = append(stack, cur)
			h[len(stack)%4] = h[len(stack)%4]*31 + cur.ID
			cur = callees[cur.ID-1][min(int(r.ExpFloat64()), fanout-1)]
		}
		if seen[h] {
			continue
		}
		seen[h] = true
		locs := make([]*profile.Location, len(stack))
		for i, l := range stack { // leaf first
			locs[len(stack)-1-i] = l
		}
		size := int64(16) << r.IntN(12)
		objs := 1 + int64(r.ExpFloat64()*200)
		inuse := objs * int64(r.IntN(4)) / 8
		s := &profile.Sample{
			Location: locs,
			Value:    []int64{objs, objs * size, inuse, inuse * size},
			NumLabel: map[string][]int64{"bytes": {size}},
		}
		if r.IntN(4) == 0 {
			s.Label = map[string][]string{"handler": {handlers[r.IntN(len(handlers))]}}
		}
		p.Sample = append(p.Sample, s)
	}
	return p
}
