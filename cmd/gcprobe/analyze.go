package main

import (
	"context"
	"errors"
)

// cmdAnalyze is not built yet (issue #5).
func cmdAnalyze(ctx context.Context, io stdio, args []string) error {
	return errors.New("analyze is not built yet (issue #5)")
}
