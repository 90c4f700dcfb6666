package scenarios

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/gcprobe/gcprobe/loadgen"
	"github.com/gcprobe/gcprobe/record"
)

// jsonStream is an event pipeline: each request is a JSON event that is
// decoded, enriched with a lookup, added to a per-user aggregate over a
// sliding window of --window, and answered with the aggregate encoded as
// JSON. Decoding and encoding make short-lived garbage; the window keeps
// every enriched event of the last --window alive (rate x window events full
// of strings and pointers), a retained heap that the GC must mark on every
// cycle and that dies old — the generational pattern Go's GC does not
// special-case.
func jsonStream() Scenario {
	s := Scenario{
		Name: "jsonstream",
		Doc:  "event pipeline: decode JSON, enrich, aggregate over a sliding window, encode",
		Params: append(commonParams("20s", "2s", "10000"),
			Param{"window", Duration, "10s", "how long the sliding window keeps each event"},
			Param{"users", Int, "10000", "distinct users the events come from"},
		),
	}
	s.Prepare = func(p *Params) (Workload, error) {
		j := &jsonRun{load: p.Load(s), window: p.Duration("window"), users: int(p.Int("users"))}
		switch {
		case p.Err() != nil:
		case j.window <= 0:
			p.Errorf("window", "must be above 0")
		case j.users < 1:
			p.Errorf("users", "%d: want at least 1", j.users)
		}
		if p.Err() == nil {
			p.checkFits("window", "the events it keeps at --rate", uint64(j.load.Rate*j.window.Seconds())*400)
		}
		if err := p.Err(); err != nil {
			return nil, err
		}
		return j.run, nil
	}
	return s
}

type jsonRun struct {
	load   Load
	window time.Duration
	users  int
}

// jsonEvent is an incoming event.
type jsonEvent struct {
	TS     int64    `json:"ts"`
	User   string   `json:"user"`
	Kind   string   `json:"kind"`
	Value  float64  `json:"value"`
	Tags   []string `json:"tags"`
	Region string   `json:"region,omitempty"` // added by enrichment
	Tier   string   `json:"tier,omitempty"`
}

// windowAgg is one user's aggregate over the window.
type windowAgg struct {
	User       string  `json:"user"`
	Count      int     `json:"count"`
	Sum        float64 `json:"sum"`
	LastKind   string  `json:"last_kind"`
	WindowSecs float64 `json:"window_seconds"`
}

type slidingWindow struct {
	mu     sync.Mutex
	events []*jsonEvent // in arrival order; head is the oldest kept
	head   int
	aggs   map[string]*windowAgg
}

func (w *slidingWindow) add(e *jsonEvent, cutoff int64) windowAgg {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.head < len(w.events) && w.events[w.head].TS < cutoff {
		old := w.events[w.head]
		w.events[w.head] = nil
		w.head++
		if a := w.aggs[old.User]; a != nil {
			a.Count--
			a.Sum -= old.Value
			if a.Count == 0 {
				delete(w.aggs, old.User)
			}
		}
	}
	if w.head > len(w.events)/2 && w.head > 1024 {
		w.events = append(w.events[:0], w.events[w.head:]...)
		w.head = 0
	}
	w.events = append(w.events, e)
	a := w.aggs[e.User]
	if a == nil {
		a = &windowAgg{User: e.User}
		w.aggs[e.User] = a
	}
	a.Count++
	a.Sum += e.Value
	a.LastKind = e.Kind
	return *a
}

func (j *jsonRun) run(ctx context.Context, env Env) error {
	win := &slidingWindow{aggs: map[string]*windowAgg{}}
	users := make([]string, j.users)
	tier := make(map[string]string, j.users) // the enrichment lookup
	for i := range users {
		users[i] = "user-" + strconv.Itoa(i)
		tier[users[i]] = [...]string{"free", "plus", "pro"}[i%3]
	}
	kinds := [...]string{"view", "click", "purchase", "share"}
	regions := [...]string{"eu-west", "us-east", "ap-south"}
	var outBytes [256]uint64
	res, err := loadgen.Run(ctx, loadgen.Config{
		Rate: j.load.Rate, Workers: 8, Warmup: j.load.Warmup, Duration: j.load.Duration - j.load.Warmup,
		Record: env.Record,
	}, func(r loadgen.Request) {
		h := mix64(j.load.Seed ^ r.Seq*0x9e3779b97f4a7c15)
		// The event as it arrives on the wire.
		in := fmt.Appendf(nil, `{"ts":%d,"user":%q,"kind":%q,"value":%d.%02d,"tags":["src-%d","v2"]}`,
			r.Intended.UnixNano(), users[h%uint64(j.users)], kinds[h>>20%4], h>>24%1000, h>>34%100, h>>40%16)
		e := new(jsonEvent)
		if err := json.Unmarshal(in, e); err != nil {
			panic(err) // we wrote it: a bug
		}
		e.Region = regions[h>>44%3]
		e.Tier = tier[e.User]
		agg := win.add(e, time.Now().Add(-j.window).UnixNano())
		agg.WindowSecs = j.window.Seconds()
		out, _ := json.Marshal(agg)
		outBytes[r.Worker%len(outBytes)] += uint64(len(out))
	})
	if err != nil {
		return err
	}
	win.mu.Lock()
	kept := len(win.events) - win.head
	win.mu.Unlock()
	env.Record.Note(record.NoteInfo, "jsonstream: %d events, %d kept in the %v window at the end", res.Sent, kept, j.window)
	fmt.Fprintf(env.Out, "jsonstream: %d events at %g/s, window %v (%d events kept): p50 %v, p99 %v, max %v\n",
		res.Sent, j.load.Rate, j.window, kept, res.Hist.Quantile(0.5), res.Hist.Quantile(0.99), res.Hist.Quantile(1))
	fmt.Fprint(io.Discard, outBytes[0])
	return nil
}

func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
