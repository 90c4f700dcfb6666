package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// result is what one in-process gcprobe invocation printed and returned.
type result struct {
	stdout, stderr string
	code           int
}

// gcprobe runs the command in-process with args and returns its output and
// exit status, as main would produce them.
func gcprobe(t *testing.T, args ...string) result {
	t.Helper()
	return gcprobeIn(t, "", args...)
}

// gcprobeIn is gcprobe with stdin.
func gcprobeIn(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), stdio{in: strings.NewReader(stdin), out: &out, err: &errb}, args)
	code := exitCode(&errb, err)
	return result{out.String(), errb.String(), code}
}

// built caches binaries built by buildOnce for the whole test binary.
var built struct {
	sync.Mutex
	dir  string
	bins map[string]string
}

// buildBinary builds the Go package at pkg (a path relative to this
// directory, such as "." or "../../testdata/progs/allocator") once per test
// binary and returns the executable's path.
func buildBinary(t *testing.T, pkg string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a binary; skipped with -short")
	}
	built.Lock()
	defer built.Unlock()
	if p, ok := built.bins[pkg]; ok {
		return p
	}
	if built.dir == "" {
		d, err := os.MkdirTemp("", "gcprobe-test-bin")
		if err != nil {
			t.Fatal(err)
		}
		built.dir, built.bins = d, map[string]string{}
	}
	out := filepath.Join(built.dir, strings.NewReplacer("/", "_", ".", "_").Replace(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	built.bins[pkg] = out
	return out
}

func TestMain(m *testing.M) {
	// A command run in-process that starts os.Executable() again (sweep,
	// scenario run) starts this test binary with gcprobe's arguments: it
	// must act as gcprobe, not run every test again in a child that does
	// the same, and so on (test flags all start with -test.).
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-") {
		main()
	}
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

func TestHelpAndUsage(t *testing.T) {
	r := gcprobe(t, "help")
	if r.code != 0 || !strings.Contains(r.stdout, "Commands:") {
		t.Fatalf("help: %+v", r)
	}
	for _, c := range commands() {
		if !strings.Contains(r.stdout, c.name) {
			t.Errorf("help does not list %s", c.name)
		}
	}
	if r := gcprobe(t); r.code != 2 {
		t.Errorf("no args: exit %d, want 2", r.code)
	}
	if r := gcprobe(t, "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %+v", r)
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			r := gcprobe(t, c.name, "--help")
			if r.code != 0 || !strings.Contains(r.stdout, "Usage: gcprobe "+c.name) {
				t.Fatalf("%s --help: exit %d\nstdout: %s\nstderr: %s", c.name, r.code, r.stdout, r.stderr)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	r := gcprobe(t, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "gcprobe ") {
		t.Fatalf("version: %+v", r)
	}
	if r := gcprobe(t, "version", "--bogus"); r.code != 2 || !strings.Contains(r.stderr, "bogus") {
		t.Fatalf("bad flag: %+v", r)
	}
}
