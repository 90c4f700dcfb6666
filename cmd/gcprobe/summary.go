package main

import (
	"context"
	"errors"
)

// cmdSummary is not built yet (issue #2).
func cmdSummary(ctx context.Context, io stdio, args []string) error {
	return errors.New("summary is not built yet (issue #2)")
}
