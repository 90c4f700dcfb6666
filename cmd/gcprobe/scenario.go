package main

import (
	"context"
	"errors"
)

// cmdScenario is not built yet (issue #4).
func cmdScenario(ctx context.Context, io stdio, args []string) error {
	return errors.New("scenario is not built yet (issue #4)")
}
