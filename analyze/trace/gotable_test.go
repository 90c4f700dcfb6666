package trace

import (
	"bufio"
	"bytes"
	rtrace "runtime/trace"
	"sync"
	"testing"

	xtrace "golang.org/x/exp/trace"
)

// TestGoTableDropsDeadGoroutines starts and ends a million goroutine IDs
// with a few alive at a time, and a long-lived one: the table keeps the
// chunks of the live ones only, and the live goroutines in ID order.
func TestGoTableDropsDeadGoroutines(t *testing.T) {
	var tab goTable
	old := &goState{id: 3}
	tab.put(old)
	var window []*goState
	for id := xtrace.GoID(10); id < 1_000_000; id++ {
		g := &goState{id: id}
		tab.put(g)
		window = append(window, g)
		if len(window) > 8 {
			tab.remove(window[0])
			window = window[1:]
		}
		if tab.get(id) != g {
			t.Fatalf("goroutine %d not found after put", id)
		}
	}
	far := &goState{id: goChunkLen*maxGoChunks + 5}
	tab.put(far)
	chunks := 0
	for _, ch := range tab.chunks {
		if ch != nil {
			chunks++
		}
	}
	if chunks > 3 {
		t.Errorf("%d chunks held for 10 live goroutines", chunks)
	}
	if tab.live != 10 {
		t.Errorf("live %d, want 10", tab.live)
	}
	all := tab.all()
	if len(all) != 10 || all[0] != old || all[9] != far {
		t.Fatalf("all: %d goroutines, first %d, last %d", len(all), all[0].id, all[len(all)-1].id)
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].id >= all[i].id {
			t.Fatalf("all not in ID order at %d: %d, %d", i, all[i-1].id, all[i].id)
		}
	}
	if tab.get(5) != nil || tab.get(999_990) != nil {
		t.Errorf("ended goroutines still found")
	}
}

// TestAnalyzerForgetsEndedGoroutines traces this process while it starts
// 20,000 short goroutines one after another: after the analysis only the
// goroutines still alive at the end hold chunks of the table.
func TestAnalyzerForgetsEndedGoroutines(t *testing.T) {
	var buf bytes.Buffer
	if err := rtrace.Start(&buf); err != nil {
		t.Skipf("tracing is already on: %v", err)
	}
	var wg sync.WaitGroup
	for range 20_000 {
		wg.Go(func() {})
		wg.Wait()
	}
	rtrace.Stop()
	rd, err := xtrace.NewReader(bufio.NewReader(&buf))
	if err != nil {
		t.Fatal(err)
	}
	a := newAnalyzer(Options{Top: 10, Windows: DefaultWindows, Util: UtilAll})
	if err := a.readAll(rd); err != nil {
		t.Fatal(err)
	}
	chunks := 0
	for _, ch := range a.gs.chunks {
		if ch != nil {
			chunks++
		}
	}
	t.Logf("after 20,000 goroutines: %d chunks of IDs reached, %d held, %d live goroutines", len(a.gs.chunks), chunks, a.gs.live)
	// IDs reached at least 20,000 (about 80 chunks); the process's own
	// long-lived goroutines keep a few.
	if len(a.gs.chunks) < 20_000/goChunkLen/2 || chunks > 12 || a.gs.live > 200 {
		t.Errorf("after 20,000 goroutines: %d chunks of IDs reached, %d held, %d live goroutines", len(a.gs.chunks), chunks, a.gs.live)
	}
}
