package lru

import (
	"math/rand/v2"
)

// Workload describes the traffic of a Read States service: which read
// states are asked for, and what is done to them. Both the user and, for a
// user, the channel are drawn from Zipf distributions, so a few users are
// very active and each user has a few channels they read most.
type Workload struct {
	Seed uint64
	// Users and Channels (per user) bound the key space.
	Users, Channels uint64
	// UserSkew and ChannelSkew are the Zipf exponents (above 1).
	UserSkew, ChannelSkew float64
}

// DefaultWorkload returns the workload for a cache of the given capacity:
// a key space of capacity/4 users with up to 100 channels each, 25 times
// the cache, of which the skew keeps most requests on cached states.
func DefaultWorkload(seed uint64, capacity int) Workload {
	return Workload{Seed: seed, Users: max(uint64(capacity)/4, 100), Channels: 100, UserSkew: 1.1, ChannelSkew: 1.3}
}

// Mix of operations, in percent: mostly reads, as clients ask for unread
// markers far more often than users read or are mentioned.
const (
	pctRead    = 60
	pctAck     = 22
	pctMention = 15
	// the rest (3%) are resets
)

// Ops draws the operations of a workload. Op(seq) depends only on the
// workload and seq, not on what was drawn before, so concurrent workers
// drawing the requests they are given reproduce the same sequence. An Ops is
// not safe for concurrent use; give each worker its own.
type Ops struct {
	w        Workload
	src      splitMix
	users    *rand.Zipf
	channels *rand.Zipf
	r        *rand.Rand
}

// NewOps returns a source of w's operations.
func (w Workload) NewOps() *Ops {
	o := &Ops{w: w}
	o.r = rand.New(&o.src)
	o.users = rand.NewZipf(o.r, w.UserSkew, 1, w.Users-1)
	o.channels = rand.NewZipf(o.r, w.ChannelSkew, 1, w.Channels-1)
	return o
}

// Op returns operation number seq, happening at now.
func (o *Ops) Op(seq uint64, now int64) Op {
	o.src.state = o.w.Seed*0x9e3779b97f4a7c15 ^ seq
	o.src.Uint64()
	k := o.w.key(o.users.Uint64(), o.channels.Uint64())
	op := Op{Key: k, Now: now}
	switch p := o.r.IntN(100); {
	case p < pctRead:
		op.Kind = Read
	case p < pctRead+pctAck:
		op.Kind = Ack
		// Snowflake-like: milliseconds in the high bits, so acks move forward.
		op.MessageID = uint64(now/1e6)<<22 | seq&(1<<22-1)
	case p < pctRead+pctAck+pctMention:
		op.Kind = Mention
	default:
		op.Kind = Reset
	}
	return op
}

// FillKey returns the i-th key to fill a cache with: every user's favourite
// channel first, then every user's second, and so on.
func (w Workload) FillKey(i uint64) Key {
	return w.key(i%w.Users, i/w.Users%w.Channels)
}

// FillState returns a plausible clean state for the i-th filled key.
func FillState(i uint64) State {
	return State{LastMessageID: 1<<40 + i*7919, LastPinnedAt: 1_700_000_000_000 + int64(i%86_400_000), MentionCount: int32(i % 3), Version: uint32(i%5 + 1)}
}

// key names a user's rank-th channel: channel IDs differ per user.
func (w Workload) key(userRank, channelRank uint64) Key {
	return Key{User: userRank + 1, Channel: mix(userRank<<20^channelRank) | 1}
}

// splitMix is SplitMix64, a rand.Source whose state Op sets per operation.
type splitMix struct{ state uint64 }

func (s *splitMix) Uint64() uint64 {
	s.state += 0x9e3779b97f4a7c15
	return mix(s.state)
}

func mix(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
