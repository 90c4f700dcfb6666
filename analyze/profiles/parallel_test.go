package profiles

import (
	"regexp"
	"runtime"
	"slices"
	"testing"

	"github.com/gcprobe/gcprobe/analyze/profiles/internal/synth"
)

// Top over a large profile sums in parallel shards; it must give what the
// serial path gives (a focus that matches everything forces that path).
func TestTopParallelMatchesSerial(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a large profile; skipped with -short")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	p := synth.Heap(3*parallelMin+7, 2)
	for _, by := range []By{ByFunction, ByLine} {
		par, err := Top(p, TopOptions{By: by})
		if err != nil {
			t.Fatal(err)
		}
		ser, err := Top(p, TopOptions{By: by, Focus: regexp.MustCompile(``)})
		if err != nil {
			t.Fatal(err)
		}
		if par.Total != ser.Total || par.Net != ser.Net || par.Samples != ser.Samples || !slices.Equal(par.Rows, ser.Rows) {
			t.Errorf("by %s: parallel top differs from serial:\n%+v\n%+v", by, par.Rows[:3], ser.Rows[:3])
		}
	}
}
