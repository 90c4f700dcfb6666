package main

import (
	"context"
	"errors"
)

// cmdRun is not built yet (issue #2).
func cmdRun(ctx context.Context, io stdio, args []string) error {
	return errors.New("run is not built yet (issue #2)")
}
