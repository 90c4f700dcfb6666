package gctrace

import (
	"bytes"
	"compress/gzip"
	"context"
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/record"
)

const importTestLog = `program output
gc 1 @1.000s 2%: 0.010+1.0+0.020 ms clock, 0.040+0.50/1.0/0+0.080 ms cpu, 4->5->2 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 4 P
gc 2 @2.000s 2%: 0.010+1.0+0.020 ms clock, 0.040+0.50/1.0/0+0.080 ms cpu, 4->5->2 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 4 P
gc 1 @0.500s 1%: 0.010+1.0+0.020 ms clock, 0.040+0.50/1.0/0+0.080 ms cpu, 4->5->2 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 4 P
`

// TestImport: a log becomes a readable record with one gc event per cycle,
// a restart shifted after the previous run, and an imported end; gzipped
// input reads the same.
func TestImport(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(importTestLog))
	zw.Close()
	for name, in := range map[string][]byte{"plain": []byte(importTestLog), "gzip": gz.Bytes()} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			st, err := Import(context.Background(), bytes.NewReader(in), &out, ImportOptions{Name: "app.log", Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			if st.Lines != 4 || st.Cycles != 3 || st.Restarts != 1 || st.Skipped() != 1 {
				t.Errorf("stats %+v", *st)
			}
			run, err := record.Read(&out, "out.jsonl")
			if err != nil {
				t.Fatal(err)
			}
			var ends []float64
			for _, e := range run.Events {
				if g := e.GC; g != nil {
					ends = append(ends, g.EndSeconds)
					if e.T != g.EndSeconds {
						t.Errorf("gc %d at t=%v, ends %v", g.N, e.T, g.EndSeconds)
					}
				}
			}
			if len(ends) != 3 || !(ends[0] < ends[1] && ends[1] < ends[2]) || ends[2] < 2.5 {
				t.Errorf("cycle ends %v: the restart must follow the first run", ends)
			}
			if end := run.End(); end == nil || end.Reason != record.EndImported || run.Header.Source != record.SourceImport {
				t.Errorf("end %+v, header %+v", end, run.Header)
			}
		})
	}
}

// TestImportNoCycles: a log without cycles writes nothing and says why.
func TestImportNoCycles(t *testing.T) {
	var out bytes.Buffer
	_, err := Import(context.Background(), strings.NewReader("hello\n"), &out, ImportOptions{Name: "app.log"})
	if err == nil || !strings.Contains(err.Error(), "app.log: no gctrace lines found") || out.Len() != 0 {
		t.Errorf("err %v, %d bytes written", err, out.Len())
	}
}
