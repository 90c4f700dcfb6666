package compare

import "testing"

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
