package main

import (
	"context"
	"errors"
)

// cmdImport is not built yet (issue #2).
func cmdImport(ctx context.Context, io stdio, args []string) error {
	return errors.New("import is not built yet (issue #2)")
}
