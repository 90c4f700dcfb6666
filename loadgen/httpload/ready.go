package httpload

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// The pause between two attempts of WaitReady starts short, so that a
// service that starts in milliseconds is loaded at once (a sweep waits once
// per run), and doubles up to readyPollMax.
const (
	readyPollMin = 5 * time.Millisecond
	readyPollMax = 100 * time.Millisecond
)

// WaitReady sends GET url until the service answers with a status below
// 500, for at most within; it returns nil once it has, else an error
// naming the last failure. ctx cancels the wait (its error is returned).
func WaitReady(ctx context.Context, url string, within time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}, Timeout: within}
	var last error
	pause := readyPollMin
	for {
		last = tryReady(ctx, client, url)
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			if ctx.Err() == context.Canceled {
				return ctx.Err()
			}
			return fmt.Errorf("%s did not answer within %v: %v", url, within, last)
		case <-time.After(pause):
		}
		pause = min(2*pause, readyPollMax)
	}
}

func tryReady(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		return fmt.Errorf("answered %s", resp.Status)
	}
	return nil
}
