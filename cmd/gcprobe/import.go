package main

import (
	"context"
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
	out := &lazyFile{path: *output, stdout: io.out}
	opts := gctrace.ImportOptions{Name: name, Version: version()}
	if input != "-" {
		// The log's file name is all an import knows of the program.
		opts.Program = &record.Program{Name: filepath.Base(input), From: record.ProgramFromLogFile}
	}
	st, err := gctrace.Import(ctx, in, out, opts)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	fmt.Fprintf(io.err, "gcprobe: %s\n", importLine(st, name, out.path))
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
// in messages.
func openImportInput(input string, stdin io.Reader) (io.ReadCloser, string, error) {
	if input == "-" {
		return io.NopCloser(stdin), "stdin", nil
	}
	f, err := os.Open(input)
	if err != nil {
		return nil, "", err // *PathError: "open FILE: no such file or directory"
	}
	return f, input, nil
}

// importLine is the one-line report printed at the end.
func importLine(s *gctrace.ImportStats, input, output string) string {
	dest := output
	if output == "-" {
		dest = "stdout"
	}
	return fmt.Sprintf("imported %d GC cycles (%d periodic, %d forced) from %s into %s; %d lines skipped (%d GC forced notices, %d scavenger, %d pacer, %d other)",
		s.Cycles, s.Periodic, s.Forced, input, dest,
		s.Skipped(), s.Notices, s.Scavenger, s.Pacer, s.Skipped()-s.Notices-s.Scavenger-s.Pacer)
}

// lazyFile is the output, created at the first write, so that a log
// without cycles leaves no file behind: path "-" is stdout.
type lazyFile struct {
	path   string
	stdout io.Writer
	f      *os.File
}

func (l *lazyFile) Write(b []byte) (int, error) {
	if l.path == "-" {
		return l.stdout.Write(b)
	}
	if l.f == nil {
		f, err := os.Create(l.path)
		if err != nil {
			return 0, err
		}
		l.f = f
	}
	return l.f.Write(b)
}

func (l *lazyFile) Close() error {
	if l.f == nil {
		return nil
	}
	return l.f.Close()
}
