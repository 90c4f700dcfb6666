package summary

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gcprobe/gcprobe/internal/synth"
	"github.com/gcprobe/gcprobe/record"
)

// TestReadMatchesCompute checks that the streaming Read gives, for every
// record of testdata and a synthetic dense one, the summary Compute gives
// for the record read whole.
func TestReadMatchesCompute(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.jsonl")
	if len(files) < 3 {
		t.Fatalf("only %d records in testdata", len(files))
	}
	var dense bytes.Buffer
	if err := synth.Write(&dense, synth.Options{Seconds: 20, CyclesPerSecond: 110, Latency: true}); err != nil {
		t.Fatal(err)
	}
	inputs := map[string][]byte{"dense": dense.Bytes()}
	for _, f := range files {
		run, err := record.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		w, _ := record.NewWriter(&b, run.Header)
		for _, e := range run.Events {
			w.Write(e)
		}
		inputs[f] = b.Bytes()
	}
	for name, data := range inputs {
		run, err := record.Read(bytes.NewReader(data), name)
		if err != nil {
			t.Fatal(err)
		}
		sum := Compute(run)
		whole, _ := json.Marshal(sum)
		h, s, err := ReadRun(bytes.NewReader(data), name)
		if err != nil {
			t.Fatal(err)
		}
		streamed, _ := json.Marshal(s)
		if !bytes.Equal(whole, streamed) {
			t.Errorf("%s: Read and Compute differ:\n%s\n%s", name, streamed, whole)
		}
		// From a pipe (an *os.File that cannot seek) the record is held
		// whole: the same summary.
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		go func() { pw.Write(data); pw.Close() }()
		piped, err := Read(pr, name)
		pr.Close()
		if err != nil {
			t.Fatal(err)
		}
		if j, _ := json.Marshal(piped); !bytes.Equal(whole, j) {
			t.Errorf("%s: Read from a pipe differs from Compute", name)
		}
		// The charts are not in the JSON: ReadCharts reads them from the
		// record again, as a stream, by value or aggregated by column.
		for _, cols := range []int{0, 350} {
			wantTL, wantOver, _ := sum.Charts(cols)
			tl, over, err := ReadCharts(bytes.NewReader(data), name, s, cols)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(wantTL, tl) {
				t.Errorf("%s: ReadCharts's timeline (%d columns) differs from Compute's", name, cols)
			}
			if !reflect.DeepEqual(wantOver, over) {
				t.Errorf("%s: ReadCharts's RSS parts differ from Compute's", name)
			}
			if cols == 0 && !reflect.DeepEqual(wantTL, sum.Timeline()) {
				t.Errorf("%s: Charts(0) is not Timeline", name)
			}
		}
		if len(s.ev.samples)+len(s.ev.gcs) > 0 {
			t.Errorf("%s: Read kept %d samples and %d cycles", name, len(s.ev.samples), len(s.ev.gcs))
		}
		if !reflect.DeepEqual(h, run.Header) {
			t.Errorf("%s: ReadRun's header %+v, want %+v", name, h, run.Header)
		}
	}
	// A malformed line stops Read with its position, as record.Read does.
	bad := append(append([]byte{}, dense.Bytes()[:bytes.IndexByte(dense.Bytes(), '\n')+1]...), "{\"t\": oops}\n"...)
	if _, err := Read(bytes.NewReader(bad), "bad.jsonl"); err == nil || err.Error()[:11] != "bad.jsonl:2" {
		t.Errorf("Read of a malformed line: %v, want bad.jsonl:2: ...", err)
	}
}

// BenchmarkSummary measures summarising records of growing length, read
// whole (Compute) and streamed (Read): the cost per byte should stay flat
// as the record grows (go test -bench Summary -benchmem).
func BenchmarkSummary(b *testing.B) {
	for _, secs := range []float64{60, 600, 3600} {
		var data bytes.Buffer
		if err := synth.Write(&data, synth.Options{Seconds: secs, CyclesPerSecond: 20, Latency: true}); err != nil {
			b.Fatal(err)
		}
		name := fmt.Sprintf("%gs-%dMB", secs, data.Len()>>20)
		b.Run("whole/"+name, func(b *testing.B) {
			b.SetBytes(int64(data.Len()))
			for b.Loop() {
				run, err := record.Read(bytes.NewReader(data.Bytes()), "bench")
				if err != nil {
					b.Fatal(err)
				}
				_ = Compute(run)
			}
		})
		b.Run("stream/"+name, func(b *testing.B) {
			b.SetBytes(int64(data.Len()))
			for b.Loop() {
				if _, err := Read(bytes.NewReader(data.Bytes()), "bench"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
