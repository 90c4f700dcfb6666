package trace

import (
	"bytes"
	"context"
	"runtime"
	rtrace "runtime/trace"
	"strings"
	"testing"
	"time"
)

// TestTasks traces this process while "req" tasks begin in one goroutine
// and end in another, as the load generator's requests do: five short ones
// outside GC, one spanning a runtime.GC, and one whose "late" log adds
// 50ms; and a task begun before the trace, which is not counted.
func TestTasks(t *testing.T) {
	_, before := rtrace.NewTask(context.Background(), "req")
	// A cycle now sets the heap goal well above what the test allocates,
	// so that the trace's only cycle is the runtime.GC below, whatever
	// heap the package's earlier tests left.
	runtime.GC()
	var buf bytes.Buffer
	if err := rtrace.Start(&buf); err != nil {
		t.Skipf("a trace is already being taken: %v", err)
	}
	// Each task ends in another goroutine, before the test goes on.
	endElsewhere := func(task *rtrace.Task) {
		ended := make(chan struct{})
		go func() { task.End(); close(ended) }()
		<-ended
	}
	before.End()
	for range 5 {
		_, task := rtrace.NewTask(context.Background(), "req")
		time.Sleep(time.Millisecond)
		endElsewhere(task)
	}
	_, inGC := rtrace.NewTask(context.Background(), "req")
	runtime.GC()
	endElsewhere(inGC)
	time.Sleep(80 * time.Millisecond) // so that the late one's 50ms do not reach back into the cycle
	ctx, late := rtrace.NewTask(context.Background(), "req")
	rtrace.Log(ctx, "late", "50ms")
	endElsewhere(late)
	rtrace.Stop()

	a, err := Analyze(&buf, Options{Source: "tasks"})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Tasks) != 1 || a.Tasks[0].Type != "req" {
		t.Fatalf("tasks %+v", a.Tasks)
	}
	g := a.Tasks[0]
	if len(a.Cycles) != 1 || g.InGC.Count != 1 || g.OutsideGC.Count != 6 {
		t.Errorf("%d cycles; %d tasks in GC, %d outside; want 1 cycle, 1 and 6 tasks (the one begun before the trace is not counted)", len(a.Cycles), g.InGC.Count, g.OutsideGC.Count)
	}
	if g.OutsideGC.MaxNs < 50e6 || g.OutsideGC.MaxNs > 80e6 {
		t.Errorf("the longest task outside GC took %d ns, want 50ms of lateness and a little", g.OutsideGC.MaxNs)
	}
	if want := `The 1 "req" tasks (queue wait included) that overlapped a GC cycle took`; !strings.Contains(a.Verdict, want) {
		t.Errorf("the verdict does not compare the tasks: %s", a.Verdict)
	}
	var text bytes.Buffer
	if err := WriteText(&text, a); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "runtime/trace tasks (such as requests, queue wait included)") {
		t.Errorf("no task table:\n%s", text.String())
	}
}
