package profiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestParseRefuses(t *testing.T) {
	heap := readTestdata(t, "heap.pb.gz")
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty"},
		{"blank", []byte("\n \n"), "empty"},
		{"git LFS pointer", []byte("version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 12345\n"), "Git LFS pointer"},
		{"pprof text dump", []byte("PeriodType: cpu nanoseconds\nPeriod: 10000000\nSamples:\n"), "text dump"},
		{"truncated gzip", heap[:len(heap)/2], "truncated gzip"},
		{"bad gzip", []byte{0x1f, 0x8b, 0, 0}, "gzip"},
		{"gzipped text", gzipped([]byte("hello, world\n")), "unrecognized profile format"},
		{"HTML", []byte("<html><body>404</body></html>"), "HTML"},
		{"legacy text pprof refuses", []byte("--- heapz 1 ---\n0 0 @ 0\n"), "second value must be non-zero"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("in.prof", tt.data)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrNotProfile) {
				t.Errorf("error %q does not wrap ErrNotProfile", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "in.prof: ") || !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line starting with the name and saying %q", msg, tt.want)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	heap := readTestdata(t, "heap.pb.gz")
	if _, err := parse("heap", heap, 100); !errors.Is(err, ErrTooLarge) {
		t.Errorf("decompressed beyond the cap: got %v, want ErrTooLarge", err)
	}
	if _, err := readCapped(bytes.NewReader(heap), 100); !errors.Is(err, ErrTooLarge) {
		t.Errorf("read beyond the cap: got %v, want ErrTooLarge", err)
	}
}

func TestLoadSources(t *testing.T) {
	heap := readTestdata(t, "heap.pb.gz")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/debug/pprof/heap":
			w.Write(heap)
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	for name, src := range map[string]string{"file": "testdata/heap.pb.gz", "stdin": "-", "URL": srv.URL + "/debug/pprof/heap"} {
		t.Run(name, func(t *testing.T) {
			p, err := Load(ctx, src, LoadOptions{Stdin: bytes.NewReader(heap)})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Sample) == 0 || len(p.SampleType) != 4 {
				t.Errorf("got %d samples and %d sample types, want a heap profile", len(p.Sample), len(p.SampleType))
			}
		})
	}
	errs := []struct {
		name, src string
		opts      LoadOptions
		want      string
	}{
		{"missing file", "testdata/nope.pb.gz", LoadOptions{}, "testdata/nope.pb.gz: no such file"},
		{"HTTP 404", srv.URL + "/nope", LoadOptions{}, "404"},
		{"timeout", srv.URL + "/slow", LoadOptions{Timeout: 50 * time.Millisecond}, "no answer within 50ms"},
		{"size cap", srv.URL + "/debug/pprof/heap", LoadOptions{MaxBytes: 64}, "too large"},
		{"not a profile on stdin", "-", LoadOptions{Stdin: strings.NewReader("hello")}, "stdin: not a profile"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(ctx, tt.src, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("got %v, want one line with %q", err, tt.want)
			}
		})
	}
}

// The ?debug=1 text of a heap profile gets its function names from the "#"
// lines, and loses the runtime frames at the top of its stacks, as the
// protobuf profile written at the same moment does.
func TestParseDebugText(t *testing.T) {
	text := mustParse(t, readTestdata(t, "heap.debug1.txt"))
	proto := mustParse(t, readTestdata(t, "heap.pb.gz"))
	opts := TopOptions{N: 3, Focus: regexp.MustCompile(`^main\.`)}
	a, err := Top(text, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Top(proto, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rows(a), rows(b); !equal(got, want) || len(got) != 3 {
		t.Errorf("debug=1 text: got %q, want the protobuf profile's %q", got, want)
	}
	for _, s := range text.Sample {
		if l := s.Location[0]; len(l.Line) == 0 {
			t.Fatalf("a sample's leaf has no function: %v", l)
		}
	}
}
