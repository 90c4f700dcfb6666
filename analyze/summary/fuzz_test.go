package summary

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

// FuzzCompute feeds any record the reader accepts to Compute and both
// renderers: none may panic, and the JSON must be valid (no NaN or Inf).
func FuzzCompute(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.jsonl")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil && len(data) < 64<<10 {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"schema":"gcprobe.run/v1"}` + "\n" +
		`{"t":1,"latency":{"interval_seconds":0,"count":5,"buckets":[{"lo_seconds":-1,"hi_seconds":0,"count":5}]}}` + "\n" +
		`{"t":1,"gc":{"n":1,"start_seconds":2,"end_seconds":1,"interval_cpu_seconds":-1}}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		watchdog := time.AfterFunc(3*time.Second, func() { panic(fmt.Sprintf("hang on %q", data)) })
		defer watchdog.Stop()
		run, err := record.Read(bytes.NewReader(data), "fuzz.jsonl")
		if err != nil {
			return
		}
		s := Compute(run)
		var b bytes.Buffer
		if err := WriteText(&b, []Summary{s}); err != nil {
			t.Fatal(err)
		}
		b.Reset()
		if err := WriteJSON(&b, []Summary{s}); err != nil {
			t.Fatalf("WriteJSON: %v", err)
		}
		if !json.Valid(b.Bytes()) {
			t.Fatalf("invalid JSON:\n%s", b.Bytes())
		}
		for _, m := range s.Metrics() {
			_ = m.Format()
		}
		// Read as a stream gives the same summary, and the charts of both
		// are drawn from the same values.
		streamed, err := Read(bytes.NewReader(data), "fuzz.jsonl")
		if err != nil {
			t.Fatalf("Read fails where record.Read did not: %v", err)
		}
		a, _ := json.Marshal(s)
		c, _ := json.Marshal(streamed)
		if !bytes.Equal(a, c) {
			t.Fatalf("Read and Compute differ:\n%s\n%s", c, a)
		}
		s.Charts(350)
		if _, _, err := ReadCharts(bytes.NewReader(data), "fuzz.jsonl", streamed, 350); err != nil && !strings.Contains(err.Error(), "out of time order") {
			t.Fatalf("ReadCharts: %v", err)
		}
	})
}
