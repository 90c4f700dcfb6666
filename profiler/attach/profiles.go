package attach

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gcprobe/gcprobe/internal/fetch"
	"github.com/gcprobe/gcprobe/record"
)

// ProfileKinds are the profiles --profiles may name: those net/http/pprof
// serves as snapshots.
var ProfileKinds = []string{"heap", "allocs", "goroutine", "block", "mutex", "threadcreate"}

// pprofClient fetches pprof profiles and stores them beside the record.
type pprofClient struct {
	f    *fetcher
	url  string // .../debug/pprof/
	base string // path prefix of the files: base + ".heap.start.pb.gz"
}

// capture fetches the profile kind (or a CPU profile of length cpu, when
// kind is "cpu"), writes it to its file, and returns the event's payload.
func (p *pprofClient) capture(ctx context.Context, kind, when string, cpu time.Duration) (*record.Profile, error) {
	url, extra, name := p.url+kind, time.Duration(0), kind
	if kind == "cpu" {
		url, extra = fmt.Sprintf("%sprofile?seconds=%d", p.url, int(cpu.Round(time.Second)/time.Second)), cpu
	}
	if when != "" {
		name += "." + when
	}
	body, err := p.f.get(ctx, url, "", maxProfileBody, extra)
	if err != nil {
		return nil, fmt.Errorf("%s profile: %w", kind, err)
	}
	// Every profile net/http/pprof serves in the proto format is gzipped.
	if !fetch.IsGzip(body) {
		what := "not a pprof profile"
		if looksLikeHTML(body) {
			what = "an HTML page, not a pprof profile (is net/http/pprof mounted?)"
		}
		return nil, fmt.Errorf("%s profile: GET %s answered %s", kind, url, what)
	}
	path := p.base + "." + name + ".pb.gz"
	if err := os.WriteFile(path, body, 0o644); err != nil {
		return nil, fmt.Errorf("%s profile: %v", kind, err)
	}
	pr := &record.Profile{Kind: kind, Path: filepath.Base(path), When: when}
	if kind == "cpu" {
		pr.DurationSeconds = cpu.Seconds()
	}
	return pr, nil
}
