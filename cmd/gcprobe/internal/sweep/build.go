package sweep

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/version"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gcprobe/gcprobe/profiler/host"
)

// BuildKey names one build of the program: the toolchain (a GOTOOLCHAIN
// value) and the GOEXPERIMENT it is built with. "" leaves either as the
// environment has it.
type BuildKey struct {
	Toolchain  string `json:"toolchain,omitempty"`
	Experiment string `json:"goexperiment,omitempty"`
}

// ExperimentDefault is the --goexperiment value that builds with the
// toolchain's own defaults (GOEXPERIMENT empty).
const ExperimentDefault = "default"

// RunnerPackage is the package of gcprobe's scenario runner, inside
// gcprobe's module: what a sweep over toolchains builds for a scenario.
const RunnerPackage = "./cmd/gcprobe"

// RunnerModule is gcprobe's module path.
const RunnerModule = "github.com/gcprobe/gcprobe"

// IsZero reports whether the key leaves both the toolchain and the
// experiment to the environment.
func (k BuildKey) IsZero() bool { return k == BuildKey{} }

// String is "go1.27.3 nogreenteagc" (the parts that are set).
func (k BuildKey) String() string {
	return strings.Join(nonEmpty(k.Toolchain, k.Experiment), " ")
}

// stem names the build in file names: "go1.27.3_nogreenteagc", "build"
// for the zero key.
func (k BuildKey) stem() string {
	s := strings.Join(nonEmpty(k.Toolchain, k.Experiment), "_")
	if s == "" {
		return "build"
	}
	return unsafeName.ReplaceAllString(s, "-")
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._+-]`)

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// env is what go build gets for the key, after the sweep's environment.
func (k BuildKey) env() []string {
	var e []string
	if k.Toolchain != "" {
		e = append(e, "GOTOOLCHAIN="+k.Toolchain)
	}
	switch k.Experiment {
	case "":
	case ExperimentDefault:
		e = append(e, "GOEXPERIMENT=")
	default:
		e = append(e, "GOEXPERIMENT="+strings.ReplaceAll(k.Experiment, "+", ","))
	}
	return e
}

// ParseToolchains reads --toolchain: Go releases ("go1.27.3", "1.27.3",
// "go1.27rc1") and "local" (the installed go, as GOTOOLCHAIN=local).
func ParseToolchains(vals []string) ([]string, error) {
	return parseList("--toolchain", vals, func(s string) (string, error) {
		s = strings.TrimSpace(s)
		if s == "local" {
			return s, nil
		}
		v := s
		if !strings.HasPrefix(v, "go") {
			v = "go" + v
		}
		if !version.IsValid(v) {
			return "", fmt.Errorf("%q is not a Go release (go1.27.3) or local", s)
		}
		if version.Compare(v, "go1.21") >= 0 && version.Lang(v) == v {
			// From Go 1.21 on, go1.N is a language version; the first
			// release is go1.N.0.
			return "", fmt.Errorf("%q is a language version, not a release: name one such as %s.0", s, v)
		}
		return v, nil
	}, "go1.26.8,go1.27.3")
}

// experimentName is one GOEXPERIMENT name, or several joined with "+"
// (pflag splits on commas).
var experimentName = regexp.MustCompile(`^[a-z0-9]+(\+[a-z0-9]+)*$`)

// ParseExperiments reads --goexperiment: "default" (the toolchain's own
// GC and features) or GOEXPERIMENT values such as nogreenteagc; join
// several experiments of one build with "+".
func ParseExperiments(vals []string) ([]string, error) {
	return parseList("--goexperiment", vals, func(s string) (string, error) {
		s = strings.ToLower(strings.TrimSpace(s))
		if s == "" || s == "none" {
			s = ExperimentDefault
		}
		if s != ExperimentDefault && !experimentName.MatchString(s) {
			return "", fmt.Errorf("%q is not a GOEXPERIMENT name (nogreenteagc) or default", s)
		}
		return s, nil
	}, "default,nogreenteagc")
}

// Build is one build of the program in the manifest.
type Build struct {
	BuildKey
	// Binary is the built program, inside the sweep's directory; "" when
	// it could not be built (see Error).
	Binary string `json:"binary,omitempty"`
	// GoVersion and GC are read from the binary's build info.
	GoVersion string `json:"go_version,omitempty"`
	GC        string `json:"gc,omitempty"`
	SHA256    string `json:"sha256,omitempty"`
	// Error says why there is no binary; the go command's output is in
	// Log.
	Error string `json:"error,omitempty"`
	Log   string `json:"log,omitempty"`
}

// needsBuild reports whether the sweep builds its program.
func needsBuild(t Target, g Grid) bool {
	return t.Build != "" || len(g.Toolchain) > 0 || len(g.Experiment) > 0
}

// builder runs the go command for a sweep.
type builder struct {
	o *Options
	// versions are the go versions ("go1.27.3") of each toolchain.
	versions map[string]string
}

// goCmd is the go command with the sweep's environment and extra (which
// wins: exec uses the last value of a variable), run in dir.
func (b *builder) goCmd(ctx context.Context, dir string, extra []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, b.o.Go, args...)
	cmd.Dir = dir
	env := b.o.Env
	if env == nil { // as exec.Cmd: nil is this process's environment
		env = os.Environ()
	}
	cmd.Env = append(slices.Clip(env), extra...)
	return cmd
}

// check finds, before anything is built or run, what the go command can
// tell in advance: a toolchain that cannot be fetched is an error; a
// toolchain older than the module's go line and an experiment a toolchain
// does not know make that build unavailable, with the reason.
func (b *builder) check(ctx context.Context, keys []BuildKey) (map[BuildKey]string, error) {
	tmp := os.TempDir() // outside any module: its go line must not get in the way
	b.versions = map[string]string{}
	for _, k := range keys {
		if _, ok := b.versions[k.Toolchain]; ok {
			continue
		}
		extra := BuildKey{Toolchain: k.Toolchain, Experiment: ExperimentDefault}.env()
		cmd := b.goCmd(ctx, tmp, extra, "env", "GOVERSION")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr // "go: downloading go1.27.3" while it fetches
		out, err := cmd.Output()
		if err != nil {
			name := k.Toolchain
			if name == "" {
				name = "the environment's go"
			}
			return nil, fmt.Errorf("--toolchain %s: cannot be fetched or run: %s", name, goError(stderr.Bytes(), err))
		}
		b.versions[k.Toolchain] = strings.TrimSpace(string(out))
	}
	mod, err := readGoMod(b.o.Target.BuildDir)
	if err != nil {
		return nil, err
	}
	bad := map[BuildKey]string{}
	for _, k := range keys {
		v := b.versions[k.Toolchain]
		// Without --toolchain the environment's GOTOOLCHAIN (auto, say)
		// may switch to a newer release: the go command decides then.
		if k.Toolchain != "" && mod.Go != "" && version.IsValid(v) && version.Compare(v, "go"+mod.Go) < 0 {
			bad[k] = fmt.Sprintf("%s cannot build %s: its go.mod (%s) says go %s", v, mod.Path, mod.File, mod.Go)
			continue
		}
		if k.Experiment == "" || k.Experiment == ExperimentDefault {
			continue
		}
		if out, err := b.goCmd(ctx, tmp, k.env(), "env", "GOEXPERIMENT").CombinedOutput(); err != nil {
			bad[k] = fmt.Sprintf("%s does not know GOEXPERIMENT=%s: %s", v, strings.ReplaceAll(k.Experiment, "+", ","), goError(out, err))
		}
	}
	return bad, nil
}

// build builds the program for k into the sweep's directory, keeping the
// binary already there when the new one is identical: go build's own cache
// decides what changed (sources, go.mod, embedded files, flags, toolchain),
// and a resumed sweep then runs the same binary as before.
func (b *builder) build(ctx context.Context, k BuildKey, pkg, name string) (Build, string) {
	bl := Build{BuildKey: k, Log: filepath.Join("logs", "build_"+k.stem()+".log")}
	rel := filepath.Join("builds", k.stem(), name)
	final := filepath.Join(b.o.Dir, rel)
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		bl.Error = err.Error()
		return bl, ""
	}
	abs, err := filepath.Abs(final + ".new")
	if err != nil {
		bl.Error = err.Error()
		return bl, ""
	}
	logf, err := os.Create(filepath.Join(b.o.Dir, bl.Log))
	if err != nil {
		bl.Error = err.Error()
		return bl, ""
	}
	defer logf.Close()
	var out bytes.Buffer
	cmd := b.goCmd(ctx, b.o.Target.BuildDir, k.env(), "build", "-o", abs, pkg)
	cmd.Stdout, cmd.Stderr = io.MultiWriter(logf, &out), io.MultiWriter(logf, &out)
	fmt.Fprintf(logf, "# in %s: %s %s\n", cmd.Dir, strings.Join(k.env(), " "), strings.Join(cmd.Args, " "))
	start := time.Now()
	if err := cmd.Run(); err != nil {
		os.Remove(abs)
		bl.Error = fmt.Sprintf("go build %s failed: %s; see %s", pkg, goError(out.Bytes(), err), bl.Log)
		return bl, ""
	}
	took := time.Since(start).Round(100 * time.Millisecond)
	newSum, err := fileSum(abs)
	if err != nil {
		bl.Error = err.Error()
		return bl, ""
	}
	oldSum, _ := fileSum(final) // "" when there is no build yet
	what := fmt.Sprintf("built in %s", took)
	switch {
	case oldSum == newSum:
		os.Remove(abs)
		what = "up to date"
	case oldSum != "":
		what = fmt.Sprintf("rebuilt in %s: the source changed since the last call, the runs still to do use the new build", took)
		fallthrough
	default:
		if err := os.Rename(abs, final); err != nil {
			bl.Error = err.Error()
			return bl, ""
		}
	}
	info, err := host.ReadBuild(final)
	if err != nil {
		bl.Error = fmt.Sprintf("%s: %v", rel, err)
		return bl, ""
	}
	bl.Binary, bl.SHA256, bl.GoVersion, bl.GC = rel, newSum, info.GoVersion, info.GC
	return bl, what
}

func fileSum(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// goError is the go command's message in one line: its output without
// the "go: downloading" chatter, or the exit status when it said nothing.
func goError(out []byte, err error) string {
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "go: downloading ") || strings.HasPrefix(l, "# ") {
			continue
		}
		lines = append(lines, l)
	}
	if len(lines) == 0 {
		return err.Error()
	}
	const most = 3
	if len(lines) > most {
		lines = append(lines[:most], fmt.Sprintf("(%d more lines)", len(lines)-most))
	}
	return strings.Join(lines, "; ")
}
