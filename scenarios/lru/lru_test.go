package lru

import (
	"slices"
	"testing"
	"time"
)

// TestLayoutsBehaveTheSame runs one seeded operation sequence through both
// layouts and requires the same result for every operation, the same
// store writes and the same LRU order.
func TestLayoutsBehaveTheSame(t *testing.T) {
	const capacity, n = 2000, 300_000
	w := Workload{Seed: 42, Users: 800, Channels: 40, UserSkew: 1.05, ChannelSkew: 1.3}
	type run struct {
		c  *Cache
		st *Store
	}
	var runs []run
	for _, name := range Layouts() {
		st := NewStore(0)
		c, err := New(name, capacity, st)
		if err != nil {
			t.Fatal(err)
		}
		for i := range uint64(capacity / 2) {
			c.Fill(w.FillKey(i), FillState(i))
		}
		runs = append(runs, run{c, st})
	}
	ops := w.NewOps()
	kinds := map[Kind]int{}
	for seq := range uint64(n) {
		op := ops.Op(seq, int64(seq)*int64(time.Millisecond)) // 300 s of simulated time
		kinds[op.Kind]++
		want := runs[0].c.Apply(op)
		for _, r := range runs[1:] {
			if got := r.c.Apply(op); got != want {
				t.Fatalf("op %d (%v %v): %s gives %+v, pointers %+v", seq, op.Kind, op.Key, "compact", got, want)
			}
		}
		if seq%50_000 == 0 {
			if a, b := runs[0].c.Keys(nil), runs[1].c.Keys(nil); !slices.Equal(a, b) {
				t.Fatalf("after op %d the LRU orders differ", seq)
			}
		}
	}
	a, b := runs[0], runs[1]
	if a.c.Stats != b.c.Stats {
		t.Fatalf("stats differ:\npointers %+v\ncompact  %+v", a.c.Stats, b.c.Stats)
	}
	if a.st.Writes != b.st.Writes || a.st.Len() != b.st.Len() || a.st.Bytes != b.st.Bytes {
		t.Fatalf("stores differ: %d/%d writes, %d/%d states", a.st.Writes, b.st.Writes, a.st.Len(), b.st.Len())
	}
	for k := range a.st.index {
		sa, _ := a.st.Load(k)
		sb, ok := b.st.Load(k)
		if !ok || sa != sb {
			t.Fatalf("store state of %v: pointers %+v, compact %+v", k, sa, sb)
		}
	}
	if ka, kb := a.c.Keys(nil), b.c.Keys(nil); !slices.Equal(ka, kb) || len(ka) != capacity {
		t.Fatalf("final LRU orders differ or cache not full (%d, %d entries)", len(ka), len(kb))
	}
	// The sequence exercised every path, or the comparison proves little.
	s := a.c.Stats
	t.Logf("stats %+v, store %d states, %d writes; kinds %v", s, a.st.Len(), a.st.Writes, kinds)
	if s.Hits == 0 || s.Misses == 0 || s.Loads == 0 || s.Evictions == 0 || s.Persisted == 0 || s.EvictPersisted == 0 || len(kinds) != 4 {
		t.Fatalf("the sequence missed a path: %+v, kinds %v", s, kinds)
	}
}

func TestCacheBehaviour(t *testing.T) {
	for _, name := range Layouts() {
		t.Run(name, func(t *testing.T) {
			st := NewStore(0)
			c, _ := New(name, 2, st)
			a, b, d := Key{1, 1}, Key{2, 2}, Key{3, 3}
			sec := int64(time.Second)
			if s := c.Apply(Op{Kind: Mention, Key: a, Now: 0}); s.MentionCount != 1 || !s.Dirty || s.Version != 1 {
				t.Fatalf("mention on a new state: %+v", s)
			}
			c.Apply(Op{Kind: Read, Key: b, Now: 1 * sec})
			c.Apply(Op{Kind: Read, Key: a, Now: 2 * sec}) // a is now the most recent
			c.Apply(Op{Kind: Read, Key: d, Now: 3 * sec}) // evicts b (clean: no write)
			if _, ok := c.Peek(b); ok || st.Writes != 0 {
				t.Fatalf("b not evicted, or written though clean (%d writes)", st.Writes)
			}
			c.Apply(Op{Kind: Read, Key: d, Now: 29 * sec})
			if st.Writes != 0 {
				t.Fatal("a persisted before 30 s")
			}
			c.Apply(Op{Kind: Read, Key: d, Now: 30 * sec})
			if s, _ := c.Peek(a); st.Writes != 1 || s.Dirty {
				t.Fatalf("a not persisted 30 s after its change: %d writes, %+v", st.Writes, s)
			}
			c.Apply(Op{Kind: Ack, Key: a, MessageID: 99, Now: 31 * sec})
			c.Apply(Op{Kind: Read, Key: b, Now: 32 * sec}) // evicts d (clean)
			c.Apply(Op{Kind: Read, Key: d, Now: 33 * sec}) // evicts dirty a: written
			if st.Writes != 2 {
				t.Fatalf("dirty a not persisted on eviction (%d writes)", st.Writes)
			}
			if s := c.Apply(Op{Kind: Read, Key: a, Now: 34 * sec}); s.LastMessageID != 99 || s.MentionCount != 0 || s.Version != 2 || s.Dirty {
				t.Fatalf("a loaded back from the store: %+v", s)
			}
			if c.Stats.Loads != 1 {
				t.Fatalf("loads = %d, want 1", c.Stats.Loads)
			}
		})
	}
}

func TestOpsAreReproducible(t *testing.T) {
	w := DefaultWorkload(7, 10000)
	a, b := w.NewOps(), w.NewOps()
	for seq := uint64(1000); seq > 0; seq-- { // any order gives the same op
		if x, y := a.Op(seq, 5), b.Op(seq, 5); x != y {
			t.Fatalf("op %d: %+v vs %+v", seq, x, y)
		}
	}
	w2 := w
	w2.Seed = 8
	if w.NewOps().Op(1, 0) == w2.NewOps().Op(1, 0) && w.NewOps().Op(2, 0) == w2.NewOps().Op(2, 0) {
		t.Fatal("the seed does not change the sequence")
	}
}

func TestNewRefuses(t *testing.T) {
	if _, err := New("arena", 10, NewStore(0)); err == nil {
		t.Error("unknown layout accepted")
	}
	if _, err := New("compact", 0, NewStore(0)); err == nil {
		t.Error("capacity 0 accepted")
	}
}

// BenchmarkApply measures one operation on a full cache of each layout
// (the GC's cost is not in it: that is what the scenario measures).
func BenchmarkApply(b *testing.B) {
	const capacity = 200_000
	for _, name := range Layouts() {
		b.Run(name, func(b *testing.B) {
			w := DefaultWorkload(1, capacity)
			c, _ := New(name, capacity, NewStore(capacity))
			for i := range uint64(capacity) {
				c.Fill(w.FillKey(i), FillState(i))
			}
			ops := w.NewOps()
			b.ReportAllocs()
			seq := uint64(0)
			for b.Loop() {
				c.Apply(ops.Op(seq, int64(seq)*50_000))
				seq++
			}
		})
	}
}
