package gctrace

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gcprobe/gcprobe/internal/fetch"
	"github.com/gcprobe/gcprobe/record"
)

// ImportOptions say how Import names what it reads.
type ImportOptions struct {
	// Name is the log's name in notes and errors ("app.log", "stdin").
	Name string
	// Version is the importing gcprobe's version, for the header and notes.
	Version string
	// Program, when set, names the program in the header (for a log
	// file, its name).
	Program *record.Program
}

// ImportStats counts what a log held.
type ImportStats struct {
	Lines, Cycles          int
	Periodic, Forced, Leak int
	// Notices are "GC forced" lines, Scavenger and Pacer those lines.
	Notices, Scavenger, Pacer int
	// Legacy counts Go 1.4 lines, which have no time stamps and are not read.
	Legacy int
	// Missing counts cycles absent from the log (gaps in the numbers);
	// Restarts the times the program started again within the log.
	Missing, Restarts int
	formats           [Go126 + 1]bool
}

// Skipped is the number of lines that did not become an event.
func (s *ImportStats) Skipped() int { return s.Lines - s.Cycles }

// Import reads a GODEBUG=gctrace=1 log (gzipped or not, with any prefixes
// before its lines) and writes a run record of it to out: a header, notes
// that say what a log does not know, one gc event per cycle at the cycle's
// end, and an imported end. Times are seconds since the traced program
// started; a restart within the log (time going back) is shifted to follow
// the previous run. Nothing is written to out when the log holds no cycle,
// so that a lazily created file is never left empty; the error then says
// why. Reading stops when ctx is done.
func Import(ctx context.Context, r io.Reader, out io.Writer, opts ImportOptions) (*ImportStats, error) {
	r, err := gunzipped(r, opts.Name)
	if err != nil {
		return &ImportStats{}, err
	}
	im := &importer{opts: opts, out: out, st: &ImportStats{}}
	return im.st, im.run(ctx, r)
}

// gunzipped returns r, decompressed when it is gzipped (a rotated log).
func gunzipped(r io.Reader, name string) (io.Reader, error) {
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); fetch.IsGzip(magic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return zr, nil
	}
	return br, nil
}

// importer is one Import: the record it writes and the clock that places
// cycles on it.
type importer struct {
	opts ImportOptions
	out  io.Writer
	w    *record.Writer // created at the first cycle
	st   *ImportStats
	// prev is the previous cycle as the log has it; offset moves the
	// current run of the program to follow the previous one; last is the
	// time of the last event.
	prev   record.GC
	offset float64
	last   float64
}

func (im *importer) run(ctx context.Context, r io.Reader) error {
	st, name := im.st, im.opts.Name
	p := NewParser()
	var werr error // from writing the record, as opposed to reading the log
	err := forEachLine(r, func(line []byte) error {
		st.Lines++
		if st.Lines%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		gc, kind := p.Parse(line)
		switch kind {
		case Cycle:
			werr = im.cycle(gc, p.Format())
			return werr
		case ForcedNotice:
			st.Notices++
		case Scavenger:
			st.Scavenger++
		case Pacer:
			st.Pacer++
		default:
			if Legacy(line) {
				st.Legacy++
			}
		}
		return nil
	})
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted after %d lines of %s", st.Lines, name)
	}
	if err != nil && err != werr {
		err = fmt.Errorf("%s: line %d: %w", name, st.Lines+1, err)
	}
	if err != nil {
		return err
	}
	if st.Cycles == 0 {
		return noCyclesError(st, name)
	}
	return im.finish()
}

