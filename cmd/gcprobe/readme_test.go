package main

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
)

// readmeCommands returns the gcprobe command lines in the README's code
// blocks ("gcprobe ..." or "go run ./cmd/gcprobe ..."), without comments,
// split at "&&", as argument lists after "gcprobe". Blocks fenced as
// ```text are output (a captured screen), not commands.
func readmeCommands(t *testing.T) [][]string {
	t.Helper()
	f, err := os.Open("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cmds [][]string
	inCode, output := false, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
			output = inCode && line == "```text"
			continue
		}
		if !inCode || output {
			continue
		}
		line, _, _ = strings.Cut(line, " #")
		for _, part := range strings.Split(line, "&&") {
			fields := strings.Fields(part)
			if len(fields) > 0 && fields[0] == "gcprobe" {
				cmds = append(cmds, fields[1:])
			} else if len(fields) > 2 && fields[0] == "go" && fields[1] == "run" && fields[2] == "./cmd/gcprobe" {
				cmds = append(cmds, fields[3:])
			}
		}
	}
	return cmds
}

var flagUsage = regexp.MustCompile(`(?m)^\s+(?:-\w, )?(--[\w-]+)`)

// TestREADMECommands checks that every command line the README shows names
// a command gcprobe has and only flags that command accepts, so the front
// door does not drift from the tool. (Running them for real would take
// minutes; each command's own tests run it.)
func TestREADMECommands(t *testing.T) {
	cmds := readmeCommands(t)
	if len(cmds) < 10 {
		t.Fatalf("found only %d gcprobe commands in README.md", len(cmds))
	}
	for _, args := range cmds {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			if len(args) == 0 {
				t.Fatal("bare gcprobe")
			}
			// The help of "scenario run NAME" lists the scenario's own flags.
			helpArgs := []string{args[0]}
			if args[0] == "scenario" && len(args) > 2 && args[1] == "run" {
				helpArgs = args[:3:3] // full slice: append must not overwrite args
			}
			if args[0] == "import" && len(args) > 1 && args[1] == "prometheus" {
				helpArgs = args[:2:2] // its own flags
			}
			r := gcprobe(t, append(helpArgs, "--help")...)
			if r.code != 0 {
				t.Fatalf("gcprobe %s --help: exit %d: %s", strings.Join(helpArgs, " "), r.code, r.stderr)
			}
			known := map[string]bool{}
			for _, m := range flagUsage.FindAllStringSubmatch(r.stdout, -1) {
				known[m[1]] = true
			}
			for _, a := range args[1:] {
				if a == "--" {
					break // the program's own arguments follow
				}
				name, _, _ := strings.Cut(a, "=")
				if strings.HasPrefix(name, "--") && !known[name] {
					t.Errorf("README uses %s, which gcprobe %s does not define", name, args[0])
				}
			}
		})
	}
}
