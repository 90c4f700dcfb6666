package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/gcprobe/gcprobe/analyze/live"
	"github.com/gcprobe/gcprobe/cmd/gcprobe/internal/liveview"
)

// liveFlags are the live view's flags, shared by top, attach, run and
// scenario run.
type liveFlags struct {
	on      bool
	plain   bool
	window  time.Duration
	refresh time.Duration
	prefix  string // of the flag names: "" for top, "live-" elsewhere
}

// addLiveFlags defines the live view's flags on fs. A command that is the
// live view (top) has it always on and plain flag names; elsewhere --live
// turns it on and the other flags are --live-*, clear of the names that
// scenarios give their own parameters.
func addLiveFlags(fs *pflag.FlagSet, always bool) *liveFlags {
	v := &liveFlags{on: always}
	prefix := ""
	if !always {
		prefix = "live-"
		fs.BoolVar(&v.on, "live", false, "show the GC live while recording: full screen on a terminal (q to stop), a line per --live-refresh elsewhere")
	}
	plainHelp := "live view as plain key=value lines, even on a terminal"
	if !always {
		plainHelp += " (implies --live)"
	}
	fs.BoolVar(&v.plain, prefix+"plain", false, plainHelp)
	fs.DurationVar(&v.window, prefix+"window", 30*time.Second, "the live view's figures cover this much of the recent run")
	fs.DurationVar(&v.refresh, prefix+"refresh", time.Second, "time between live view updates")
	v.prefix = prefix
	return v
}

// check validates the flags, naming the one at fault, and turns the view
// on for --live-plain alone (asking for its lines is asking for the view).
// output is the record's -o: a full-screen view and a record on the
// terminal cannot share it.
func (v *liveFlags) check(io stdio, output string) error {
	v.on = v.on || v.plain
	switch {
	case v.window < time.Second:
		return usageErrorf("--%swindow must be at least 1s", v.prefix)
	case v.refresh < 100*time.Millisecond:
		return usageErrorf("--%srefresh must be at least 100ms", v.prefix)
	case v.fullScreen(io) && output == "-":
		return usageErrorf("-o - would write the record over the live view: give -o FILE, or --%splain", v.prefix)
	}
	return nil
}

// fullScreen reports whether the view takes the terminal, in which case the
// observed program's own output must go elsewhere.
func (v *liveFlags) fullScreen(io stdio) bool {
	return v.on && !v.plain && isTerminal(io.out)
}

// watch runs record while the live view shows what it writes. record gets
// the Monitor to copy the record into (nil when the view is off; see
// withMonitor) and a context that ends when the user quits the view, which
// must end the recording with a complete record. Plain lines go to lines.
func (v *liveFlags) watch(ctx context.Context, io stdio, lines io.Writer, status string,
	record func(ctx context.Context, m *live.Monitor) error) error {
	if !v.on {
		return record(ctx, nil)
	}
	mon := live.New(live.Options{Window: v.window})
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan struct{})
	var err error
	go func() {
		defer close(done)
		err = record(rctx, mon)
	}()
	o := liveview.Options{Monitor: mon, Interval: v.refresh, Done: done, Stop: stop, Status: status,
		NoColor: os.Getenv("NO_COLOR") != ""}
	if v.fullScreen(io) {
		in := io.in
		if !isTerminal(in) {
			in = nil // no keys to read: Ctrl-C still interrupts
		}
		if verr := liveview.Terminal(ctx, in, io.out, o); verr != nil {
			stop()
			<-done
			return fmt.Errorf("live view: %w", verr)
		}
	} else {
		liveview.Lines(lines, o)
	}
	<-done
	return err
}

// withMonitor copies what is written to w into m as well, when there is one.
func withMonitor(w io.Writer, m *live.Monitor) io.Writer {
	if m == nil {
		return w
	}
	return io.MultiWriter(w, m)
}
