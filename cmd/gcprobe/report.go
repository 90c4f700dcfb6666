package main

import (
	"context"
	"errors"
)

// cmdReport is not built yet (issue #7).
func cmdReport(ctx context.Context, io stdio, args []string) error {
	return errors.New("report is not built yet (issue #7)")
}
