package trace

import (
	"strings"
	"testing"
)

// A goroutine the trace shows no stack of (one that existed before the
// trace began and stayed parked or runnable) has no function name: the
// table says so rather than leaving the cell blank.
func TestGoroutineTableNamesUnknownFunction(t *testing.T) {
	tab := goroutineTable("Goroutines the GC delayed most", []Goroutine{{ID: 4, STWNs: 177000}, {ID: 3982, Func: "main.work"}})
	if got := tab.Rows[0][1]; got != noStack {
		t.Errorf("function of a goroutine without a stack: %q, want %q", got, noStack)
	}
	if got := tab.Rows[1][1]; !strings.Contains(got, "main.work") {
		t.Errorf("function %q, want main.work", got)
	}
}