func (im *importer) cycle(gc record.GC, f Format) error {
	st := im.st
	first := st.Cycles == 0
	if first {
		w, err := record.NewWriter(im.out, record.Header{Source: record.SourceImport, Program: im.opts.Program, GCProbeVersion: im.opts.Version})
		if err != nil {
			return err
		}
		im.w = w
		if err := im.writeNotes(gc.EndSeconds); err != nil {
			return err
		}
	}
	if !first && gc.StartSeconds < im.prev.StartSeconds {
		st.Restarts++
		im.offset = im.last
		gc.IntervalCPUSeconds = 0
		err := im.w.Write(record.Event{T: im.offset + gc.EndSeconds, Note: &record.Note{Level: record.NoteWarning,
			Message: fmt.Sprintf("%s:%d: the program restarted (gc %d @%.3fs after gc %d @%.3fs); its times are shifted by %.3fs to follow the previous run",
				im.opts.Name, st.Lines, gc.N, gc.StartSeconds, im.prev.N, im.prev.StartSeconds, im.offset)}})
		if err != nil {
			return err
		}
	} else if !first && gc.N > im.prev.N+1 {
		st.Missing += int(gc.N - im.prev.N - 1)
	}
	st.Cycles++
	st.formats[f] = true
	if gc.Periodic {
		st.Periodic++
	}
	if gc.Forced {
		st.Forced++
	}
	if gc.LeakCheck {
		st.Leak++
	}
	im.prev = gc
	e := record.Event{T: gc.EndSeconds, GC: &gc}
	record.Shift(&e, im.offset)
	im.last = e.T
	return im.w.Write(e)
}

// writeNotes says what an imported record does not know.
func (im *importer) writeNotes(t float64) error {
	for _, msg := range []string{
		fmt.Sprintf("imported from the gctrace log %s by gcprobe %s: event times are seconds since the traced program started; "+
			"the program's own start time is unknown, so the header's start is the time of the import", im.opts.Name, im.opts.Version),
		"the host, Go version and GC settings (GOGC, GOMEMLIMIT, GOMAXPROCS) of the traced program are not in a gctrace log and are left empty; " +
			"heap sizes have a precision of 1 MiB (gctrace prints whole MB)",
	} {
		if err := im.w.Write(record.Event{T: t, Note: &record.Note{Level: record.NoteInfo, Message: msg}}); err != nil {
			return err
		}
	}
	return nil
}

// finish writes the notes that need the whole log, and the end.
func (im *importer) finish() error {
	st := im.st
	var formats []string
	for f, seen := range st.formats {
		if seen {
			formats = append(formats, Format(f).String())
		}
	}
	notes := []record.Note{{Level: record.NoteInfo,
		Message: fmt.Sprintf("gctrace format: %s; %d lines, %d GC cycles", strings.Join(formats, ", "), st.Lines, st.Cycles)}}
	if st.Missing > 0 {
		notes = append(notes, record.Note{Level: record.NoteWarning,
			Message: fmt.Sprintf("%d GC cycles are missing from the log (gaps in the cycle numbers)", st.Missing)})
	}
	if st.Legacy > 0 {
		notes = append(notes, record.Note{Level: record.NoteWarning,
			Message: fmt.Sprintf("%d Go 1.4 gctrace lines were skipped: that format has no time stamps", st.Legacy)})
	}
	for i := range notes {
		if err := im.w.Write(record.Event{T: im.last, Note: &notes[i]}); err != nil {
			return err
		}
	}
	// How the program ended is not in the log; the end says where the log did.
	return im.w.Write(record.Event{T: im.last, End: &record.End{Reason: record.EndImported}})
}

// noCyclesError explains why a log gave no cycles.
func noCyclesError(st *ImportStats, name string) error {
	switch {
	case st.Lines == 0:
		return fmt.Errorf("%s: empty input: no gctrace lines found", name)
	case st.Legacy > 0:
		return fmt.Errorf("%s: only Go 1.4 gctrace lines found (gcN(P): ... us), which gcprobe does not read: they have no time stamps (Go 1.5 and later are supported)", name)
	}
	return fmt.Errorf("%s: no gctrace lines found (was GODEBUG=gctrace=1 set?)", name)
}

// maxLine is the longest line kept whole; the rest of a longer line is
// dropped (no gctrace line comes close).
const maxLine = 64 << 10

// forEachLine calls fn with each line of r, without its newline (a line
// longer than maxLine is cut there). The slice is valid only during the
// call.
func forEachLine(r io.Reader, fn func(line []byte) error) error {
	lines := record.NewLineReader(r, maxLine)
	for {
		line, err := lines.Next()
		if len(line) > 0 {
			if ferr := fn(bytes.TrimSuffix(line, []byte("\n"))); ferr != nil {
				return ferr
			}
		}
		switch {
		case err == nil, errors.Is(err, record.ErrLineTooLong):
		case err == io.EOF:
			return nil
		default:
			return err
		}
	}
}
