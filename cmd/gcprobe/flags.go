package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"
)

// newFlags returns a flag set for a command whose help prints
// "Usage: gcprobe NAME SYNOPSIS", the description, then the flags.
func newFlags(io stdio, name, synopsis, description string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.SortFlags = false
	fs.Usage = func() {
		w := io.out
		fmt.Fprintf(w, "Usage: gcprobe %s %s\n\n%s\n", name, synopsis, description)
		if fs.HasAvailableFlags() {
			fmt.Fprintf(w, "\nFlags:\n%s", fs.FlagUsages())
		}
	}
	return fs
}

// parseFlags parses args and turns pflag's errors into gcprobe's: --help is
// errHelp (success, usage printed to stdout by pflag), anything else a usage
// error naming the flag.
func parseFlags(fs *pflag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard) // we print the error ourselves, once
	err := fs.Parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		// pflag has printed the usage already.
		return errHelp
	}
	if err != nil {
		return usageErrorf("%s: %v (see gcprobe %s --help)", fs.Name(), err, fs.Name())
	}
	return nil
}
