// Package lru is the cache of Discord's Read States service: one read state
// per (user, channel) in a least-recently-used cache of fixed capacity, with
// dirty states persisted to a store 30 seconds after they change and when
// they are evicted, and misses loaded from the store.
//
// The cache's behaviour lives in [Cache]; where its entries live is a
// layout, chosen by name:
//
//   - "pointers" is the idiomatic Go of Discord's service: a map from key
//     to *list.Element of container/list, each element pointing to its
//     entry. Every entry is three heap objects full of pointers, and each
//     GC cycle's mark phase visits all of them.
//   - "compact" holds the same entries in one slab []entry linked by int32
//     indices, found through a map[Key]int32. Neither holds a pointer, so
//     the GC never scans them: its mark work no longer grows with the cache.
//
// Both behave identically for the same sequence of operations (a test
// proves it); only the memory layout, and so the GC's work, differs.
package lru

import (
	"fmt"
	"time"
)

// Key identifies a read state.
type Key struct {
	User, Channel uint64
}

// State is one user's read state in one channel: what the client needs to
// draw unread markers and mention badges.
type State struct {
	// LastMessageID is the last message the user read (a snowflake).
	LastMessageID uint64
	// LastPinnedAt is when the user last looked at the channel's pins
	// (Unix milliseconds).
	LastPinnedAt int64
	// DirtySince is when the state first changed since it was last
	// persisted (nanoseconds on the cache's clock); meaningful when Dirty.
	DirtySince int64
	// MentionCount is the number of unread mentions of the user.
	MentionCount int32
	// Version counts the changes to the state, persisted ones included.
	Version uint32
	// Dirty marks a change that the store does not have yet.
	Dirty bool
}

// PersistDelay is how long a changed state waits before it is persisted, so
// that a burst of changes costs one write.
const PersistDelay = 30 * time.Second

// Kind is what an operation does to a read state.
type Kind uint8

// Operations, after what a Read States service is asked to do.
const (
	Read    Kind = iota // the client asks for the state
	Ack                 // the user read up to a message: mentions cleared
	Mention             // someone mentioned the user in the channel
	Reset               // the user cleared the channel's notifications and saw its pins
)

func (k Kind) String() string {
	return [...]string{"read", "ack", "mention", "reset"}[k]
}

// Op is one operation on the cache at time Now (nanoseconds on the cache's
// clock, never going back).
type Op struct {
	Kind      Kind
	Key       Key
	MessageID uint64 // for Ack: the message read
	Now       int64
}

// layout stores the entries of a Cache in least-recently-used order.
type layout interface {
	// find returns k's state, marked most recently used.
	find(k Key) (*State, bool)
	// peek returns k's state without changing its place.
	peek(k Key) (*State, bool)
	// insert adds k, which must be absent, as the most recently used
	// entry; when the cache is full it first evicts the least recently
	// used one and returns it.
	insert(k Key, s State) (evicted Key, old State, ok bool)
	len() int
	// keys appends the keys from most to least recently used.
	keys(dst []Key) []Key
}

// Layouts returns the names New accepts.
func Layouts() []string { return []string{"pointers", "compact"} }

// BytesPerEntry estimates the memory one entry of a full cache takes in a
// layout (the entry, the map slot, allocator rounding, and its copy in the
// store), measured on amd64.
func BytesPerEntry(layout string) int {
	if layout == "compact" {
		return 120 + storeBytesPerEntry
	}
	return 170 + storeBytesPerEntry
}

// storeBytesPerEntry is a seeded state in the store: index slot and encoding.
const storeBytesPerEntry = 65

// Stats counts what a Cache did.
type Stats struct {
	Ops, Hits, Misses, Loads, Evictions uint64
	// Persisted counts writes of states whose delay ran out; Evicted those
	// written because their dirty state was evicted.
	Persisted, EvictPersisted uint64
}

// Cache is a Read States cache. It is not safe for concurrent use.
type Cache struct {
	layout layout
	store  *Store
	dirty  ring
	Stats  Stats
}

