package trace

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// tracesOnce holds the traces the test programs under testdata/progs
// write, built and run once per test binary.
var tracesOnce = map[string]*traceOnce{}
var tracesMu sync.Mutex

type traceOnce struct {
	once   sync.Once
	path   string
	stdout []byte // the program's runtime/metrics GC CPU, as JSON
	err    error
}

// progTrace builds testdata/progs/NAME and runs it with GOMAXPROCS=2 for
// duration d, returning the trace it wrote.
func progTrace(t testing.TB, name, d string) string {
	t.Helper()
	return progRun(t, name, d).path
}

// progRun is progTrace with what the program printed.
func progRun(t testing.TB, name, d string) *traceOnce {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs a program; not with -short")
	}
	key := name + " " + d
	tracesMu.Lock()
	o := tracesOnce[key]
	if o == nil {
		o = &traceOnce{}
		tracesOnce[key] = o
	}
	tracesMu.Unlock()
	o.once.Do(func() {
		dir, err := os.MkdirTemp("", "gcprobe-trace-")
		if err != nil {
			o.err = err
			return
		}
		bin := filepath.Join(dir, name)
		if out, err := exec.Command("go", "build", "-o", bin, "./testdata/progs/"+name).CombinedOutput(); err != nil {
			o.err = &buildError{name, string(out)}
			return
		}
		o.path = filepath.Join(dir, name+".trace")
		cmd := exec.Command(bin, o.path, d)
		cmd.Env = append(os.Environ(), "GOMAXPROCS=2", "GOGC=100")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if o.stdout, err = cmd.Output(); err != nil {
			o.err = &buildError{name, err.Error() + ": " + stderr.String()}
		}
	})
	if o.err != nil {
		t.Fatal(o.err)
	}
	return o
}

type buildError struct{ name, out string }

func (e *buildError) Error() string { return e.name + ": " + e.out }

func analyzeFile(t testing.TB, path string, opts Options) *Analysis {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if opts.Source == "" {
		opts.Source = filepath.Base(path)
	}
	a, err := Analyze(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, o := range tracesOnce {
		if o.path != "" {
			os.RemoveAll(filepath.Dir(o.path))
		}
	}
	os.Exit(code)
}
