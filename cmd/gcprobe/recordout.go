package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gcprobe/gcprobe/analyze/live"
	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/profiler/child"
	"github.com/gcprobe/gcprobe/record"
)

// recordChild runs a child under gcprobe (gcprobe run, scenario run) with its
// record going to output ("" for a name made from base and the time, "-" for
// stdout), shown live when view is on, then prints the record's summary
// unless quiet. A record that got nothing because the child could not start
// is removed.
func recordChild(ctx context.Context, io stdio, opts child.Options, output, base string, quiet bool, view *liveFlags) (child.Result, error) {
	return recordChildWith(ctx, io, opts, output, base, quiet, view, nil)
}

// recordChildWith is recordChild with more arguments for the child, which
// may depend on the record's file name ("-" for stdout): extraArgs is
// called once the name is known, and may be nil.
func recordChildWith(ctx context.Context, io stdio, opts child.Options, output, base string, quiet bool, view *liveFlags,
	extraArgs func(recordName string) []string) (child.Result, error) {
	out, err := openRecord(output, base, io.out)
	if err != nil {
		return child.Result{}, err
	}
	if extraArgs != nil {
		opts.Command = append(opts.Command, extraArgs(out.name)...)
	}
	if out.name == "-" {
		opts.Stdout = io.err // keep the record on stdout clean
	}
	status := "recording to " + out.name
	if view.fullScreen(io) {
		// The program's output would scribble over the view: it goes to a
		// log beside the record.
		logPath := strings.TrimSuffix(out.name, filepath.Ext(out.name)) + ".log"
		logFile, err := os.Create(logPath)
		if err != nil {
			out.Close()
			out.remove()
			return child.Result{}, fmt.Errorf("the program's output log: %w", err)
		}
		defer logFile.Close()
		opts.Stdout, opts.Stderr = logFile, logFile
		status += "; the program's output to " + logPath
	}
	var res child.Result
	err = view.watch(ctx, io, io.err, status, func(ctx context.Context, m *live.Monitor) error {
		opts.Record = withMonitor(out, m)
		var err error
		res, err = child.Run(ctx, opts)
		return err
	})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if !out.written() {
			out.remove()
		}
		return res, err
	}
	if !quiet {
		printRunSummary(io.err, out)
	}
	return res, nil
}

// printRunSummary reads the record back and prints its summary.
func printRunSummary(w io.Writer, out *recordOut) {
	var run *record.Run
	var err error
	if out.name == "-" {
		run, err = record.Read(bytes.NewReader(out.copy.Bytes()), "<stdout>")
	} else {
		run, err = record.ReadFile(out.name)
	}
	if err != nil {
		fmt.Fprintf(w, "gcprobe: reading the record back: %v\n", err)
		return
	}
	fmt.Fprintln(w)
	if err := summary.WriteText(w, []summary.Summary{summary.Compute(run)}); err != nil {
		fmt.Fprintf(w, "gcprobe: %v\n", err)
	}
	if out.name != "-" {
		fmt.Fprintf(w, "gcprobe: record written to %s\n", out.name)
	}
}

// recordOut is where the record goes: a file, or stdout (name "-"), of which
// a copy is kept for the summary.
type recordOut struct {
	name string
	file *os.File  // nil for stdout
	w    io.Writer // what the record is written to
	copy bytes.Buffer
	n    int64
}

// openRecord opens the record's destination: path, "-" for stdout, or a new
// file named after the command and the time when path is "".
func openRecord(path, cmd string, stdout io.Writer) (*recordOut, error) {
	if path == "-" {
		o := &recordOut{name: "-"}
		o.w = io.MultiWriter(stdout, &o.copy)
		return o, nil
	}
	if path != "" {
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		return &recordOut{name: path, file: f, w: f}, nil
	}
	base := "gcprobe-" + safeName(filepath.Base(cmd)) + "-" + time.Now().Format("20060102-150405")
	for i := 1; ; i++ {
		name := base + ".jsonl"
		if i > 1 {
			name = fmt.Sprintf("%s-%d.jsonl", base, i)
		}
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) && i < 100 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &recordOut{name: name, file: f, w: f}, nil
	}
}

func (o *recordOut) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	o.n += int64(n)
	return n, err
}

func (o *recordOut) Close() error {
	if o.file == nil {
		return nil
	}
	return o.file.Close()
}

func (o *recordOut) written() bool { return o.n > 0 }

// remove deletes a record file that got nothing.
func (o *recordOut) remove() {
	if o.file != nil {
		os.Remove(o.name)
	}
}
