package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/gcprobe/gcprobe/analyze/profiles"
	tracean "github.com/gcprobe/gcprobe/analyze/trace"
	"github.com/gcprobe/gcprobe/units"
	"github.com/google/pprof/profile"
)

const analyzeHelp = `Summarizes a pprof profile: the top functions (or packages, files, lines)
by flat and cumulative value, the churn of a heap profile (what each site
allocated against what it still holds), or the growth since a base profile.

Given a Go execution trace (runtime/trace, /debug/pprof/trace, a flight
recorder snapshot), it shows what the GC did to the program instead: the
minimum mutator utilization for windows of 100µs to 1s with the worst
windows' times, each GC cycle's pauses, mark phase and what the Ps ran,
the goroutines and runtime/trace regions (requests) the GC delayed, the
top assist payers, and a verdict. Only --top, --json and --markdown apply.

PROFILE is a file (gzipped or raw protobuf, or legacy text), - for stdin, or
an http(s) URL such as http://localhost:6060/debug/pprof/heap. For heap
profiles the default sample index is alloc_space: the garbage.

Examples:
  gcprobe analyze heap.pb.gz
  gcprobe analyze --sample-index inuse_space --by package heap.pb.gz
  gcprobe analyze --churn --markdown heap.pb.gz
  gcprobe analyze --base before.pb.gz after.pb.gz
  gcprobe analyze --types cpu.pprof
  gcprobe analyze spike.trace`

func cmdAnalyze(ctx context.Context, io stdio, args []string) error {
	fs := newFlags(io, "analyze", "[flags] PROFILE|TRACE|URL|-", analyzeHelp)
	sampleIndex := fs.String("sample-index", "", "sample type to show, by name or number (default: alloc_space for heap profiles)")
	by := fs.String("by", "function", "group by function, package, file or line")
	top := fs.Int("top", 20, "number of rows to show; 0 shows all")
	sortBy := fs.String("sort", "flat", "order rows by flat or cum")
	focus := fs.String("focus", "", "keep only samples with a frame whose function or file matches this regexp")
	ignore := fs.String("ignore", "", "drop samples with a frame whose function or file matches this regexp")
	churn := fs.Bool("churn", false, "show alloc_space against inuse_space per site (heap profiles)")
	base := fs.String("base", "", "show the change from this base profile (the base scaled by -1 and merged); shares are of the changes, as go tool pprof -base shows them")
	baseShares := fs.Bool("base-shares", false, "with --base, show shares of the base's total instead, as go tool pprof -diff_base does")
	normalize := fs.Bool("normalize", false, "with --base, scale the base to the profile's totals first")
	types := fs.Bool("types", false, "list the profile's sample types and their totals")
	asJSON := fs.Bool("json", false, "write JSON")
	asMarkdown := fs.Bool("markdown", false, "write a Markdown table")
	timeout := fs.Duration("timeout", profiles.DefaultTimeout, "time limit for fetching a URL")
	maxSize := fs.String("max-size", "1GiB", "largest profile to read, compressed or not")
	if err := parseFlags(fs, args); err != nil {
		return err
	}

	if fs.NArg() != 1 {
		return usageErrorf("analyze: want one PROFILE, URL or -, got %d arguments (see gcprobe analyze --help)", fs.NArg())
	}
	if *asJSON && *asMarkdown {
		return usageErrorf("--json and --markdown can not be used together")
	}
	src := fs.Arg(0)
	isTrace, in, err := sniffTrace(src, io.in)
	if err != nil {
		return err
	}
	if isTrace {
		for _, name := range []string{"sample-index", "by", "sort", "focus", "ignore", "churn", "base", "normalize", "types", "max-size"} {
			if fs.Changed(name) {
				return usageErrorf("--%s applies to profiles; %s is an execution trace", name, src)
			}
		}
		if *top < 0 {
			return usageErrorf("--top must not be negative")
		}
		return analyzeTrace(io.out, src, in, *top, *asJSON, *asMarkdown)
	}
	io.in = in
	byKey, err := profiles.ParseBy(*by)
	if err != nil {
		return usageErrorf("--by: %v", err)
	}
	if *top < 0 {
		return usageErrorf("--top must not be negative")
	}
	if *sortBy != "flat" && *sortBy != "cum" {
		return usageErrorf("--sort must be flat or cum, not %q", *sortBy)
	}
	focusRE, err := compileFlag("focus", *focus)
	if err != nil {
		return err
	}
	ignoreRE, err := compileFlag("ignore", *ignore)
	if err != nil {
		return err
	}
	if *normalize && *base == "" {
		return usageErrorf("--normalize needs --base")
	}
	if *baseShares && *base == "" {
		return usageErrorf("--base-shares needs --base")
	}
	if *churn && *base != "" {
		return usageErrorf("--churn and --base can not be used together")
	}
	if *types && (*churn || *base != "") {
		return usageErrorf("--types can not be used with --churn or --base")
	}
	if *churn && *sampleIndex != "" {
		return usageErrorf("--churn always compares alloc_space with inuse_space; drop --sample-index")
	}
	if *timeout <= 0 {
		return usageErrorf("--timeout must be positive")
	}
	capBytes, err := units.ParseSize(*maxSize)
	if err != nil || capBytes == 0 {
		return usageErrorf("--max-size: want a size such as 512MiB")
	}

	opts := profiles.LoadOptions{Stdin: io.in, Timeout: *timeout, MaxBytes: int64(min(capBytes, 1<<62))}
	p, err := load(ctx, src, opts)
	if err != nil {
		return err
	}
	if *base != "" {
		b, err := load(ctx, *base, opts)
		if err != nil {
			return err
		}
		diff := profiles.Subtract
		if *baseShares {
			diff = profiles.Diff
		}
		if p, err = diff(b, p, *normalize); err != nil {
			return fmt.Errorf("--base %s: %v", *base, err)
		}
	}

	var view profiles.View
	switch {
	case *types:
		view = profiles.ListSampleTypes(p)
	case *churn:
		t, err := profiles.Churn(p, profiles.ChurnOptions{By: byKey, Focus: focusRE, Ignore: ignoreRE, N: *top})
		if err != nil {
			return fmt.Errorf("%s: %v", src, err)
		}
		view = t
	default:
		t, err := profiles.Top(p, profiles.TopOptions{
			SampleIndex: *sampleIndex, By: byKey, Sort: profiles.Sort(*sortBy),
			Focus: focusRE, Ignore: ignoreRE, N: *top, Diff: *base != "" && !*baseShares,
		})
		if err != nil {
			return fmt.Errorf("%s: %v", src, err)
		}
		view = t
	}
	return render(io.out, src, view, *asJSON, *asMarkdown)
}

