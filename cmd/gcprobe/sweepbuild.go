package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/gcprobe/gcprobe/cmd/gcprobe/internal/sweep"
)

// sweepBuilds reads the build axes of a sweep (--toolchain, --goexperiment,
// --build) into opts, and finds where go build runs: the current
// directory for --build, gcprobe's own source for a scenario.
func sweepBuilds(changed func(string) bool, toolchains, experiments []string, build string, opts *sweep.Options) error {
	var err error
	if changed("toolchain") {
		if opts.Grid.Toolchain, err = sweep.ParseToolchains(toolchains); err != nil {
			return usageErrorf("sweep: %v", err)
		}
	}
	if changed("goexperiment") {
		if opts.Grid.Experiment, err = sweep.ParseExperiments(experiments); err != nil {
			return usageErrorf("sweep: %v", err)
		}
	}
	t := &opts.Target
	axes := len(opts.Grid.Toolchain) > 0 || len(opts.Grid.Experiment) > 0
	switch {
	case t.Scenario != "" && build != "":
		return usageErrorf("sweep: --build is for -- CMD; a scenario is built from gcprobe's own source")
	case t.Scenario == "" && axes && build == "":
		return usageErrorf("sweep: --toolchain and --goexperiment rebuild the program: give --build PKG, the package of %s (as in --build ./cmd/server -- ./server)", t.Command[0])
	case !axes && build == "":
		return nil
	}
	if _, err := exec.LookPath("go"); err != nil {
		return fmt.Errorf("sweep: building needs the go command: %v", err)
	}
	if t.Scenario == "" {
		t.BuildDir, err = os.Getwd()
		return err
	}
	if t.BuildDir, err = gcprobeSource(); err != nil {
		return fmt.Errorf("sweep: --toolchain/--goexperiment with a scenario build gcprobe's scenario runner from source: %v", err)
	}
	return nil
}

// gcprobeSource finds the root of gcprobe's module source: the current
// directory's module when it is gcprobe's, else the directory this binary
// was built from (its file paths are in the binary unless it was built
// with -trimpath).
func gcprobeSource() (string, error) {
	var tried []string
	if out, err := exec.Command("go", "env", "GOMOD").Output(); err == nil {
		if mod := strings.TrimSpace(string(out)); mod != "" && mod != os.DevNull {
			if isGCProbeModule(mod) {
				return filepath.Dir(mod), nil
			}
			tried = append(tried, mod+" is another module")
		}
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		for d := filepath.Dir(file); ; d = filepath.Dir(d) {
			if isGCProbeModule(filepath.Join(d, "go.mod")) {
				return d, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
		tried = append(tried, "this gcprobe was built in "+filepath.Dir(file)+", which is gone")
	} else {
		tried = append(tried, "this gcprobe was built with -trimpath")
	}
	return "", fmt.Errorf("cannot find gcprobe's source (%s): run the sweep inside a checkout of %s", strings.Join(tried, "; "), sweep.RunnerModule)
}

func isGCProbeModule(gomod string) bool {
	b, err := os.ReadFile(gomod)
	return err == nil && sweep.ParseGoMod(b).Path == sweep.RunnerModule
}
