package record

import (
	"bytes"
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func testHeader() Header {
	return Header{
		Source:  SourceRun,
		Command: []string{"./app", "-n", "3"},
		Env:     map[string]string{"GOGC": "100", "GOMEMLIMIT": "512MiB"},
		Host:    Host{OS: "linux", Arch: "amd64", CPUs: 2, MemoryBytes: 24 << 30},
		Start:   time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC),
	}
}

func testEvents() []Event {
	return []Event{
		{T: 0.5, Sample: &Sample{RSSBytes: 12 << 20, HeapLiveBytes: 4 << 20, HeapGoalBytes: 8 << 20, Goroutines: 7}},
		{T: 0.61, GC: &GC{N: 1, StartSeconds: 0.6, EndSeconds: 0.61, PauseSeconds: 0.0002, HeapGoalBytes: 4 << 20, Periodic: true}},
		{T: 1, Pauses: &Pauses{Buckets: []Bucket{{Lo: 0.0001, Hi: 0.0002, Count: 3}}}},
		{T: 1, Latency: &Latency{Op: "read", IntervalSeconds: 1, Count: 100, MaxSeconds: 0.3, Buckets: []Bucket{{Lo: 0.001, Hi: 0.0011, Count: 100}}}},
		{T: 2, Note: &Note{Level: NoteWarning, Message: "lost 3 pauses"}},
		{T: 3, Profile: &Profile{Kind: "heap", Path: "r.heap.pb.gz", When: "end"}},
		{T: 4, End: &End{Reason: EndExit, ExitCode: 3}},
	}
}

func writeRecord(t *testing.T, h Header, events []Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	h, events := testHeader(), testEvents()
	data := writeRecord(t, h, events)
	if n := bytes.Count(data, []byte("\n")); n != len(events)+1 {
		t.Fatalf("got %d lines, want %d", n, len(events)+1)
	}
	run, err := Read(bytes.NewReader(data), "r.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	h.Schema = Schema
	if !reflect.DeepEqual(run.Header, h) {
		t.Errorf("header:\n got %+v\nwant %+v", run.Header, h)
	}
	if !reflect.DeepEqual(run.Events, events) {
		t.Errorf("events differ:\n got %+v\nwant %+v", run.Events, events)
	}
	if run.Truncated {
		t.Error("complete record reported as truncated")
	}
	if e := run.End(); e == nil || e.ExitCode != 3 {
		t.Errorf("End() = %+v, want exit code 3", e)
	}
	for i, e := range run.Events {
		if e.Kind() == "" {
			t.Errorf("event %d has no kind", i)
		}
	}
}

func TestWriterFlushesEachEvent(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, testHeader())
	if err != nil {
		t.Fatal(err)
	}
	before := buf.Len()
	if before == 0 {
		t.Fatal("header not flushed")
	}
	w.Write(Event{T: 1, Note: &Note{Level: NoteInfo, Message: "x"}})
	if buf.Len() == before {
		t.Fatal("event not flushed")
	}
}

func TestWriterSanitizesNonFinite(t *testing.T) {
	data := writeRecord(t, testHeader(), []Event{
		{T: 1, Pauses: &Pauses{Buckets: []Bucket{{Lo: 0.5, Hi: math.Inf(1), Count: 1}}}},
		{T: 2, Sample: &Sample{GCCPUFraction: math.NaN(), RSSBytes: 1}},
	})
	run, err := Read(bytes.NewReader(data), "")
	if err != nil {
		t.Fatal(err)
	}
	if b := run.Events[0].Pauses.Buckets[0]; b.Hi != 0 || b.Lo != 0.5 {
		t.Errorf("inf bucket written as %+v", b)
	}
}

func TestTruncatedLastLine(t *testing.T) {
	data := writeRecord(t, testHeader(), testEvents())
	cut := data[:len(data)-10] // kill -9 in the middle of the end event
	run, err := Read(bytes.NewReader(cut), "r.jsonl")
	if err != nil {
		t.Fatalf("truncated record: %v", err)
	}
	if !run.Truncated {
		t.Error("Truncated not set")
	}
	if got, want := len(run.Events), len(testEvents())-1; got != want {
		t.Errorf("got %d events, want %d", got, want)
	}
	if run.End() != nil {
		t.Error("End() of a cut record should be nil")
	}
}

