package profiles

import (
	"bytes"
	"flag"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/gcprobe/gcprobe/internal/golden"

	"github.com/google/pprof/profile"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden renders views of the real profiles in testdata (see
// testdata/README.md) and compares them with testdata/golden.
func TestGolden(t *testing.T) {
	load := func(name string) *profile.Profile { return mustParse(t, readTestdata(t, name)) }
	tests := []struct {
		name   string
		render func(*bytes.Buffer, View) error
		view   func() (View, error)
	}{
		{"heap-top.txt", text, func() (View, error) { return Top(load("heap.pb.gz"), TopOptions{N: 10}) }},
		{"heap-inuse-by-package.txt", text, func() (View, error) {
			return Top(load("heap.pb.gz"), TopOptions{SampleIndex: "inuse_space", By: ByPackage, N: 10})
		}},
		{"heap-cum-by-line.md", markdown, func() (View, error) {
			return Top(load("heap.pb.gz"), TopOptions{Sort: SortCum, By: ByLine, N: 8, Ignore: regexp.MustCompile(`^runtime/pprof\.`)})
		}},
		{"heap-churn.txt", text, func() (View, error) { return Churn(load("heap.pb.gz"), ChurnOptions{N: 8}) }},
		{"heap-churn.json", jsonw, func() (View, error) { return Churn(load("heap.pb.gz"), ChurnOptions{N: 3}) }},
		{"heap-diff.txt", text, func() (View, error) {
			d, err := Diff(load("heap-base.pb.gz"), load("heap.pb.gz"), false)
			if err != nil {
				return nil, err
			}
			return Top(d, TopOptions{SampleIndex: "inuse_space", N: 8})
		}},
		{"heap-debug1-top.txt", text, func() (View, error) { return Top(load("heap.debug1.txt"), TopOptions{N: 10}) }},
		{"allocs-top.json", jsonw, func() (View, error) { return Top(load("allocs.pb.gz"), TopOptions{N: 3}) }},
		{"allocs-types.txt", text, func() (View, error) { return ListSampleTypes(load("allocs.pb.gz")), nil }},
		{"cpu-top.txt", text, func() (View, error) { return Top(load("cpu.pb.gz"), TopOptions{}) }},
		{"cpu-top-by-file.md", markdown, func() (View, error) { return Top(load("cpu.pb.gz"), TopOptions{By: ByFile}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tt.view()
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := tt.render(&got, v); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "golden", tt.name), got.Bytes(), *update)
		})
	}
}

func text(b *bytes.Buffer, v View) error     { return WriteText(b, v) }
func markdown(b *bytes.Buffer, v View) error { return WriteMarkdown(b, v) }
func jsonw(b *bytes.Buffer, v View) error    { return WriteJSON(b, v) }
