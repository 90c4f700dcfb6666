package trace

import (
	"time"

	xtrace "golang.org/x/exp/trace"
)

// maxOpenTasks bounds the tasks kept open at once (a request is one while
// it waits or runs); tasks begun beyond it are not counted, and say so.
const maxOpenTasks = 1 << 16

// lateLog is the log category in which gcprobe's load generator says that a
// request's task began after the request was due (a trace cannot begin a
// task in the past): the lateness counts as part of the task.
const lateLog = "late"

// TaskGroup compares the runtime/trace tasks of one type (such as
// gcprobe's "request": a request's queue wait and handling, which may span
// goroutines) that overlapped a GC cycle (InGC) with the others. Only
// tasks that began and ended inside the trace are counted.
type TaskGroup struct {
	Type      string    `json:"type"`
	InGC      TaskStats `json:"in_gc"`
	OutsideGC TaskStats `json:"outside_gc"`
}

// TaskStats sums tasks of one type and class: how many, and their mean and
// longest time from begin (less a "late" log's lateness) to end.
type TaskStats struct {
	Count  int64 `json:"count"`
	MeanNs int64 `json:"mean_ns"`
	MaxNs  int64 `json:"max_ns"`
}

type openTask struct {
	typ   string
	start int64
}

type taskAcc struct{ in, out regionSums }

// taskState follows the tasks of a trace.
type taskState struct {
	open    map[xtrace.TaskID]openTask
	acc     map[string]*taskAcc
	types   []string
	dropped int64
}

func (a *analyzer) taskBegin(t xtrace.Task, now int64) {
	ts := &a.tasks
	if ts.open == nil {
		ts.open, ts.acc = make(map[xtrace.TaskID]openTask), make(map[string]*taskAcc)
	}
	if len(ts.open) >= maxOpenTasks {
		ts.dropped++
		return
	}
	ts.open[t.ID] = openTask{typ: t.Type, start: now}
}

func (a *analyzer) taskLog(l xtrace.Log) {
	if l.Category != lateLog {
		return
	}
	if t, ok := a.tasks.open[l.Task]; ok {
		if d, err := time.ParseDuration(l.Message); err == nil && d > 0 {
			t.start -= int64(d)
			a.tasks.open[l.Task] = t
		}
	}
}

func (a *analyzer) taskEnd(id xtrace.TaskID, now int64) {
	ts := &a.tasks
	t, ok := ts.open[id]
	if !ok {
		return // begun before the trace
	}
	delete(ts.open, id)
	acc := ts.acc[t.typ]
	if acc == nil {
		if len(ts.acc) >= maxRegionTypes {
			t.typ = "(other types)"
			acc = ts.acc[t.typ]
		}
		if acc == nil {
			acc = &taskAcc{}
			ts.acc[t.typ] = acc
			ts.types = append(ts.types, t.typ)
		}
	}
	sums := &acc.out
	a.eachCycle(t.start, now, func(int, *cycleState, int64, int64) { sums = &acc.in })
	d := now - t.start
	sums.count++
	sums.total += d
	sums.max = max(sums.max, d)
}

// taskGroups are the tasks' results, in the order their types first ended.
func (ts *taskState) groups() []TaskGroup {
	var out []TaskGroup
	for _, typ := range ts.types {
		acc := ts.acc[typ]
		out = append(out, TaskGroup{Type: typ, InGC: acc.in.taskStats(), OutsideGC: acc.out.taskStats()})
	}
	return out
}

func (s regionSums) taskStats() TaskStats {
	if s.count == 0 {
		return TaskStats{}
	}
	return TaskStats{Count: s.count, MeanNs: s.total / s.count, MaxNs: s.max}
}
