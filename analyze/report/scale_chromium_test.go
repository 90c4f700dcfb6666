package report

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestScaleHTMLInChromium renders the reports of a dense run, an hour-long
// run and a 24-configuration sweep in headless Chromium: each page must be
// under 2 MiB, hold every chart in its rendered DOM, draw them (chart
// blue in the screenshot), and be loaded and laid out in under 2 s.
// GCPROBE_SCREENS_DIR keeps the screenshots.
//
// The time is the page's own: a copy of it (the report itself has no
// script) notes performance.now() once it has loaded and been laid out,
// so that Chromium's start, slow on a busy machine, is not counted.
func TestScaleHTMLInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser; skipped with -short")
	}
	chromium := findChromium(t)
	cases := scaleCases(t)
	dir := t.TempDir()
	rec := newRecorder(t)
	// load returns how long the page took to load and lay out, the
	// fastest of two loads, so that a busy machine's hiccup is not taken
	// for the page's cost, and its rendered DOM.
	load := func(t *testing.T, html []byte) (took time.Duration, dom string) {
		const timing = `<script>addEventListener("load", () => { document.body.offsetHeight; document.body.setAttribute("data-load-ms", performance.now().toFixed(0)) })</script></body>`
		timed := filepath.Join(dir, "timed.html")
		os.WriteFile(timed, bytes.Replace(html, []byte("</body>"), []byte(timing), 1), 0o644)
		took = time.Duration(1 << 62)
		for range 2 {
			out := browse(t, chromium, rec, timed, "--dump-dom")
			m := regexp.MustCompile(`data-load-ms="(\d+)"`).FindSubmatch(out)
			if m == nil {
				t.Fatal("the timed page did not note its load time")
			}
			ms, _ := strconv.Atoi(string(m[1]))
			took, dom = min(took, time.Duration(ms)*time.Millisecond), string(out)
		}
		return took, dom
	}
	for _, name := range []string{"dense", "long", "sweep24"} {
		t.Run(name, func(t *testing.T) {
			rep := cases[name]
			var b bytes.Buffer
			if err := WriteHTML(&b, rep); err != nil {
				t.Fatal(err)
			}
			if b.Len() > 2<<20 {
				t.Errorf("the page is %d bytes, more than 2 MiB", b.Len())
			}
			page := filepath.Join(dir, name+".html")
			os.WriteFile(page, b.Bytes(), 0o644)
			took, dom := load(t, b.Bytes())
			t.Logf("%s: %d bytes of HTML, loaded and laid out by Chromium in %v", name, b.Len(), took)
			if took > 2*time.Second {
				t.Errorf("Chromium took %v to load and lay out the page: over 2 s", took)
			}
			figs := append([]Figure{}, rep.Figures...)
			for _, r := range rep.Runs {
				figs = append(figs, r.Figures...)
			}
			if len(figs) == 0 {
				t.Fatal("the report has no charts")
			}
			if got := strings.Count(dom, "<svg"); got != len(figs) {
				t.Errorf("the rendered DOM holds %d SVG charts, want %d", got, len(figs))
			}
			for _, f := range figs {
				if !strings.Contains(dom, `id="fig-`+f.Name+`"`) {
					t.Errorf("the rendered DOM lacks chart %s", f.Name)
				}
			}
			shot := filepath.Join(dir, name+".png")
			browse(t, chromium, rec, page, "--screenshot="+shot)
			data, err := os.ReadFile(shot)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			if n := countNear(img, 0x1f, 0x77, 0xb4); n < 1000 {
				t.Errorf("only %d chart-blue pixels in the screenshot: charts not drawn", n)
			}
			if d := os.Getenv("GCPROBE_SCREENS_DIR"); d != "" {
				os.WriteFile(filepath.Join(d, "report-"+name+".png"), data, 0o644)
			}
		})
	}
}
