package main

import (
	"context"
	"errors"
)

// cmdCheck is not built yet (issue #6).
func cmdCheck(ctx context.Context, io stdio, args []string) error {
	return errors.New("check is not built yet (issue #6)")
}
