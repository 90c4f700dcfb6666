// Command gcprobe profiles the memory and garbage collector of Go programs.
//
// Run gcprobe help for the list of commands, and gcprobe COMMAND --help for
// one command.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}, os.Args[1:])
	stop()
	os.Exit(exitCode(os.Stderr, err))
}

// stdio is where a command reads and writes; tests pass buffers.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// command is one gcprobe subcommand. run gets the arguments after the
// command's name. ctx is cancelled on SIGINT or SIGTERM.
type command struct {
	name    string
	args    string // synopsis of the arguments, for help
	summary string
	run     func(ctx context.Context, io stdio, args []string) error
}

// commands is the table of subcommands, in the order help lists them.
func commands() []command {
	return []command{
		{"run", "[flags] -- CMD [ARGS...]", "run a Go program and record its GC, heap and RSS", cmdRun},
		{"attach", "--pid N | --url URL [flags]", "record the GC, heap and RSS of a running program", cmdAttach},
		{"top", "--pid N | --url URL [flags]", "watch a running program's GC live in the terminal, and record it", cmdTop},
		{"scenario", "list | run NAME [flags]", "run a built-in workload (Discord's Read States and friends)", cmdScenario},
		{"summary", "[flags] RUN...", "summarize run records: GC cycles, CPU, pauses, heap, RSS, latency", cmdSummary},
		{"import", "gctrace [FILE|-] | prometheus --url URL", "turn a gctrace log, or a fleet in Prometheus, into run records", cmdImport},
		{"analyze", "[flags] PROFILE|URL|-", "top allocators, churn and diffs of pprof profiles", cmdAnalyze},
		{"sweep", "[flags] (scenario NAME [flags] | -- CMD [ARGS...])", "run a grid of GOGC/GOMEMLIMIT settings, repeated", cmdSweep},
		{"compare", "[flags] RUN|DIR...", "compare settings with confidence intervals and significance", cmdCompare},
		{"check", "--baseline OLD --max LIMITS NEW...", "fail when a metric got significantly worse (for CI)", cmdCheck},
		{"report", "RUN|DIR... -o FILE.html|FILE.md", "write a ticket-ready report with charts", cmdReport},
		{"version", "", "print gcprobe's version", cmdVersion},
	}
}

func run(ctx context.Context, io stdio, args []string) error {
	if len(args) == 0 {
		printHelp(io.err)
		return usageErrorf("no command given")
	}
	name := args[0]
	switch name {
	case "help", "-h", "--help":
		if len(args) > 1 {
			return run(ctx, io, []string{args[1], "--help"})
		}
		printHelp(io.out)
		return nil
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, io, args[1:])
		}
	}
	return usageErrorf("unknown command %q (run gcprobe help for the list)", name)
}

func printHelp(w io.Writer) {
	fmt.Fprintf(w, "gcprobe profiles the memory and garbage collector of Go programs.\n\nUsage:\n  gcprobe COMMAND [ARGS...]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun gcprobe COMMAND --help for a command's flags.\n")
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// exitStatus makes gcprobe exit with a given status without a message, as
// gcprobe run does with its child's status.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// errHelp reports that --help was printed: success.
var errHelp = errors.New("help requested")

// exitCode prints err (if any) and returns the process exit status:
// 0 success, 1 failure, 2 usage.
func exitCode(stderr io.Writer, err error) int {
	var status exitStatus
	var usage *usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &status):
		return int(status)
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "gcprobe: %v\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "gcprobe: %v\n", err)
		return 1
	}
}
