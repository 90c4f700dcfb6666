package attach

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	neturl "net/url"
	"syscall"
	"time"

	"github.com/gcprobe/gcprobe/internal/fetch"
	"github.com/gcprobe/gcprobe/units"
)

// Size caps of a fetched body: a metrics endpoint answers in kilobytes, a
// profile in megabytes. Anything larger is not what we asked for.
const (
	maxMetricsBody = 16 << 20
	maxProfileBody = 256 << 20
)

// ErrRefused reports a refused connection: nothing listens at the URL any
// more (or yet).
var ErrRefused = errors.New("connection refused")

// ErrTimeout reports a request that did not complete within the timeout.
var ErrTimeout = errors.New("no complete answer")

// fetcher gets URLs with a per-request timeout and a body size cap.
type fetcher struct {
	client  *http.Client
	timeout time.Duration
}

func newFetcher(timeout time.Duration) *fetcher {
	tr := &http.Transport{
		Proxy:               nil, // a service on loopback is never behind a proxy
		DialContext:         (&net.Dialer{Timeout: timeout}).DialContext,
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     90 * time.Second,
	}
	return &fetcher{client: &http.Client{Transport: tr}, timeout: timeout}
}

// get fetches url within f.timeout (extra is added for requests that take
// time by design, such as a CPU profile) and returns at most max bytes of
// body. The error is one line that names the URL.
func (f *fetcher) get(ctx context.Context, url, accept string, max int64, extra time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, f.timeout+extra)
	defer cancel()
	body, err := fetch.Get(ctx, f.client, url, accept, max)
	var se *fetch.StatusError
	switch {
	case err == nil:
		return body, nil
	case errors.As(err, &se):
		return nil, fmt.Errorf("GET %s: %s", url, se.Status)
	case errors.Is(err, fetch.ErrTooLarge):
		return nil, fmt.Errorf("GET %s: body larger than %s, which no such endpoint sends: wrong URL?", url, units.Bytes(float64(max)))
	}
	var ue *neturl.Error
	if errors.As(err, &ue) && ue.Op == "parse" {
		return nil, fmt.Errorf("bad URL %q: %v", url, err)
	}
	return nil, f.explain(ctx, url, err, extra)
}

// explain turns a transport error into one line.
func (f *fetcher) explain(ctx context.Context, url string, err error, extra time.Duration) error {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("GET %s: %w (is the service listening there?)", url, ErrRefused)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("GET %s: %w within %v (--timeout)", url, ErrTimeout, f.timeout+extra)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("GET %s: %w", url, context.Canceled)
	}
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			err = inner
		}
	}
	return fmt.Errorf("GET %s: %v", url, err)
}

// looksLikeHTML tells a web page (a login page, a dashboard) from the JSON
// or metrics text that was asked for.
func looksLikeHTML(body []byte) bool {
	b := bytes.TrimSpace(body)
	if len(b) > 512 {
		b = b[:512]
	}
	return bytes.HasPrefix(b, []byte("<")) || bytes.Contains(bytes.ToLower(b), []byte("<html"))
}
