package gctrace

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/internal/golden"
	"github.com/gcprobe/gcprobe/record"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden parses each testdata/*.log with one Parser and compares what it
// made of every line with testdata/*.golden (see testdata/README.md).
func TestGolden(t *testing.T) {
	logs, err := filepath.Glob("testdata/*.log")
	if err != nil || len(logs) == 0 {
		t.Fatalf("no testdata logs: %v", err)
	}
	for _, log := range logs {
		t.Run(filepath.Base(log), func(t *testing.T) {
			golden.Check(t, strings.TrimSuffix(log, ".log")+".golden", parseLog(t, log), *update)
		})
	}
}

// goldenLine is one line of a golden file.
type goldenLine struct {
	Line   int        `json:"line"`
	Kind   string     `json:"kind"`
	Format string     `json:"format,omitempty"`
	Legacy bool       `json:"legacy,omitempty"`
	GC     *record.GC `json:"gc,omitempty"`
}

func parseLog(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	p := NewParser()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		gc, kind := p.Parse(sc.Bytes())
		g := goldenLine{Line: n, Kind: kind.String(), Legacy: Legacy(sc.Bytes())}
		if kind == Cycle {
			g.GC, g.Format = &gc, p.Format().String()
		}
		if err := enc.Encode(g); err != nil {
			t.Fatal(err)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
