package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gcprobe/gcprobe/profiler/gctrace"
	"github.com/gcprobe/gcprobe/record"
)

const importHelp = `Turn a saved GODEBUG=gctrace=1 log into a run record.

The log may come from production (with time stamps, journald or kubectl
prefixes before each line, gzipped or not) or be pasted from an issue; program output,
scavenger and pacer lines between the GC lines are skipped. The formats of
Go 1.5 to Go 1.26 are read; Go 1.4 and older printed no time stamps and are
not supported.

Each GC cycle becomes one gc event at t = the end of the cycle, in seconds
since the traced program started: when the program started, what machine
it ran on and with which settings is not in the log, and the record says so
in a note. A cycle after a "GC forced" line is marked periodic.

gcprobe import prometheus reads a fleet from a Prometheus server instead:
see gcprobe import prometheus --help.

Examples:
  gcprobe import gctrace app.log            # writes app.jsonl
  kubectl logs pod/web-1 | gcprobe import gctrace - -o web-1.jsonl
  gcprobe import gctrace app.log -o - | gcprobe summary -`

// importFormats lists the log formats gcprobe import reads.
const importFormats = "gctrace, prometheus"

func cmdImport(ctx context.Context, io stdio, args []string) error {
	if len(args) > 0 && args[0] == "prometheus" { // its own flags
		return cmdImportPrometheus(ctx, io, args[1:])
	}
	fs := newFlags(io, "import", "gctrace [FILE|-] [-o OUT]", importHelp)
	output := fs.StringP("output", "o", "", "write the record to `OUT` (- for stdout; default: FILE with the extension .jsonl, or gctrace.jsonl for stdin)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() == 0:
		return usageErrorf("import: which format? (known: %s; see gcprobe import --help)", importFormats)
	case fs.Arg(0) != "gctrace":
		return usageErrorf("import: unknown format %q (known: %s)", fs.Arg(0), importFormats)
	case fs.NArg() > 2:
		return usageErrorf("import: gctrace takes one FILE, or - for stdin (got %d)", fs.NArg()-1)
	}
	input := "-"
	if fs.NArg() == 2 {
		input = fs.Arg(1)
	}
	if *output == "" {
		*output = defaultImportOutput(input)
	}
	if sameFile(input, *output) {
		return usageErrorf("import: --output %s would overwrite the log it reads", *output)
	}

	in, name, err := openImportInput(input, io.in)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer in.Close()
	out := &lazyRecord{path: *output, stdout: io.out}
	st, err := importGCTrace(ctx, in, name, out)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	fmt.Fprintf(io.err, "gcprobe: %s\n", st.line(name, out.path))
	return nil
}

// defaultImportOutput names the record after its input: app.log (or
// app.log.gz) gives app.jsonl beside it; stdin gives gctrace.jsonl in the
// current directory.
func defaultImportOutput(input string) string {
	if input == "-" {
		return "gctrace.jsonl"
	}
	base := strings.TrimSuffix(input, ".gz")
	out := strings.TrimSuffix(base, filepath.Ext(base)) + ".jsonl"
	if out == input { // the log is itself named .jsonl
		out = strings.TrimSuffix(input, ".jsonl") + ".gcprobe.jsonl"
	}
	return out
}

// sameFile reports whether two paths name one existing file ("-" is none).
func sameFile(a, b string) bool {
	if a == "-" || b == "-" {
		return false
	}
	ia, err := os.Stat(a)
	if err != nil {
		return false
	}
	ib, err := os.Stat(b)
	return err == nil && os.SameFile(ia, ib)
}

// openImportInput opens FILE, or stdin for "-", and returns the name to use
// in messages. Gzipped input (rotated production logs) is decompressed.
func openImportInput(input string, stdin io.Reader) (io.ReadCloser, string, error) {
	name, r := "stdin", io.NopCloser(stdin)
	if input != "-" {
		f, err := os.Open(input)
		if err != nil {
			return nil, "", err // *PathError: "open FILE: no such file or directory"
		}
		name, r = input, f
	}
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			r.Close()
			return nil, "", fmt.Errorf("%s: %w", name, err)
		}
		return readCloser{zr, r}, name, nil
	}
	return readCloser{br, r}, name, nil
}

