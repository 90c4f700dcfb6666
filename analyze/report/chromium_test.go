package report

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// findChromium returns a headless-capable Chromium, or skips the test.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "chromium is not installed: the HTML report is not rendered in a browser (.ci/run installs Debian's chromium; locally: apt-get install chromium)"
	if os.Getenv("GCPROBE_REQUIRE_CHROMIUM") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// recorder stands in for the network: Chromium is told to send every
// request, loopback included, through it as a proxy, and it counts them.
type recorder struct {
	srv *httptest.Server
	got chan string
}

func newRecorder(t *testing.T) *recorder {
	r := &recorder{got: make(chan string, 1000)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		select {
		case r.got <- hostOf(req.Host):
		default:
		}
		http.Error(w, "no network in this test", http.StatusForbidden)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// hostOf drops the port.
func hostOf(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// browserHosts are services Chromium calls for itself whatever the page
// (component updates, sign-in, network time); a page request to them would
// still be caught by the static check in TestHTMLSelfContained.
var browserHosts = map[string]bool{"update.googleapis.com": true, "accounts.google.com": true, "clients2.google.com": true}

// pageRequests returns the hosts requested since the last call, less those
// Chromium requests for itself: the browserHosts and any host it requested
// for an empty page (baseline).
func (r *recorder) pageRequests(baseline map[string]bool) []string {
	var out []string
	for _, h := range r.requests() {
		if !browserHosts[h] && !baseline[h] {
			out = append(out, h)
		}
	}
	return out
}

func (r *recorder) requests() []string {
	var out []string
	for {
		select {
		case s := <-r.got:
			out = append(out, s)
		default:
			return out
		}
	}
}

// browse opens page in headless Chromium with the recorder as its only way
// out, plus extra flags (--screenshot=..., --dump-dom); it returns stdout.
func browse(t *testing.T, chromium string, rec *recorder, page string, extra ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--mute-audio",
		"--user-data-dir=" + t.TempDir(),
		"--proxy-server=" + rec.srv.URL, "--proxy-bypass-list=<-loopback>",
		"--disable-background-networking", "--disable-component-update", "--disable-default-apps",
		"--disable-sync", "--no-first-run", "--no-default-browser-check", "--disable-domain-reliability",
		"--disable-extensions", "--no-pings", "--disable-breakpad", "--disable-client-side-phishing-detection",
		"--disable-features=NetworkTimeServiceQuerying,Translate,MediaRouter,OptimizationHints,AutofillServerCommunication",
		"--window-size=1100,3200", "--virtual-time-budget=5000",
	}
	args = append(append(args, extra...), "file://"+page)
	cmd := exec.CommandContext(ctx, chromium, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return out
}

// TestHTMLInChromium renders the report of a scenario run in a real
// headless Chromium: the page must make no network request (every request
// would reach the recorder, which a control page proves), its DOM must hold
// every chart as SVG, and its screenshot must show them.
func TestHTMLInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser; skipped with -short")
	}
	chromium := findChromium(t)
	dir := t.TempDir()
	rec := newRecorder(t)

	// Baseline: what Chromium requests for itself with an empty page.
	empty := filepath.Join(dir, "empty.html")
	os.WriteFile(empty, []byte(`<!DOCTYPE html><p>empty</p>`), 0o644)
	browse(t, chromium, rec, empty, "--dump-dom")
	baseline := map[string]bool{}
	for _, h := range rec.requests() {
		baseline[h] = true
	}
	// Control: a page that fetches images must be seen by the recorder,
	// or the check below could never fail.
	control := filepath.Join(dir, "control.html")
	os.WriteFile(control, []byte(`<!DOCTYPE html><img src="http://gcprobe.invalid/x.png"><img src="https://gcprobe.invalid/y.png">`), 0o644)
	browse(t, chromium, rec, control, "--dump-dom")
	if got := rec.pageRequests(baseline); len(got) == 0 {
		t.Fatal("the recorder saw no request from a page that fetches images: the network check does not work")
	}

	rep := cases(t)["scenario"]
	page := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	if err := WriteHTML(&b, rep); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(page, b.Bytes(), 0o644)

	dom := string(browse(t, chromium, rec, page, "--dump-dom"))
	figs := rep.Runs[0].Figures
	if got := strings.Count(dom, "<svg"); got != len(figs) {
		t.Errorf("the rendered DOM holds %d SVG charts, want %d", got, len(figs))
	}
	for _, f := range figs {
		if !strings.Contains(dom, `id="fig-`+f.Name+`"`) {
			t.Errorf("the rendered DOM lacks chart %s", f.Name)
		}
	}
	if !strings.Contains(dom, "Verdict:") {
		t.Error("the rendered DOM lacks the verdict")
	}

	shot := filepath.Join(dir, "report.png")
	browse(t, chromium, rec, page, "--screenshot="+shot)
	if got := rec.pageRequests(baseline); len(got) != 0 {
		t.Errorf("the report page made network requests to %q", got)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if got := img.Bounds().Size(); got != (image.Point{1100, 3200}) {
		t.Errorf("screenshot is %v, want 1100x3200", got)
	}
	// The charts draw their first series in the palette's blue, and GC
	// cycles in translucent red: both must be on the page.
	if n := countNear(img, 0x1f, 0x77, 0xb4); n < 2000 {
		t.Errorf("only %d chart-blue pixels in the screenshot: charts not drawn", n)
	}
	if os.Getenv("GCPROBE_REPORT_SCREENSHOT") != "" {
		data, _ := os.ReadFile(shot)
		os.WriteFile(os.Getenv("GCPROBE_REPORT_SCREENSHOT"), data, 0o644)
	}
}

// countNear counts pixels within a small distance of an RGB colour.
func countNear(img image.Image, r0, g0, b0 uint8) int {
	near := func(a uint32, b uint8) bool { d := int(a>>8) - int(b); return d > -24 && d < 24 }
	n := 0
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if near(r, r0) && near(g, g0) && near(b, b0) {
				n++
			}
		}
	}
	return n
}
