package trace

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// FuzzAnalyze feeds damaged traces to Analyze: it must return an analysis
// or a one-line error, never panic, and its renderers must cope with
// whatever it returns.
func FuzzAnalyze(f *testing.F) {
	f.Add([]byte("go 1.26 trace\x00\x00\x00"))
	f.Add([]byte("go 1.23 trace\x00\x00\x00\x00\x01\x02"))
	f.Add([]byte("go 1.11 trace\x00\x00\x00\x00"))
	if !testing.Short() {
		data, err := os.ReadFile(progTrace(f, "bigheap", "100ms"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)*3/4])
		flipped := bytes.Clone(data)
		for i := 200; i < len(flipped); i += 997 {
			flipped[i] ^= 0x5a
		}
		f.Add(flipped)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Analyze(bytes.NewReader(data), Options{Source: "fuzz"})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error on several lines: %q", err)
			}
			return
		}
		var b bytes.Buffer
		if err := WriteText(&b, a); err != nil {
			t.Fatal(err)
		}
		if err := WriteMarkdown(&b, a); err != nil {
			t.Fatal(err)
		}
		if err := WriteJSON(&b, a); err != nil {
			t.Fatal(err)
		}
	})
}