// readCloser reads from one reader and closes another (the file under a
// buffer or a decompressor).
type readCloser struct {
	io.Reader
	io.Closer
}

// importStats counts what the log held.
type importStats struct {
	lines, cycles          int
	periodic, forced, leak int
	notices, scav, pacer   int
	legacy                 int // Go 1.4 lines, which are not read
	missing, restarts      int
	formats                [gctrace.Go126 + 1]bool
}

// skipped is the number of lines that did not become an event.
func (s *importStats) skipped() int { return s.lines - s.cycles }

// line is the one-line report printed at the end.
func (s *importStats) line(input, output string) string {
	dest := output
	if output == "-" {
		dest = "stdout"
	}
	return fmt.Sprintf("imported %d GC cycles (%d periodic, %d forced) from %s into %s; %d lines skipped (%d GC forced notices, %d scavenger, %d pacer, %d other)",
		s.cycles, s.periodic, s.forced, input, dest,
		s.skipped(), s.notices, s.scav, s.pacer, s.skipped()-s.notices-s.scav-s.pacer)
}

// importGCTrace reads a gctrace log and writes one gc event per cycle to
// out, which it opens at the first cycle: a log without cycles leaves no
// file behind.
func importGCTrace(ctx context.Context, r io.Reader, name string, out *lazyRecord) (*importStats, error) {
	st := &importStats{}
	p := gctrace.NewParser()
	var c clock
	var werr error // from writing the record, as opposed to reading the log
	err := forEachLine(r, func(line []byte) error {
		st.lines++
		if st.lines%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		gc, kind := p.Parse(line)
		switch kind {
		case gctrace.Cycle:
			werr = importCycle(st, &c, out, gc, p.Format(), name, st.lines)
			return werr
		case gctrace.ForcedNotice:
			st.notices++
		case gctrace.Scavenger:
			st.scav++
		case gctrace.Pacer:
			st.pacer++
		default:
			if gctrace.Legacy(line) {
				st.legacy++
			}
		}
		return nil
	})
	if ctx.Err() != nil {
		return st, fmt.Errorf("interrupted after %d lines of %s", st.lines, name)
	}
	if err != nil && err != werr {
		err = fmt.Errorf("%s: line %d: %w", name, st.lines+1, err)
	}
	if err != nil {
		return st, err
	}
	if st.cycles == 0 {
		return st, noCyclesError(st, name)
	}
	return st, finishImport(st, &c, out)
}

// clock places cycles on the record's time line. t is seconds since the
// traced program started; when the log holds a restart (time goes back),
// the later run is shifted to start where the earlier one ended, so that
// event times keep increasing.
type clock struct {
	prev   record.GC
	offset float64
	last   float64 // t of the last event
}

func importCycle(st *importStats, c *clock, out *lazyRecord, gc record.GC, f gctrace.Format, name string, line int) error {
	first := st.cycles == 0
	if first {
		if err := out.open(); err != nil {
			return err
		}
		if err := writeImportNotes(out.w, name, gc.EndSeconds); err != nil {
			return err
		}
	}
	if !first && gc.StartSeconds < c.prev.StartSeconds {
		st.restarts++
		c.offset = c.last
		gc.IntervalCPUSeconds = 0
		err := out.w.Write(record.Event{T: c.offset + gc.EndSeconds, Note: &record.Note{Level: record.NoteWarning,
			Message: fmt.Sprintf("%s:%d: the program restarted (gc %d @%.3fs after gc %d @%.3fs); its times are shifted by %.3fs to follow the previous run",
				name, line, gc.N, gc.StartSeconds, c.prev.N, c.prev.StartSeconds, c.offset)}})
		if err != nil {
			return err
		}
	} else if !first && gc.N > c.prev.N+1 {
		st.missing += int(gc.N - c.prev.N - 1)
	}
	st.cycles++
	st.formats[f] = true
	if gc.Periodic {
		st.periodic++
	}
	if gc.Forced {
		st.forced++
	}
	if gc.LeakCheck {
		st.leak++
	}
	c.prev = gc
	gc.StartSeconds += c.offset
	gc.EndSeconds += c.offset
	c.last = gc.EndSeconds
	return out.w.Write(record.Event{T: gc.EndSeconds, GC: &gc})
}

