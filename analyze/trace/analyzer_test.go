package trace

import "testing"

// TestInRuntime: a delayed goroutine is named by its own code, not by the
// runtime/trace region it was entering (the load generator's workers were
// all "runtime/trace.StartRegion").
func TestInRuntime(t *testing.T) {
	for fn, want := range map[string]bool{
		"runtime.gopark":                               true,
		"runtime/trace.StartRegion":                    true,
		"runtime/trace.userRegion":                     true,
		"runtime/pprof.Do":                             true,
		"internal/poll.(*FD).Read":                     true,
		"github.com/gcprobe/gcprobe/loadgen.Run.func2": false,
		"main.handle":                                  false,
		"runtimeish.F":                                 false,
	} {
		if got := inRuntime(fn); got != want {
			t.Errorf("inRuntime(%q) = %v, want %v", fn, got, want)
		}
	}
}
