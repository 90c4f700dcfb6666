package profiles

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"

	"github.com/google/pprof/profile"
)

// A Go heap profile in ?debug=1 text lists each sample's stack twice: as
// addresses on the sample line ("1: 8192 [4: 32768] @ 0x47c9ec 0x4dba56"),
// then one "#" line per frame, innermost first, with the frame's address
// (the sample's address minus one, which is what pprof's legacy parser
// stores in Location.Address), function, offset, file and line:
//
//	#	0x4dba55	main.buildString+0x35	/src/main.go:47
//
// Inlined frames share an address. The runtime leaves out the runtime frames
// at the top of a stack, as it does in protobuf heap profiles.

func isDebugHeapText(data []byte) bool {
	return bytes.HasPrefix(data, []byte("heap profile:")) && bytes.Contains(data, []byte("\n#\t0x"))
}

// debugFrame is one "#" line.
type debugFrame struct {
	name, file string
	line       int64
}

// symbolizeDebugText gives the locations of p, parsed from the debug=1 heap
// text data, the functions and lines of its "#" lines, and drops the
// runtime frames at the top of each stack, as protobuf heap profiles do.
func symbolizeDebugText(p *profile.Profile, data []byte) {
	frames := map[uint64][]debugFrame{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	// Inlined frames are consecutive lines with one address; an address
	// met again in a later stack repeats the same frames.
	var prev uint64
	recording := false
	for sc.Scan() {
		addr, f, ok := parseDebugFrame(sc.Text())
		if !ok {
			recording = false
			continue
		}
		if !recording || addr != prev {
			_, seen := frames[addr]
			recording, prev = !seen, addr
		}
		if recording {
			frames[addr] = append(frames[addr], f)
		}
	}
	if len(frames) == 0 {
		return
	}
	funcs := map[debugFrame]*profile.Function{}
	for _, l := range p.Location {
		if len(l.Line) > 0 {
			continue
		}
		for _, f := range frames[l.Address] {
			key := debugFrame{name: f.name, file: f.file}
			fn := funcs[key]
			if fn == nil {
				fn = &profile.Function{ID: uint64(len(p.Function) + 1), Name: f.name, SystemName: f.name, Filename: f.file}
				p.Function = append(p.Function, fn)
				funcs[key] = fn
			}
			l.Line = append(l.Line, profile.Line{Function: fn, Line: f.line})
		}
	}
	for _, s := range p.Sample {
		i := 0
		for i < len(s.Location) && isRuntimeFrame(s.Location[i]) {
			i++
		}
		if i < len(s.Location) {
			s.Location = s.Location[i:]
		}
	}
}

// isRuntimeFrame reports whether l is one of the runtime frames that the
// runtime hides at the top of heap profile stacks (or unnamed).
func isRuntimeFrame(l *profile.Location) bool {
	if len(l.Line) == 0 {
		return true
	}
	fn := l.Line[0].Function
	if fn == nil {
		return true
	}
	name := fn.Name
	return strings.HasPrefix(name, "runtime.") || strings.HasPrefix(name, "internal/runtime/")
}

// parseDebugFrame reads "#\t0xADDR\tFUNC+0xOFF\tFILE:LINE".
func parseDebugFrame(line string) (uint64, debugFrame, bool) {
	rest, ok := strings.CutPrefix(line, "#\t0x")
	if !ok {
		return 0, debugFrame{}, false
	}
	fields := strings.Fields(rest)
	if len(fields) < 3 {
		return 0, debugFrame{}, false
	}
	addr, err := strconv.ParseUint(fields[0], 16, 64)
	if err != nil {
		return 0, debugFrame{}, false
	}
	name := fields[1]
	if i := strings.LastIndex(name, "+0x"); i > 0 {
		name = name[:i]
	}
	fileLine := strings.Join(fields[2:], " ")
	f := debugFrame{name: name, file: fileLine}
	if i := strings.LastIndexByte(fileLine, ':'); i > 0 {
		if n, err := strconv.ParseInt(fileLine[i+1:], 10, 64); err == nil {
			f.file, f.line = fileLine[:i], n
		}
	}
	return addr, f, true
}
