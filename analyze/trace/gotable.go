package trace

import (
	"slices"

	xtrace "golang.org/x/exp/trace"
)

// goTable holds the live goroutines by ID. The runtime hands out IDs in
// sequence, so a program that keeps starting goroutines (a server, one per
// request) reaches IDs in the millions while few are alive at once. IDs
// are grouped in chunks of goChunkLen slots, allocated when a goroutine in
// their range appears and freed when the last one there ends: the table
// holds the live goroutines' chunks and one pointer per chunk of IDs ever
// reached, however long the trace. IDs past the chunks' reach go to a map.
type goTable struct {
	chunks []*goChunk // by ID / goChunkLen
	far    map[xtrace.GoID]*goState
	live   int
}

type goChunk struct {
	g    [goChunkLen]*goState
	live int
}

const (
	goChunkLen = 256
	// maxGoChunks bounds the chunk index (8 MiB of pointers, IDs below
	// 268M); beyond it goroutines go to the map.
	maxGoChunks = 1 << 20
)

// get returns goroutine id, or nil if it is not in the table.
func (t *goTable) get(id xtrace.GoID) *goState {
	if c := uint64(id) / goChunkLen; c < uint64(len(t.chunks)) {
		if ch := t.chunks[c]; ch != nil {
			return ch.g[uint64(id)%goChunkLen]
		}
		return nil
	}
	return t.far[id]
}

// put adds g, which must not be in the table.
func (t *goTable) put(g *goState) {
	t.live++
	c := uint64(g.id) / goChunkLen
	if c >= maxGoChunks {
		if t.far == nil {
			t.far = make(map[xtrace.GoID]*goState)
		}
		t.far[g.id] = g
		return
	}
	if c >= uint64(len(t.chunks)) {
		t.chunks = append(t.chunks, make([]*goChunk, int(c)+1-len(t.chunks))...)
	}
	ch := t.chunks[c]
	if ch == nil {
		ch = &goChunk{}
		t.chunks[c] = ch
	}
	ch.g[uint64(g.id)%goChunkLen] = g
	ch.live++
}

// remove drops g from the table.
func (t *goTable) remove(g *goState) {
	c := uint64(g.id) / goChunkLen
	if c >= uint64(len(t.chunks)) {
		if _, ok := t.far[g.id]; ok {
			delete(t.far, g.id)
			t.live--
		}
		return
	}
	ch := t.chunks[c]
	if ch == nil || ch.g[uint64(g.id)%goChunkLen] != g {
		return
	}
	t.live--
	ch.g[uint64(g.id)%goChunkLen] = nil
	if ch.live--; ch.live == 0 {
		t.chunks[c] = nil
	}
}

// all returns the live goroutines in ID order.
func (t *goTable) all() []*goState {
	var out []*goState
	for _, ch := range t.chunks {
		if ch == nil {
			continue
		}
		for _, g := range ch.g {
			if g != nil {
				out = append(out, g)
			}
		}
	}
	far := make([]*goState, 0, len(t.far))
	for _, g := range t.far {
		far = append(far, g)
	}
	slices.SortFunc(far, func(a, b *goState) int { return int(a.id - b.id) })
	return append(out, far...)
}
