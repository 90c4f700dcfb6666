package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version returns gcprobe's module version as go install recorded it, or
// "devel" for a build from a work tree.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

func cmdVersion(ctx context.Context, io stdio, args []string) error {
	fs := newFlags(io, "version", "", "Print gcprobe's version and the Go toolchain that built it.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("version takes no arguments")
	}
	fmt.Fprintf(io.out, "gcprobe %s (%s, %s/%s)\n", version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
