package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/scenarios"
)

func TestScenarioList(t *testing.T) {
	r := gcprobe(t, "scenario", "list")
	if r.code != 0 {
		t.Fatalf("scenario list: %+v", r)
	}
	for _, s := range scenarios.List() {
		if !strings.Contains(r.stdout, s.Name) || !strings.Contains(r.stdout, s.Doc) {
			t.Errorf("list does not show %s and its doc:\n%s", s.Name, r.stdout)
		}
	}
	r = gcprobe(t, "scenario", "list", "--json")
	var list []struct {
		Name   string
		Doc    string
		Params []struct{ Name, Default string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) != len(scenarios.List()) {
		t.Fatalf("scenario list --json: %v\n%s", err, r.stdout)
	}
	if list[0].Name == "" || list[0].Doc == "" || len(list[0].Params) == 0 {
		t.Errorf("scenario list --json lacks fields: %+v", list[0])
	}
}

func TestScenarioBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"scenario"}, "want list or run NAME"},
		{[]string{"scenario", "frob"}, `unknown subcommand "frob"`},
		{[]string{"scenario", "run"}, "no scenario named (known: binarytrees, fanout, jsonstream, leak, readstates, steady)"},
		{[]string{"scenario", "run", "nope"}, `unknown scenario "nope" (known: binarytrees, fanout, jsonstream, leak, readstates, steady)`},
		{[]string{"scenario", "run", "readstates", "--depth", "5"}, "--depth does not apply to scenario readstates"},
		{[]string{"scenario", "run", "binarytrees", "--pool"}, "--pool does not apply to scenario binarytrees"},
		{[]string{"scenario", "run", "readstates", "--rate", "0"}, "--rate must be above 0"},
		{[]string{"scenario", "run", "fanout", "--rate=-1"}, "--rate must be above 0"},
		{[]string{"scenario", "run", "readstates", "--entries", "2e9"}, "--entries 2e9 needs about 438 GiB"},
		{[]string{"scenario", "run", "readstates", "--entries", "lots"}, `invalid argument "lots" for "--entries"`},
		{[]string{"scenario", "run", "readstates", "--bogus"}, "unknown flag: --bogus"},
		{[]string{"scenario", "run", "readstates", "--gogc", "fast"}, "--gogc"},
		{[]string{"scenario", "run", "readstates", "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := gcprobe(t, tt.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tt.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("exit %d, stderr %q; want exit 2 and one line containing %q", r.code, r.stderr, tt.want)
			}
		})
	}
}

func TestScenarioHelp(t *testing.T) {
	r := gcprobe(t, "scenario", "run", "readstates", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "--layout") || strings.Contains(r.stdout, "--depth") {
		t.Fatalf("readstates --help shows other scenarios' flags or not its own: %+v", r)
	}
	r = gcprobe(t, "scenario", "run", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "readstates") {
		t.Fatalf("scenario run --help: %+v", r)
	}
}

func TestScenarioExecNeedsParent(t *testing.T) {
	r := gcprobe(t, "scenario", "exec", "binarytrees")
	if r.code != 2 || !strings.Contains(r.stderr, "gcprobe scenario run binarytrees") {
		t.Fatalf("scenario exec outside scenario run: %+v", r)
	}
}

// TestScenarioRunRecords runs every scenario for 2 s through the built
// gcprobe (which re-executes itself) and reads the record back: GC cycles
// bounded by gctrace, latency intervals with requests, a clean end.
func TestScenarioRunRecords(t *testing.T) {
	bin := buildBinary(t, ".")
	small := map[string][]string{
		"readstates":  {"--entries", "100000", "--rate", "5000"},
		"binarytrees": {"--depth", "18"}, // cut by --duration on a slow machine, done in ~1.5 s on a fast one
		"fanout":      {"--rate", "2000", "--subscribers", "4"},
		"jsonstream":  {"--rate", "2000", "--window", "500ms"},
	}
	for _, s := range scenarios.List() {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "r.jsonl")
			args := append([]string{"scenario", "run", s.Name, "--duration", "2s", "-o", out}, small[s.Name]...)
			cmd := exec.Command(bin, args...)
			b, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("gcprobe %s: %v\n%s", strings.Join(args, " "), err, b)
			}
			if !strings.Contains(string(b), s.Name+":") || !strings.Contains(string(b), "latency") {
				t.Errorf("output lacks the scenario's result or the summary:\n%s", b)
			}
			run, err := record.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			h := run.Header
			if h.Source != record.SourceScenario || h.Scenario != s.Name || h.Params["duration"] != "2s" {
				t.Errorf("header: source %q scenario %q params %v", h.Source, h.Scenario, h.Params)
			}
			var gcs, bounded, intervals int
			var requests uint64
			for _, e := range run.Events {
				if g := e.GC; g != nil {
					gcs++
					if g.EndSeconds > g.StartSeconds && g.StartSeconds > 0 {
						bounded++
					}
				}
				if l := e.Latency; l != nil {
					intervals++
					requests += l.Count
				}
			}
			if gcs == 0 || bounded != gcs {
				t.Errorf("%d GC events, %d with a start and end from gctrace", gcs, bounded)
			}
			if intervals < 5 || requests == 0 {
				t.Errorf("%d latency intervals with %d requests", intervals, requests)
			}
			if end := run.End(); end == nil || end.ExitCode != 0 {
				t.Errorf("end: %+v", end)
			}
		})
	}
}
