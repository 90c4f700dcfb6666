package lru

import "container/list"

// pointers is the idiomatic layout: a map of *list.Element and a
// container/list of *pointerEntry, three pointerful heap objects per entry.
type pointers struct {
	index    map[Key]*list.Element
	order    *list.List // front: most recently used
	capacity int
}

type pointerEntry struct {
	key   Key
	state State
}

func newPointers(capacity int) *pointers {
	return &pointers{index: make(map[Key]*list.Element, capacity), order: list.New(), capacity: capacity}
}

func (p *pointers) find(k Key) (*State, bool) {
	e, ok := p.index[k]
	if !ok {
		return nil, false
	}
	p.order.MoveToFront(e)
	return &e.Value.(*pointerEntry).state, true
}

func (p *pointers) peek(k Key) (*State, bool) {
	e, ok := p.index[k]
	if !ok {
		return nil, false
	}
	return &e.Value.(*pointerEntry).state, true
}

func (p *pointers) insert(k Key, s State) (evicted Key, old State, ok bool) {
	if p.order.Len() >= p.capacity {
		back := p.order.Back()
		pe := p.order.Remove(back).(*pointerEntry)
		delete(p.index, pe.key)
		evicted, old, ok = pe.key, pe.state, true
	}
	p.index[k] = p.order.PushFront(&pointerEntry{key: k, state: s})
	return evicted, old, ok
}

func (p *pointers) len() int { return p.order.Len() }

func (p *pointers) keys(dst []Key) []Key {
	for e := p.order.Front(); e != nil; e = e.Next() {
		dst = append(dst, e.Value.(*pointerEntry).key)
	}
	return dst
}
