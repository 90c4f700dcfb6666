package trace

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestBadInputIsOneLine(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("not much"))
	zw.Close()
	for _, c := range []struct {
		name, in, want string
		notTrace       bool
	}{
		{"empty", "", "the input is empty", true},
		{"gzip (a pprof profile)", gz.String(), "gzip data", true},
		{"protobuf", "\x0a\x04\x08\x01\x10\x02", "protobuf data", true},
		{"html", "<html>404 page not found</html>", "HTML", true},
		{"text", "hello, world\n", `no "go 1.N trace" header`, true},
		{"old version", "go 1.10 trace\x00\x00\x00", "", false},
		{"future version", "go 1.99 trace\x00\x00\x00", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := Analyze(strings.NewReader(c.in), Options{})
			if err == nil {
				t.Fatalf("no error; analysis %+v", a)
			}
			msg := err.Error()
			t.Log(msg)
			if strings.Contains(msg, "\n") {
				t.Errorf("error has several lines: %q", msg)
			}
			if !strings.Contains(msg, c.want) {
				t.Errorf("error %q does not say %q", msg, c.want)
			}
			if errors.Is(err, ErrNotTrace) != c.notTrace {
				t.Errorf("errors.Is(err, ErrNotTrace) = %v, want %v", !c.notTrace, c.notTrace)
			}
		})
	}
}

func TestTruncatedTraceIsAnalysedUpToItsEnd(t *testing.T) {
	// Two generations at least (the runtime starts one every second): the
	// reader delivers whole generations only.
	path := progTrace(t, "churn", "1500ms")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := Analyze(bytes.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Cuts near the end land in the last generation, however the run's
	// bytes fell into generations.
	for _, short := range []int{100, 500} {
		frac := float64(len(data)-short) / float64(len(data))
		cut := data[:len(data)-short]
		a, err := Analyze(bytes.NewReader(cut), Options{Source: "cut"})
		if err != nil {
			t.Fatalf("cut at %.0f%%: %v", frac*100, err)
		}
		t.Logf("cut at %.2f%%: %d of %d events, %d of %d cycles; %v", frac*100, a.Events, whole.Events, len(a.Cycles), len(whole.Cycles), a.Warnings)
		if !a.Truncated || len(a.Warnings) == 0 || !strings.Contains(a.Warnings[0], "cut short") {
			t.Errorf("cut at %.0f%%: truncated=%v warnings=%q", frac*100, a.Truncated, a.Warnings)
		}
		if a.Events >= whole.Events || a.Events < 1000 || len(a.Cycles) == 0 {
			t.Errorf("cut at %.0f%%: %d events and %d cycles, the whole trace has %d and %d", frac*100, a.Events, len(a.Cycles), whole.Events, len(whole.Cycles))
		}
		var b strings.Builder
		if err := WriteText(&b, a); err != nil || !strings.Contains(b.String(), "truncated") {
			t.Errorf("text of a cut trace does not say truncated: %v\n%s", err, b.String())
		}
	}
	if whole.Truncated {
		t.Errorf("the whole trace is said to be truncated: %v", whole.Warnings)
	}
}

func TestCutInsideTheFirstGenerationSaysSo(t *testing.T) {
	path := progTrace(t, "bigheap", "400ms")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// 3000 bytes: inside the first generation's first batches, however
	// many generations a loaded machine made of the run.
	a, err := Analyze(bytes.NewReader(data[:min(len(data)/2, 3000)]), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Truncated || len(a.Warnings) == 0 || !strings.Contains(a.Warnings[0], "first generation") {
		t.Errorf("truncated=%v warnings=%q", a.Truncated, a.Warnings)
	}
	var b strings.Builder
	if err := WriteText(&b, a); err != nil {
		t.Fatal(err)
	}
	t.Log(b.String())
}
