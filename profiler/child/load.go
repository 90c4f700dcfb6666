package child

import (
	"context"
	"errors"

	"github.com/gcprobe/gcprobe/record"
)

// loadRun is Options.Load running beside the child.
type loadRun struct {
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

// startLoad starts load in a goroutine of its own; a nil load gives a nil
// *loadRun, whose doneC never fires.
func startLoad(load func(context.Context, *record.Writer) error, w *record.Writer) *loadRun {
	if load == nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &loadRun{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		l.err = load(ctx, w)
		if ctx.Err() != nil && (l.err == nil || errors.Is(l.err, context.Canceled)) {
			l.err = ErrExitedDuringLoad
		}
	}()
	return l
}

// doneC is closed when the load has returned.
func (l *loadRun) doneC() <-chan struct{} {
	if l == nil {
		return nil
	}
	return l.done
}

// finish cancels the load if it is still running (the child has exited),
// waits for it and returns its error.
func (l *loadRun) finish() error {
	if l == nil {
		return nil
	}
	select {
	case <-l.done:
	default:
		l.cancel()
		<-l.done
	}
	return l.err
}
