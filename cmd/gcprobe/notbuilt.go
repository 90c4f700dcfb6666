package main

import (
	"context"
	"fmt"
)

// Commands that are planned but not built yet. Each moves to its own file
// when it is built; this file shrinks to nothing.

func notBuilt(name string, issue int) func(context.Context, stdio, []string) error {
	return func(ctx context.Context, io stdio, args []string) error {
		return fmt.Errorf("%s is not built yet (issue #%d)", name, issue)
	}
}

var (
	cmdRun      = notBuilt("run", 2)
	cmdAttach   = notBuilt("attach", 3)
	cmdScenario = notBuilt("scenario", 4)
	cmdSummary  = notBuilt("summary", 2)
	cmdImport   = notBuilt("import", 2)
	cmdAnalyze  = notBuilt("analyze", 5)
	cmdSweep    = notBuilt("sweep", 6)
	cmdCompare  = notBuilt("compare", 6)
	cmdCheck    = notBuilt("check", 6)
	cmdReport   = notBuilt("report", 7)
)
