package lru

// compact is the pointer-free layout: every entry in one slab, linked by
// int32 indices, found through a map whose keys and values hold no
// pointers. The GC allocates it once and never scans it.
type compact struct {
	slab       []compactEntry // len: entries in use; cap: the capacity
	index      map[Key]int32
	head, tail int32 // most and least recently used; none: -1
}

type compactEntry struct {
	key        Key
	state      State
	prev, next int32
}

func newCompact(capacity int) *compact {
	return &compact{
		slab:  make([]compactEntry, 0, capacity),
		index: make(map[Key]int32, capacity),
		head:  -1, tail: -1,
	}
}

func (c *compact) find(k Key) (*State, bool) {
	i, ok := c.index[k]
	if !ok {
		return nil, false
	}
	c.unlink(i)
	c.pushFront(i)
	return &c.slab[i].state, true
}

func (c *compact) peek(k Key) (*State, bool) {
	i, ok := c.index[k]
	if !ok {
		return nil, false
	}
	return &c.slab[i].state, true
}

func (c *compact) insert(k Key, s State) (evicted Key, old State, ok bool) {
	var i int32
	if len(c.slab) < cap(c.slab) {
		i = int32(len(c.slab))
		c.slab = c.slab[:i+1]
	} else {
		// Full: the least recently used entry's slot takes the new one.
		i = c.tail
		e := &c.slab[i]
		evicted, old, ok = e.key, e.state, true
		delete(c.index, e.key)
		c.unlink(i)
	}
	c.slab[i] = compactEntry{key: k, state: s, prev: -1, next: -1}
	c.index[k] = i
	c.pushFront(i)
	return evicted, old, ok
}

func (c *compact) unlink(i int32) {
	e := &c.slab[i]
	if e.prev >= 0 {
		c.slab[e.prev].next = e.next
	} else {
		c.head = e.next
	}
	if e.next >= 0 {
		c.slab[e.next].prev = e.prev
	} else {
		c.tail = e.prev
	}
	e.prev, e.next = -1, -1
}

func (c *compact) pushFront(i int32) {
	e := &c.slab[i]
	e.prev, e.next = -1, c.head
	if c.head >= 0 {
		c.slab[c.head].prev = i
	}
	c.head = i
	if c.tail < 0 {
		c.tail = i
	}
}

func (c *compact) len() int { return len(c.slab) }

func (c *compact) keys(dst []Key) []Key {
	for i := c.head; i >= 0; i = c.slab[i].next {
		dst = append(dst, c.slab[i].key)
	}
	return dst
}
