package scenarios

import (
	"context"
	"fmt"
	"sync"

	"github.com/gcprobe/gcprobe/loadgen"
	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/units"
)

// leak is a known answer for telling a leak from growth: a service under
// steady load (each request builds --garbage bytes of short-lived data over
// a fixed --live set) that also keeps --leak bytes a second in a map it
// never deletes from, as a cache without eviction does. The live heap grows
// by --leak a second (plus the map's own few bytes an entry); the steady
// scenario is the same service without the leak.
func leak() Scenario {
	s := Scenario{
		Name: "leak",
		Doc:  "steady load over a fixed live set, plus a map that keeps --leak bytes a second and never shrinks",
		Params: append(commonParams("30s", "2s", "1000"),
			Param{"leak", String, "1MiB", "bytes a second kept forever in a map, in 4 KiB values"},
			Param{"base", String, "32MiB", "the fixed live set the requests read"},
			Param{"garbage", String, "64KiB", "short-lived bytes each request allocates"},
		),
	}
	s.Prepare = func(p *Params) (Workload, error) { return prepareService(p, s, true) }
	return s
}

// leakValue is the size of one kept value: a size class of its own (4096),
// so that the bytes kept are the bytes asked for.
const leakValue = 4096

// service is the leak and steady scenarios' workload.
type service struct {
	name                string
	load                Load
	leak, live, garbage uint64 // bytes
}

func prepareService(p *Params, s Scenario, withLeak bool) (Workload, error) {
	sv := &service{name: s.Name, load: p.Load(s)}
	size := func(name string) uint64 {
		if p.Err() != nil {
			return 0
		}
		v, err := units.ParseSize(p.String(name))
		if err != nil {
			p.Errorf(name, "%s: %v", p.String(name), err)
		}
		return v
	}
	if withLeak {
		sv.leak = size("leak")
		if p.Err() == nil && sv.leak == 0 {
			p.Errorf("leak", "must be above 0 (the steady scenario has no leak)")
		}
	}
	sv.live, sv.garbage = size("base"), size("garbage")
	if p.Err() == nil && sv.garbage > 64<<20 {
		p.Errorf("garbage", "%s: at most 64MiB a request", p.String("garbage"))
	}
	if p.Err() == nil {
		kept := sv.live + uint64(sv.load.Duration.Seconds()*float64(sv.leak))
		p.checkFits("base", "the live set and the leak's growth over --duration", kept)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return sv.run, nil
}

func (sv *service) run(ctx context.Context, env Env) error {
	live := make([][]byte, sv.live/leakValue)
	for i := range live {
		live[i] = make([]byte, leakValue)
		live[i][0] = byte(i)
	}
	var (
		mu      sync.Mutex
		kept    = map[uint64][]byte{}
		owed    float64 // bytes of leak due but not yet kept
		perReq  = float64(sv.leak) / sv.load.Rate
		sum     uint64
		garbage = int(sv.garbage)
	)
	if sv.leak > 0 {
		env.Record.Note(record.NoteInfo, "leak: keeps %s a second (%d-byte values in a map never deleted from) over a %s live set",
			units.Bytes(float64(sv.leak)), leakValue, units.Bytes(float64(sv.live)))
	}
	res, err := loadgen.Run(ctx, loadgen.Config{
		Rate: sv.load.Rate, Workers: 64, Warmup: sv.load.Warmup, Duration: sv.load.Duration - sv.load.Warmup,
		Record: env.Record, Op: "request",
	}, func(r loadgen.Request) {
		// Read the live set and build a short-lived response.
		src := live[int(r.Seq)%max(len(live), 1)]
		buf := make([]byte, garbage)
		for i := 0; i < len(buf); i += 512 {
			buf[i] = src[i%leakValue]
		}
		mu.Lock()
		sum += uint64(buf[len(buf)/2])
		if perReq > 0 {
			owed += perReq
			for owed >= leakValue {
				owed -= leakValue
				v := make([]byte, leakValue)
				v[0] = byte(r.Seq)
				kept[uint64(len(kept))] = v
			}
		}
		mu.Unlock()
	})
	if err != nil {
		return err
	}
	mu.Lock()
	n := len(kept)
	mu.Unlock()
	fmt.Fprintf(env.Out, "%s: %d requests at %g/s: p50 %v, p99 %v; %d values (%s) kept by the leak\n",
		sv.name, res.Sent, sv.load.Rate, res.Hist.Quantile(0.5), res.Hist.Quantile(0.99), n, units.Bytes(float64(n*leakValue)))
	return nil
}
