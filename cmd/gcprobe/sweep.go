package main

import (
	"context"
	"errors"
)

// cmdSweep is not built yet (issue #6).
func cmdSweep(ctx context.Context, io stdio, args []string) error {
	return errors.New("sweep is not built yet (issue #6)")
}
