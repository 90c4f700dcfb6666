package main

import (
	"context"
	"errors"
)

// cmdAttach is not built yet (issue #3).
func cmdAttach(ctx context.Context, io stdio, args []string) error {
	return errors.New("attach is not built yet (issue #3)")
}