// New returns an empty cache of the given layout holding at most capacity
// states, persisting to store.
func New(layoutName string, capacity int, store *Store) (*Cache, error) {
	if capacity <= 0 {
		return nil, fmt.Errorf("lru: capacity %d, want at least 1", capacity)
	}
	c := &Cache{store: store}
	switch layoutName {
	case "pointers":
		c.layout = newPointers(capacity)
	case "compact":
		c.layout = newCompact(capacity)
	default:
		return nil, fmt.Errorf("unknown layout %q (want pointers or compact)", layoutName)
	}
	return c, nil
}

// Len returns the number of states in the cache.
func (c *Cache) Len() int { return c.layout.len() }

// Fill inserts a clean state, as a cache warmed from the store would hold,
// and seeds the store with it, so that the state loads back once evicted;
// it is for filling the cache before a run.
func (c *Cache) Fill(k Key, s State) {
	if _, ok := c.layout.peek(k); ok {
		return
	}
	s.Dirty = false
	c.store.Seed(k, s)
	c.evicted(c.layout.insert(k, s))
}

// Apply performs op and returns the state afterwards. First it persists
// the states whose delay has run out by op.Now.
func (c *Cache) Apply(op Op) State {
	c.persistDue(op.Now)
	c.Stats.Ops++
	s, ok := c.layout.find(op.Key)
	if ok {
		c.Stats.Hits++
	} else {
		c.Stats.Misses++
		loaded, found := c.store.Load(op.Key)
		if found {
			c.Stats.Loads++
		}
		c.evicted(c.layout.insert(op.Key, loaded))
		s, _ = c.layout.peek(op.Key)
	}
	switch op.Kind {
	case Read:
		return *s
	case Ack:
		if op.MessageID > s.LastMessageID {
			s.LastMessageID = op.MessageID
		}
		s.MentionCount = 0
	case Mention:
		s.MentionCount++
	case Reset:
		s.MentionCount = 0
		s.LastPinnedAt = op.Now / int64(time.Millisecond)
	}
	s.Version++
	if !s.Dirty {
		s.Dirty, s.DirtySince = true, op.Now
		c.dirty.push(pending{op.Key, op.Now + int64(PersistDelay)})
	}
	return *s
}

func (c *Cache) evicted(k Key, s State, ok bool) {
	if !ok {
		return
	}
	c.Stats.Evictions++
	if s.Dirty {
		c.Stats.EvictPersisted++
		c.store.Save(k, s)
	}
}

// persistDue writes the states that have been dirty for PersistDelay.
func (c *Cache) persistDue(now int64) {
	for c.dirty.len() > 0 && c.dirty.front().due <= now {
		p := c.dirty.pop()
		s, ok := c.layout.peek(p.key)
		// Evicted since (and persisted then), or persisted and changed
		// again later (a newer entry of the queue covers it).
		if !ok || !s.Dirty || s.DirtySince+int64(PersistDelay) > now {
			continue
		}
		s.Dirty = false
		c.Stats.Persisted++
		c.store.Save(p.key, *s)
	}
}

// Keys appends the cached keys from most to least recently used.
func (c *Cache) Keys(dst []Key) []Key { return c.layout.keys(dst) }

// Peek returns k's state without touching it.
func (c *Cache) Peek(k Key) (State, bool) {
	s, ok := c.layout.peek(k)
	if !ok {
		return State{}, false
	}
	return *s, true
}

// pending is a state waiting to be persisted.
type pending struct {
	key Key
	due int64
}

// ring is a FIFO queue of pending writes, in due order (they are pushed in
// time order with the same delay). It holds no pointers.
type ring struct {
	buf        []pending
	head, size int
}

func (r *ring) len() int        { return r.size }
func (r *ring) front() *pending { return &r.buf[r.head] }
func (r *ring) push(p pending) {
	if r.size == len(r.buf) {
		nb := make([]pending, max(1024, 2*len(r.buf)))
		for i := range r.size {
			nb[i] = r.buf[(r.head+i)%len(r.buf)]
		}
		r.buf, r.head = nb, 0
	}
	r.buf[(r.head+r.size)%len(r.buf)] = p
	r.size++
}
func (r *ring) pop() pending {
	p := r.buf[r.head]
	r.head = (r.head + 1) % len(r.buf)
	r.size--
	return p
}
