package scenarios

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/gcprobe/gcprobe/loadgen"
	"github.com/gcprobe/gcprobe/record"
)

// fanout is streaming pub/sub: messages published at --rate, each encoded
// once and fanned out to --subscribers bounded queues, where a consumer per
// subscriber decodes its own copy. A message's latency runs from its
// intended send time until every subscriber has decoded it, so a full queue
// (backpressure) or a GC-starved consumer shows as latency. --pool reuses
// the encode and decode buffers through sync.Pool, the usual fix for this
// kind of garbage; compare a run with and without it.
func fanout() Scenario {
	s := Scenario{
		Name: "fanout",
		Doc:  "streaming pub/sub: messages encoded, fanned out to bounded subscriber queues and decoded",
		Params: append(commonParams("20s", "2s", "5000"),
			Param{"subscribers", Int, "16", "subscribers each message goes to"},
			Param{"queue", Int, "64", "capacity of each subscriber's queue"},
			Param{"size", Int, "1024", "payload bytes per message"},
			Param{"pool", Bool, "false", "reuse encode and decode buffers through sync.Pool"},
		),
	}
	s.Prepare = func(p *Params) (Workload, error) {
		f := &fanoutRun{load: p.Load(s), subscribers: int(p.Int("subscribers")), queue: int(p.Int("queue")),
			size: int(p.Int("size")), pool: p.Bool("pool")}
		switch {
		case p.Err() != nil:
		case f.subscribers < 1 || f.subscribers > 10000:
			p.Errorf("subscribers", "%d: want 1 to 10000", f.subscribers)
		case f.queue < 1:
			p.Errorf("queue", "%d: want at least 1", f.queue)
		case f.size < 0 || f.size > 1<<24:
			p.Errorf("size", "%d: want 0 to 16MiB", f.size)
		}
		if p.Err() == nil {
			// Messages in flight: every queue full, each holding a decoded copy.
			p.checkFits("queue", fmt.Sprintf("%d full queues of %d-byte messages", f.subscribers, f.size),
				uint64(f.subscribers)*uint64(f.queue)*uint64(f.size+64)*2)
		}
		if err := p.Err(); err != nil {
			return nil, err
		}
		return f.run, nil
	}
	return s
}

type fanoutRun struct {
	load                     Load
	subscribers, queue, size int
	pool                     bool
}

// envelope is one published message on its way to the subscribers.
type envelope struct {
	buf  *[]byte // encoded message, shared read-only by every subscriber
	left atomic.Int32
	done sync.WaitGroup
}

const fanoutHeader = 16 // seq, intended send time

func (f *fanoutRun) run(ctx context.Context, env Env) error {
	var bufs, decoded sync.Pool
	getBuf := func(pool *sync.Pool, n int) *[]byte {
		if f.pool {
			if b, ok := pool.Get().(*[]byte); ok && cap(*b) >= n {
				*b = (*b)[:n]
				return b
			}
		}
		b := make([]byte, n)
		return &b
	}
	putBuf := func(pool *sync.Pool, b *[]byte) {
		if f.pool {
			pool.Put(b)
		}
	}

	queues := make([]chan *envelope, f.subscribers)
	var consumers sync.WaitGroup
	var checksum atomic.Uint64
	for i := range queues {
		queues[i] = make(chan *envelope, f.queue)
		consumers.Go(func() {
			for e := range queues[i] {
				// Decode: the consumer's own copy of the message.
				in := *e.buf
				msg := getBuf(&decoded, len(in)-fanoutHeader)
				seq := binary.LittleEndian.Uint64(in)
				copy(*msg, in[fanoutHeader:])
				checksum.Add(seq + uint64(len(*msg)))
				putBuf(&decoded, msg)
				if e.left.Add(-1) == 0 {
					putBuf(&bufs, e.buf)
				}
				e.done.Done()
			}
		})
	}

	payload := make([]byte, f.size)
	for i := range payload {
		payload[i] = byte(i * 31)
	}
	res, err := loadgen.Run(ctx, loadgen.Config{
		Rate: f.load.Rate, Workers: 256, Warmup: f.load.Warmup, Duration: f.load.Duration - f.load.Warmup,
		Record: env.Record, Op: "deliver",
	}, func(r loadgen.Request) {
		e := &envelope{buf: getBuf(&bufs, fanoutHeader+f.size)}
		b := *e.buf
		binary.LittleEndian.PutUint64(b, r.Seq)
		binary.LittleEndian.PutUint64(b[8:], uint64(r.Intended.UnixNano()))
		copy(b[fanoutHeader:], payload)
		e.left.Store(int32(f.subscribers))
		e.done.Add(f.subscribers)
		for _, q := range queues {
			q <- e // blocks on a full queue: backpressure
		}
		e.done.Wait()
	})
	for _, q := range queues {
		close(q)
	}
	consumers.Wait()
	if err != nil {
		return err
	}
	pooled := "without"
	if f.pool {
		pooled = "with"
	}
	env.Record.Note(record.NoteInfo, "fanout: %d messages to %d subscribers (%d deliveries) %s sync.Pool; %d found every publisher busy",
		res.Sent, f.subscribers, res.Sent*uint64(f.subscribers), pooled, res.Late)
	fmt.Fprintf(env.Out, "fanout: %d messages x %d subscribers at %g/s %s sync.Pool: delivery p50 %v, p99 %v, max %v\n",
		res.Sent, f.subscribers, f.load.Rate, pooled, res.Hist.Quantile(0.5), res.Hist.Quantile(0.99), res.Hist.Quantile(1))
	return nil
}