// load loads a profile, telling the user which flag raises the size cap.
func load(ctx context.Context, src string, opts profiles.LoadOptions) (*profile.Profile, error) {
	p, err := profiles.Load(ctx, src, opts)
	switch {
	case errors.Is(err, profiles.ErrTooLarge):
		return nil, fmt.Errorf("%v (--max-size raises the cap)", err)
	case errors.Is(err, profiles.ErrNotProfile) && isRunRecord(src):
		return nil, usageErrorf("%s is a gcprobe run record, not a profile or a trace: gcprobe summary %s (or gcprobe report) reads it", src, src)
	}
	return p, err
}

// isRunRecord reports whether the file src begins as a gcprobe run record
// does: a JSON header line naming the record schema.
func isRunRecord(src string) bool {
	f, err := os.Open(src)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 256)
	n, _ := io.ReadFull(f, head)
	line, _, _ := bytes.Cut(head[:n], []byte("\n"))
	return bytes.HasPrefix(line, []byte("{")) && bytes.Contains(line, []byte(`"schema":"gcprobe.run/`))
}

func compileFlag(name, expr string) (*regexp.Regexp, error) {
	if expr == "" {
		return nil, nil
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, usageErrorf("--%s: %v", name, err)
	}
	return re, nil
}

func render(w io.Writer, src string, v profiles.View, asJSON, asMarkdown bool) error {
	switch {
	case asJSON:
		return profiles.WriteJSON(w, v)
	case asMarkdown:
		fmt.Fprintf(w, "**Profile:** `%s`  \n", src)
		return profiles.WriteMarkdown(w, v)
	}
	fmt.Fprintf(w, "Profile: %s\n", src)
	return profiles.WriteText(w, v)
}

// sniffTrace says whether src (a file or - for in; never a URL) holds an
// execution trace, and returns the reader to use for "-" from then on.
func sniffTrace(src string, in io.Reader) (bool, io.Reader, error) {
	switch {
	case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
		return false, in, nil
	case src == "-":
		if in == nil {
			in = os.Stdin
		}
		br := bufio.NewReader(in)
		head, _ := br.Peek(16)
		return tracean.IsTrace(head), br, nil
	}
	ok, err := tracean.SniffFile(src)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return false, in, fmt.Errorf("%s: %v", src, err)
	}
	return ok, in, nil
}

func analyzeTrace(w io.Writer, src string, in io.Reader, top int, asJSON, asMarkdown bool) error {
	opts := tracean.Options{Top: top}
	if top == 0 {
		opts.Top = 1 << 20
	}
	a, err := tracean.AnalyzeFile(src, in, opts)
	if err != nil {
		return err
	}
	if a.Events <= 1 && len(a.Warnings) > 0 {
		return fmt.Errorf("%s: %s", a.Source, a.Warnings[0])
	}
	switch {
	case asJSON:
		return tracean.WriteJSON(w, a)
	case asMarkdown:
		return tracean.WriteMarkdown(w, a)
	}
	return tracean.WriteText(w, a)
}