// writeImportNotes says what an imported record does not know.
func writeImportNotes(w *record.Writer, name string, t float64) error {
	for _, msg := range []string{
		fmt.Sprintf("imported from the gctrace log %s by gcprobe %s: event times are seconds since the traced program started; "+
			"the program's own start time is unknown, so the header's start is the time of the import", name, version()),
		"the host, Go version and GC settings (GOGC, GOMEMLIMIT, GOMAXPROCS) of the traced program are not in a gctrace log and are left empty; " +
			"heap sizes have a precision of 1 MiB (gctrace prints whole MB)",
	} {
		if err := w.Write(record.Event{T: t, Note: &record.Note{Level: record.NoteInfo, Message: msg}}); err != nil {
			return err
		}
	}
	return nil
}

// finishImport writes the notes that need the whole log, and the end.
func finishImport(st *importStats, c *clock, out *lazyRecord) error {
	var formats []string
	for f, seen := range st.formats {
		if seen {
			formats = append(formats, gctrace.Format(f).String())
		}
	}
	notes := []record.Note{{Level: record.NoteInfo,
		Message: fmt.Sprintf("gctrace format: %s; %d lines, %d GC cycles", strings.Join(formats, ", "), st.lines, st.cycles)}}
	if st.missing > 0 {
		notes = append(notes, record.Note{Level: record.NoteWarning,
			Message: fmt.Sprintf("%d GC cycles are missing from the log (gaps in the cycle numbers)", st.missing)})
	}
	if st.legacy > 0 {
		notes = append(notes, record.Note{Level: record.NoteWarning,
			Message: fmt.Sprintf("%d Go 1.4 gctrace lines were skipped: that format has no time stamps", st.legacy)})
	}
	for i := range notes {
		if err := out.w.Write(record.Event{T: c.last, Note: &notes[i]}); err != nil {
			return err
		}
	}
	// How the program ended is not in the log; the end says where the log did.
	return out.w.Write(record.Event{T: c.last, End: &record.End{Reason: record.EndImported}})
}

// noCyclesError explains why a log gave no cycles.
func noCyclesError(st *importStats, name string) error {
	switch {
	case st.lines == 0:
		return fmt.Errorf("%s: empty input: no gctrace lines found", name)
	case st.legacy > 0:
		return fmt.Errorf("%s: only Go 1.4 gctrace lines found (gcN(P): ... us), which gcprobe does not read: they have no time stamps (Go 1.5 and later are supported)", name)
	}
	return fmt.Errorf("%s: no gctrace lines found (was GODEBUG=gctrace=1 set?)", name)
}

// maxLine is the longest line kept whole; the rest of a longer line is
// dropped (no gctrace line comes close).
const maxLine = 64 << 10

// forEachLine calls fn with each line of r, without its newline. The slice
// is valid only during the call.
func forEachLine(r io.Reader, fn func(line []byte) error) error {
	br := bufio.NewReaderSize(r, maxLine)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if ferr := fn(line); ferr != nil {
				return ferr
			}
			for errors.Is(err, bufio.ErrBufferFull) { // skip the rest
				_, err = br.ReadSlice('\n')
			}
			if err == nil {
				continue
			}
		} else if len(line) > 0 {
			if ferr := fn(bytes.TrimSuffix(line, []byte("\n"))); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// lazyRecord is the output record, created at the first event: path "-" is
// stdout.
type lazyRecord struct {
	path   string
	stdout io.Writer
	f      *os.File
	w      *record.Writer
}

func (l *lazyRecord) open() error {
	var dst io.Writer = l.stdout
	if l.path != "-" {
		f, err := os.Create(l.path)
		if err != nil {
			return err
		}
		l.f, dst = f, f
	}
	w, err := record.NewWriter(dst, record.Header{Source: record.SourceImport, GCProbeVersion: version()})
	l.w = w
	return err
}

func (l *lazyRecord) Close() error {
	if l.f == nil {
		return nil
	}
	return l.f.Close()
}
