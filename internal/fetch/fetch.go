// Package fetch reads what gcprobe is given to read, from wherever it
// comes: an HTTP GET with a size cap, any reader with a size cap, and the
// test for gzipped data. It sits below analyze and profiler alike, so that
// the profile loader and the attach client share one of each.
package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gcprobe/gcprobe/units"
)

// ErrTooLarge is wrapped by the error of an input larger than its cap.
var ErrTooLarge = errors.New("too large")

// StatusError is an HTTP answer other than 200 OK.
type StatusError struct {
	Status string // as the server sent it: "404 Not Found"
}

func (e *StatusError) Error() string { return "HTTP " + e.Status }

// Get fetches url with client and returns its body, at most max bytes; ctx
// bounds the whole exchange, body included (the caller sets the timeout
// there). accept, when not empty, is sent as the Accept header. An answer
// other than 200 is a *StatusError, a body over max wraps ErrTooLarge;
// other errors are the client's.
func Get(ctx context.Context, client *http.Client, url, accept string, max int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// Read a little, so that the connection can serve the next request.
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return nil, &StatusError{Status: resp.Status}
	}
	return ReadCapped(resp.Body, max, resp.ContentLength)
}

// ReadCapped reads all of r, or fails with ErrTooLarge after max bytes.
// size, when positive and not over max, is the expected size (a file's, a
// Content-Length), read into one buffer of that size.
func ReadCapped(r io.Reader, max, size int64) ([]byte, error) {
	var buf bytes.Buffer
	if size > 0 && size <= max {
		buf.Grow(int(size) + bytes.MinRead)
	}
	n, err := buf.ReadFrom(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, fmt.Errorf("%w: more than %s", ErrTooLarge, units.Bytes(float64(max)))
	}
	return buf.Bytes(), nil
}

// IsGzip reports whether data starts as a gzip stream does (RFC 1952's two
// magic bytes): a pprof profile, a rotated log.
func IsGzip(data []byte) bool {
	return len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b
}
