package compare

import (
	"bytes"
	"math"
	"testing"

	"golang.org/x/perf/benchfmt"
)

// FuzzFlags checks that the flag parsers refuse bad input with an error,
// never a panic, and that what they accept is usable.
func FuzzFlags(f *testing.F) {
	for _, s := range []string{"gogc=100,memlimit=off", "rss=1GiB", "gc-cpu=10%", "pause.p99=+10%,rss.peak=+5%", "=", ",,", "gogc=", "layout=flat"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if sel, err := ParseSelector(s); err == nil {
			if len(sel) == 0 {
				t.Errorf("ParseSelector(%q): empty selector without an error", s)
			}
			_ = sel.String()
		}
		if bs, err := ParseBudgets(s); err == nil {
			for _, b := range bs {
				ParseValue(UnitBytes, b.Value)
				ParseValue(UnitFraction, b.Value)
				ParseValue(UnitSeconds, b.Value)
			}
		}
		if ls, err := ParseLimits(s); err == nil {
			for _, l := range ls {
				if l.Max < 0 {
					t.Errorf("ParseLimits(%q): negative allowance %v", s, l.Max)
				}
			}
		}
	})
}

// FuzzBenchRoundTrip writes runs whose scenario parameter (a value from a
// record's header: any string) is fuzzed in the Go benchmark format, and
// reads it back with benchfmt, benchstat's reader: every run must come back
// as one result with its configuration keys and its values, and no line
// may be a syntax error.
func FuzzBenchRoundTrip(f *testing.F) {
	for _, s := range []string{"pointers", "a b", "a/b", "x=y", "", "\u00a0", "\r", "Benchmark", "1\n2", " /", "∞"} {
		f.Add(s, 0.25)
	}
	f.Fuzz(func(t *testing.T, param string, v float64) {
		runs := append(mkRuns("100", "off", map[string][]float64{"gc.cpu": {v, v}}),
			mkRuns("50", "off", map[string][]float64{"gc.cpu": {v}})...)
		runs[2].Config.Params = map[string]string{"layout": param}
		c, err := Compute(runs, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteBench(&b, c); err != nil {
			t.Fatal(err)
		}
		r := benchfmt.NewReader(&b, "bench.txt")
		n := 0
		for r.Scan() {
			switch rec := r.Result().(type) {
			case *benchfmt.SyntaxError:
				t.Fatalf("param %q: %v\n%s", param, rec, b.String())
			case *benchfmt.Result:
				n++
				if _, parts := rec.Name.Parts(); len(parts) != len(c.Dims) {
					t.Errorf("param %q: %s has %d configuration keys, want %d (%v)", param, rec.Name, len(parts), len(c.Dims), c.Dims)
				}
				if len(rec.Values) != 1 && !math.IsNaN(v) && !math.IsInf(v, 0) {
					t.Errorf("param %q: %s has %d values, want 1", param, rec.Name, len(rec.Values))
				}
			}
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("param %q: read %d results, want 3\n%s", param, n, b.String())
		}
	})
}
