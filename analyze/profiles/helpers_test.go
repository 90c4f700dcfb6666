package profiles

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// sample is a test sample: a stack of function names, leaf first and
// separated by ";" ("a+b" is a location where a is inlined into b), and its
// values.
type sample struct {
	stack  string
	values []int64
}

// build makes a profile with the given sample types ("alloc_space/bytes")
// from test samples. Each distinct frame is one location, at line 10 of
// "<function>.go".
func build(t testing.TB, types []string, samples ...sample) *profile.Profile {
	t.Helper()
	p := &profile.Profile{PeriodType: &profile.ValueType{Type: "space", Unit: "bytes"}, Period: 1}
	for _, st := range types {
		typ, unit, _ := strings.Cut(st, "/")
		p.SampleType = append(p.SampleType, &profile.ValueType{Type: typ, Unit: unit})
	}
	funcs := map[string]*profile.Function{}
	locs := map[string]*profile.Location{}
	fn := func(name string) *profile.Function {
		if f := funcs[name]; f != nil {
			return f
		}
		f := &profile.Function{ID: uint64(len(p.Function) + 1), Name: name, SystemName: name, Filename: name + ".go"}
		p.Function = append(p.Function, f)
		funcs[name] = f
		return f
	}
	for _, s := range samples {
		ps := &profile.Sample{Value: s.values}
		for _, frame := range strings.Split(s.stack, ";") {
			l := locs[frame]
			if l == nil {
				l = &profile.Location{ID: uint64(len(p.Location) + 1), Address: uint64(0x1000 + 0x10*len(p.Location))}
				for _, name := range strings.Split(frame, "+") {
					l.Line = append(l.Line, profile.Line{Function: fn(name), Line: 10})
				}
				p.Location = append(p.Location, l)
				locs[frame] = l
			}
			ps.Location = append(ps.Location, l)
		}
		p.Sample = append(p.Sample, ps)
	}
	if err := p.CheckValid(); err != nil {
		t.Fatal(err)
	}
	return p
}

// rows is a Table's rows as "name flat cum" strings, for comparisons.
func rows(t *Table) []string {
	var out []string
	for _, r := range t.Rows {
		out = append(out, r.Name+" "+itoa(r.Flat)+" "+itoa(r.Cum))
	}
	return out
}

func itoa(v int64) string { return formatValue(v, "count") }

func equal(a, b []string) bool { return slices.Equal(a, b) }
