package lru

import (
	"encoding/binary"
)

// Store stands in for the database behind the cache (Cassandra, at
// Discord): it keeps every persisted state, and a write costs what a
// database driver costs the service, a freshly allocated encoded request.
// Since the real database lives in another process, the Store keeps its data
// where the GC does not look: encoded states appended to 1 MiB chunks, found
// through a map of pointer-free positions. It is not safe for concurrent use.
type Store struct {
	chunks   [][]byte
	index    map[Key]uint64 // chunk<<32 | offset<<8 | length
	inFlight [64][]byte     // the last writes "sent", as a driver holds them until acknowledged
	next     int
	// Writes counts Save calls; Bytes their encoded size.
	Writes, Bytes uint64
}

const chunkSize = 1 << 20

// NewStore returns an empty store with room for size states.
func NewStore(size int) *Store {
	return &Store{index: make(map[Key]uint64, size)}
}

// maxEncoded bounds the encoding of one state.
const maxEncoded = 2*binary.MaxVarintLen64 + 5*binary.MaxVarintLen32

// Save writes k's state as the service does, through a newly allocated
// request buffer; a later Load returns it.
func (st *Store) Save(k Key, s State) {
	enc := encode(make([]byte, 0, maxEncoded), s) // the driver's request buffer
	st.inFlight[st.next%len(st.inFlight)] = enc
	st.next++
	st.put(k, enc)
	st.Writes++
	st.Bytes += uint64(len(enc))
}

// Seed stores k's state without counting a write or allocating a request:
// the database's contents before the run.
func (st *Store) Seed(k Key, s State) {
	var buf [maxEncoded]byte
	st.put(k, encode(buf[:0], s))
}

func encode(b []byte, s State) []byte {
	b = binary.AppendUvarint(b, s.LastMessageID)
	b = binary.AppendVarint(b, s.LastPinnedAt)
	b = binary.AppendVarint(b, int64(s.MentionCount))
	return binary.AppendUvarint(b, uint64(s.Version))
}

func (st *Store) put(k Key, enc []byte) {
	if len(st.chunks) == 0 || len(st.chunks[len(st.chunks)-1])+len(enc) > chunkSize {
		st.chunks = append(st.chunks, make([]byte, 0, chunkSize))
	}
	c := len(st.chunks) - 1
	off := len(st.chunks[c])
	st.chunks[c] = append(st.chunks[c], enc...)
	st.index[k] = uint64(c)<<32 | uint64(off)<<8 | uint64(len(enc))
}

// Load returns k's last saved state, clean, or a new zero state and false
// when k was never saved.
func (st *Store) Load(k Key) (State, bool) {
	pos, ok := st.index[k]
	if !ok {
		return State{}, false
	}
	c, off, n := pos>>32, pos>>8&(1<<24-1), pos&0xff
	b := st.chunks[c][off : off+n]
	var s State
	var v uint64
	var i int64
	v, b = uvarint(b)
	s.LastMessageID = v
	i, b = varint(b)
	s.LastPinnedAt = i
	i, b = varint(b)
	s.MentionCount = int32(i)
	v, _ = uvarint(b)
	s.Version = uint32(v)
	return s, true
}

// Len returns the number of states the store holds.
func (st *Store) Len() int { return len(st.index) }

func uvarint(b []byte) (uint64, []byte) {
	v, n := binary.Uvarint(b)
	return v, b[n:]
}

func varint(b []byte) (int64, []byte) {
	v, n := binary.Varint(b)
	return v, b[n:]
}
