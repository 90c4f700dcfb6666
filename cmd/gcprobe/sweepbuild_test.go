package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/record"
)

// secondToolchain is the release the toolchain tests fetch through the
// module proxy (about 76 MB, cached by the go command after the first time).
const secondToolchain = "go1.27.3"

// installedGo is the version of the go command on PATH ("go1.26.8").
func installedGo(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("go", "env", "GOVERSION")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// TestSweepGCImplementations sweeps the allocator over the installed
// toolchain × {default, nogreenteagc} and checks that compare tells the two
// GCs apart from the binaries' build info, with a verdict between them.
func TestSweepGCImplementations(t *testing.T) {
	exe := buildBinary(t, ".")
	v := installedGo(t)
	out := filepath.Join(t.TempDir(), "gc")
	cmd := exec.Command(exe, "sweep", "--goexperiment", "default,nogreenteagc", "--repeat", "3", "--build", "../../testdata/progs/allocator", "--out", out, "--", "allocator", "-for", "200ms")
	if b, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(b), "6 of 6 runs") {
		t.Fatalf("sweep: %v\n%s", err, b)
	}
	r, err := record.ReadFile(filepath.Join(out, "nogreenteagc_gogc-100_memlimit-off_r1.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Header.GC != record.GCClassic || !strings.HasPrefix(r.Header.GoVersion, v+"-X:nogreenteagc") {
		t.Errorf("nogreenteagc build's header: go %q, gc %q", r.Header.GoVersion, r.Header.GC)
	}
	c := gcprobe(t, "compare", out)
	for _, want := range []string{
		"2 configurations, 3 runs each; baseline: gogc=100 memlimit=off " + v + " classic\n",
		"  gogc=100 memlimit=off " + v + " greentea ",
		"verdict: " + v + " greentea against " + v + " classic at gogc=100 memlimit=off (3+3 runs): ",
	} {
		if c.code != 0 || !strings.Contains(c.stdout, want) {
			t.Errorf("compare: exit %d, no %q in\n%s%s", c.code, want, c.stdout, c.stderr)
		}
	}
	for _, name := range []string{"r.md", "r.html"} {
		rep := filepath.Join(t.TempDir(), name)
		if r := gcprobe(t, "report", out, "-o", rep); r.code != 0 {
			t.Fatalf("report: %+v", r)
		}
		b, _ := os.ReadFile(rep)
		text := strings.ReplaceAll(string(b), "&#43;", "+") // html/template's escape
		if !strings.Contains(text, v+" greentea against "+v+" classic at gogc=100 memlimit=off (3+3 runs)") {
			t.Errorf("%s has no verdict between the GCs", name)
		}
	}
	// The records compare with the installed build's run of gcprobe run
	// too, with no extra flag: each record says which build made it.
	built, err := os.ReadFile(buildBinary(t, "../../testdata/progs/allocator"))
	if err != nil {
		t.Fatal(err)
	}
	alloc := filepath.Join(t.TempDir(), "allocator") // the workload's name, as the sweep's
	if err := os.WriteFile(alloc, built, 0o755); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(t.TempDir(), "plain.jsonl")
	if r := gcprobe(t, "run", "--quiet", "-o", plain, "--", alloc, "-for", "200ms"); r.code != 0 {
		t.Fatalf("run: %+v", r)
	}
	c = gcprobe(t, "compare", plain, filepath.Join(out, "nogreenteagc_gogc-100_memlimit-off_r1.jsonl"))
	if !strings.Contains(c.stdout, "2 configurations, 1 run each; baseline: gogc=100 memlimit=off "+v+" classic\n") || !strings.Contains(c.stdout, "verdict: "+v+" greentea against "+v+" classic") {
		t.Errorf("compare of two records:\n%s%s", c.stdout, c.stderr)
	}
}

// TestSweepToolchains sweeps the allocator built by the installed go and by
// go1.27.3, fetched through the module proxy; it skips where the proxy
// cannot be reached.
func TestSweepToolchains(t *testing.T) {
	exe := buildBinary(t, ".")
	v := installedGo(t)
	if v == secondToolchain {
		t.Skipf("the installed go is %s already", v)
	}
	probe := exec.Command("go", "env", "GOVERSION")
	probe.Dir, probe.Env = t.TempDir(), append(os.Environ(), "GOTOOLCHAIN="+secondToolchain)
	if b, err := probe.CombinedOutput(); err != nil {
		if os.Getenv("GCPROBE_REQUIRE_TOOLCHAIN") != "" {
			t.Fatalf("GCPROBE_REQUIRE_TOOLCHAIN is set and %s cannot be fetched: %v: %s", secondToolchain, err, b)
		}
		t.Skipf("cannot fetch %s through the module proxy here (GOTOOLCHAIN=%s go env: %v: %s); the sweep across releases is not tested", secondToolchain, secondToolchain, err, strings.TrimSpace(string(b)))
	}
	out := filepath.Join(t.TempDir(), "rel")
	cmd := exec.Command(exe, "sweep", "--toolchain", "local,"+secondToolchain, "--repeat", "2", "--build", "../../testdata/progs/allocator", "--out", out, "--", "allocator", "-for", "200ms")
	b, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(b), "4 of 4 runs") || !strings.Contains(string(b), secondToolchain+": "+secondToolchain+", GC greentea") {
		t.Fatalf("sweep: %v\n%s", err, b)
	}
	c := gcprobe(t, "compare", "--json", out)
	for _, want := range []string{`"go": "` + v + `"`, `"go": "` + secondToolchain + `"`, `"build": "` + secondToolchain + ` greentea"`, `"baseline_build": "` + v + ` greentea"`} {
		if !strings.Contains(c.stdout, want) {
			t.Errorf("compare --json: no %s in\n%s%s", want, c.stdout, c.stderr)
		}
	}
}

func TestSweepBuildUsage(t *testing.T) {
	out := filepath.Join(t.TempDir(), "s")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--toolchain", "go1.27", "--build", ".", "--", "x"}, 2, `--toolchain: "go1.27" is a language version, not a release: name one such as go1.27.0`},
		{[]string{"--toolchain", "soon", "--build", ".", "--", "x"}, 2, `--toolchain: "soon" is not a Go release (go1.27.3) or local`},
		{[]string{"--goexperiment", "no green", "--build", ".", "--", "x"}, 2, `--goexperiment: "no green" is not a GOEXPERIMENT name`},
		{[]string{"--goexperiment", "nogreenteagc", "--", "./server"}, 2, "--toolchain and --goexperiment rebuild the program: give --build PKG, the package of ./server"},
		{[]string{"--build", "./cmd/server", "scenario", "readstates"}, 2, "--build is for -- CMD"},
		{[]string{"--resume", "--toolchain", "go1.27.3", "--out", out}, 2, "takes the builds from the manifest"},
		{[]string{"--toolchain", "go1.99.0", "--build", "../../testdata/progs/allocator", "--out", out, "--", "allocator"}, 1, "--toolchain go1.99.0: cannot be fetched or run: "},
	} {
		r := gcprobe(t, append([]string{"sweep"}, tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("sweep %q: exit %d %q, want %d and %q on one line", tc.args, r.code, r.stderr, tc.code, tc.want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a refused sweep left %s behind", out)
	}
}
