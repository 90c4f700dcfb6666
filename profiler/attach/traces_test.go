package attach

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTraceWindowRefusesWhatIsNotATrace(t *testing.T) {
	bodies := map[string]string{
		"/html/debug/pprof/trace":  "<html><body>404 page not found</body></html>",
		"/gzip/debug/pprof/trace":  "\x1f\x8b\x08\x00rest",
		"/text/debug/pprof/trace":  "Could not enable tracing: tracing is already enabled\n",
		"/empty/debug/pprof/trace": "",
	}
	url := server(t, func(w http.ResponseWriter, r *http.Request) {
		b, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(b))
	})
	for _, c := range []struct{ prefix, want string }{
		{"/html", "an HTML page, not an execution trace (is net/http/pprof mounted?)"},
		{"/gzip", "a gzipped body (a pprof profile?), not an execution trace"},
		{"/text", "a body that is not a Go execution trace"},
		{"/empty", "a body that is not a Go execution trace"},
		{"/none", "404 Not Found"},
	} {
		pp := &pprofClient{f: newFetcher(time.Second), url: url + c.prefix + "/debug/pprof/", base: filepath.Join(t.TempDir(), "r")}
		_, err := pp.trace(context.Background(), 100*time.Millisecond, 1, 0)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line with %q", c.prefix, err, c.want)
		}
	}
}
