package sweep

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress reports a sweep's progress on stderr: a bar that redraws
// itself on a terminal, else one plain line per run (for logs and CI).
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	term     bool
	total    int
	finished int // done before this call, or by it
	ran      int // finished by this call
	spent    time.Duration
	current  string
	repeat   int
	guess    time.Duration // a run's length before one finished: --duration
	started  time.Time     // of the current run
	ticker   *time.Ticker
	quit     chan struct{}
}

func newProgress(w io.Writer, term bool, total, skipped int) *progress {
	if w == nil {
		w = io.Discard
	}
	p := &progress{w: w, term: term, total: total, finished: skipped, quit: make(chan struct{})}
	if term {
		p.ticker = time.NewTicker(time.Second)
		go func() {
			for {
				select {
				case <-p.ticker.C:
					p.mu.Lock()
					p.draw()
					p.mu.Unlock()
				case <-p.quit:
					return
				}
			}
		}()
	}
	return p
}

func (p *progress) start(m *Manifest, todo int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.repeat = m.Repeat
	p.guess = m.Target.Duration
	configs := len(m.Grid.Points())
	msg := fmt.Sprintf("sweep: %s (%s × %d) of %s, one at a time", count(len(m.Runs), "run"), count(configs, "configuration"), m.Repeat, m.Target)
	if skipped := len(m.Runs) - todo; skipped > 0 {
		msg += fmt.Sprintf("; %d already done, %d to go", skipped, todo)
	}
	fmt.Fprintln(p.w, msg)
}

func (p *progress) begin(j Job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.current = fmt.Sprintf("%s, run %d of %d", j.Label(), j.Repeat, p.repeat)
	p.started = time.Now()
	if p.term {
		p.draw()
	}
}

func (p *progress) end(e Entry) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finished++
	p.ran++
	p.spent += time.Since(p.started)
	status := fmt.Sprintf("done in %.1fs", e.Seconds)
	if e.Status == StatusFailed {
		status = "FAILED: " + e.Error
	}
	if p.term {
		if e.Status == StatusFailed {
			fmt.Fprintf(p.w, "\r\033[K%s: %s\n", p.current, status)
		}
		p.current = ""
		p.draw()
		return
	}
	fmt.Fprintf(p.w, "sweep: [%d/%d] %s %s, ETA %s\n", p.finished, p.total, p.current, status, p.eta(false))
}

// eta is the time left at the mean duration of this call's runs so far
// (before the first one ends, at --duration per run, which is optimistic).
func (p *progress) eta(running bool) string {
	mean := p.guess
	if p.ran > 0 {
		mean = p.spent / time.Duration(p.ran)
	}
	if mean == 0 {
		return "?"
	}
	left := time.Duration(p.total-p.finished) * mean
	if running {
		left -= min(time.Since(p.started), mean)
	}
	return left.Round(time.Second).String()
}

// draw redraws the bar; the caller holds mu.
func (p *progress) draw() {
	const width = 24
	n := width * p.finished / max(p.total, 1)
	bar := strings.Repeat("=", n) + strings.Repeat(" ", width-n)
	line := fmt.Sprintf("[%s] %d/%d", bar, p.finished, p.total)
	if p.current != "" {
		line += fmt.Sprintf("  %s (%ds)", p.current, int(time.Since(p.started).Seconds()))
	}
	line += "  ETA " + p.eta(p.current != "")
	fmt.Fprintf(p.w, "\r\033[K%s", line)
}

func (p *progress) stop() {
	if p.ticker != nil {
		p.ticker.Stop()
		close(p.quit)
		p.mu.Lock()
		fmt.Fprintln(p.w)
		p.mu.Unlock()
	}
}

// count is "1 run", "6 runs".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
