package main

import (
	"context"
	"errors"
)

// cmdCompare is not built yet (issue #6).
func cmdCompare(ctx context.Context, io stdio, args []string) error {
	return errors.New("compare is not built yet (issue #6)")
}