func TestReadErrors(t *testing.T) {
	good := string(writeRecord(t, testHeader(), testEvents()[:2]))
	lines := strings.SplitAfter(good, "\n")
	tests := []struct {
		name, input, want string
	}{
		{"empty", "", "empty run record"},
		{"not json", "hello world\n", "r.jsonl:1: not a gcprobe run record header"},
		{"no schema", `{"source":"run"}` + "\n", `r.jsonl:1: not a gcprobe run record: the header has no "schema" field`},
		{"other schema", `{"schema":"other/v1"}` + "\n", `schema "other/v1"`},
		{"future major", `{"schema":"gcprobe.run/v2"}` + "\n", `r.jsonl:1: run record schema "gcprobe.run/v2" is not supported`},
		{"bad middle line", lines[0] + "{oops\n" + lines[1], "r.jsonl:2: malformed JSON"},
		{"wrong type", lines[0] + `{"t":"soon"}` + "\n", `r.jsonl:2: field "t"`},
		{"truncated header", `{"schema":"gcpr`, "r.jsonl:1: header line is truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.input), "r.jsonl")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestEmptyIsErrEmpty(t *testing.T) {
	_, err := Read(strings.NewReader(""), "x")
	if !errors.Is(err, ErrEmpty) {
		t.Fatalf("got %v, want ErrEmpty", err)
	}
}

func TestReaderGoesOnAfterBadLine(t *testing.T) {
	good := string(writeRecord(t, testHeader(), testEvents()[:2]))
	lines := strings.SplitAfter(good, "\n")
	rd, err := NewReader(strings.NewReader(lines[0]+"garbage\n"+lines[1]+lines[2]), "f")
	if err != nil {
		t.Fatal(err)
	}
	var se *SyntaxError
	if _, err := rd.Next(); !errors.As(err, &se) || se.Line != 2 {
		t.Fatalf("first Next: %v, want SyntaxError at line 2", err)
	}
	for i := 0; i < 2; i++ {
		if _, err := rd.Next(); err != nil {
			t.Fatalf("Next after bad line: %v", err)
		}
	}
	if _, err := rd.Next(); err != io.EOF {
		t.Fatalf("got %v, want EOF", err)
	}
}

func TestForwardCompatible(t *testing.T) {
	in := `{"schema":"gcprobe.run/v1.3","source":"probe","start":"2026-11-25T01:00:00Z","future":{"x":1}}
{"t":1,"sample":{"rss_bytes":5,"new_metric_bytes":9}}
{"t":2,"hologram":{"x":1}}
`
	run, err := Read(strings.NewReader(in), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Events) != 2 || run.Events[0].Sample.RSSBytes != 5 || run.Events[1].Kind() != "" {
		t.Fatalf("unexpected events %+v", run.Events)
	}
}

func TestLongLine(t *testing.T) {
	h := string(writeRecord(t, testHeader(), nil))
	long := `{"t":1,"note":{"level":"info","message":"` + strings.Repeat("x", 200<<10) + `"}}` + "\n"
	run, err := Read(strings.NewReader(h+long), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Events[0].Note.Message) != 200<<10 {
		t.Fatal("long line not read whole")
	}
}

// FuzzRoundTrip parses arbitrary input; whatever reads must write and read
// back to the same events.
func FuzzRoundTrip(f *testing.F) {
	f.Add(writeRecord(&testing.T{}, testHeader(), testEvents()))
	f.Add([]byte(`{"schema":"gcprobe.run/v1"}` + "\n" + `{"t":1,"gc":{"n":2}}`))
	f.Add([]byte("{\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		run, err := Read(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		again, err := Read(bytes.NewReader(writeRecord(t, run.Header, run.Events)), "again")
		if err != nil {
			t.Fatalf("re-read: %v", err)
		}
		// Writing fills in T for events at offset 0 and sanitizes values;
		// compare event kinds and count, which must survive exactly.
		if len(again.Events) != len(run.Events) {
			t.Fatalf("%d events became %d", len(run.Events), len(again.Events))
		}
		for i := range run.Events {
			if a, b := run.Events[i].Kind(), again.Events[i].Kind(); a != b {
				t.Fatalf("event %d: kind %q became %q", i, a, b)
			}
		}
	})
}

func TestEventStream(t *testing.T) {
	var buf bytes.Buffer
	start := time.Now().Add(-time.Second)
	w := NewEventWriter(&buf, start)
	w.Write(Event{Latency: &Latency{Count: 2, Slowest: []Request{{StartSeconds: 0.5, LatencySeconds: 0.2}}}})
	line := bytes.TrimSpace(buf.Bytes())
	if bytes.Contains(line, []byte("schema")) {
		t.Fatal("event stream wrote a header")
	}
	e, err := DecodeEvent(line)
	if err != nil {
		t.Fatal(err)
	}
	if e.T < 1 || e.Latency == nil || e.Latency.Slowest[0].LatencySeconds != 0.2 {
		t.Fatalf("decoded %+v", e)
	}
	if _, err := DecodeEvent([]byte("{")); err == nil {
		t.Fatal("DecodeEvent accepted garbage")
	}
}
