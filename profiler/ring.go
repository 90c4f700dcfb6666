package profiler

import "github.com/gcprobe/gcprobe/record"

// ring keeps the last events the probe produced, for EventsSince and the
// agent. Slots are allocated once and overwritten in place, so that adding an
// event does not allocate; a Pauses slot keeps its bucket slice's capacity
// for the next Pauses event that lands on it.
type ring struct {
	slots []slot
	// next is the number of events produced so far: the cursor of the next
	// event. Event c lives in slots[c%len(slots)] while c >= next-len(slots).
	next uint64
}

// slot holds one event; kind says which payload field is meaningful.
type slot struct {
	t      float64
	kind   string
	sample record.Sample
	mem    memory // the sample's memory classes
	gc     record.GC
	pauses []record.Bucket
	note   record.Note
}

func newRing(n int) ring { return ring{slots: make([]slot, n)} }

// add claims the slot of the next event, overwriting the oldest one.
func (r *ring) add(t float64, kind string) *slot {
	s := &r.slots[r.next%uint64(len(r.slots))]
	s.t, s.kind = t, kind
	s.pauses = s.pauses[:0]
	r.next++
	return s
}

// since copies out the events from cursor on. lost counts the events from
// cursor on that were overwritten before this call; a cursor beyond next
// (from another process, say) yields nothing.
func (r *ring) since(cursor uint64) (events []record.Event, next, lost uint64) {
	oldest := r.next - min(r.next, uint64(len(r.slots)))
	cursor = min(cursor, r.next)
	if cursor < oldest {
		lost, cursor = oldest-cursor, oldest
	}
	events = make([]record.Event, 0, r.next-cursor)
	for c := cursor; c < r.next; c++ {
		events = append(events, r.slots[c%uint64(len(r.slots))].event())
	}
	return events, r.next, lost
}

// event returns a copy of the slot's event that shares nothing with the slot.
func (s *slot) event() record.Event {
	e := record.Event{T: s.t}
	switch s.kind {
	case record.KindSample:
		v := s.mem.attach(s.sample)
		e.Sample = &v
	case record.KindGC:
		v := s.gc
		e.GC = &v
	case record.KindPauses:
		e.Pauses = &record.Pauses{Buckets: s.pauses}
	case record.KindNote:
		v := s.note
		e.Note = &v
	}
	// Finite copies the bucket slice, and writes the top bucket's +Inf
	// bound as JSON can hold it.
	return record.Finite(e)
}

// memory is a sample's memory classes kept by value, so that filling a slot
// does not allocate; attach makes the record's pointers when an event is
// copied out.
type memory struct {
	goMem   record.GoMemory
	proc    record.ProcMemory
	hasProc bool // smaps_rollup was read for this sample
}

// attach returns s with copies of the memory classes.
func (m *memory) attach(s record.Sample) record.Sample {
	g := m.goMem
	s.GoMemory = &g
	if m.hasProc {
		p := m.proc
		s.ProcMemory = &p
	}
	return s
}
