package attach

import (
	"context"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/pprof/profile"
)

// ErrOtherProcess reports that the endpoint at --url belongs to another
// process than --pid: the record would put one process's RSS and CPU beside
// another's GC data.
var ErrOtherProcess = errors.New("--url and --pid are different processes")

// startSlack is how far apart two readings of one process's start time may
// be beyond the boot time's rounding: Prometheus' process collector adds
// the boot time, which the kernel gives in whole seconds rounded down, so
// its start time is up to 1 s early; /proc/uptime has 10 ms steps. Two
// processes started within about a second of each other cannot be told
// apart this way.
const startSlack = 0.05

// checkSameProcess compares what the endpoint said about its process with
// /proc/PID. It returns ErrOtherProcess (wrapped, with both sides) when they
// differ, and a note for the record when nothing could be compared.
func (s *Session) checkSameProcess(ctx context.Context, id *identity, now time.Time) (note string, err error) {
	p := s.proc
	if id == nil {
		if file, buildID, ok := s.pprofIdentity(ctx); ok {
			return s.checkBinary(file, buildID)
		}
		return fmt.Sprintf("could not check that %s is served by PID %d: the %s endpoint says nothing about its process "+
			"(the agent's PID, expvar's cmdline, Prometheus' process_start_time_seconds and pprof's main mapping are what gcprobe compares)",
			s.ep.base, p.PID, s.src.name()), nil
	}
	switch {
	case id.pid != 0 && id.pid != p.PID:
		return "", fmt.Errorf("%w: the gcprobe agent at %s runs in PID %d, not in PID %d (%s)", ErrOtherProcess, s.ep.base, id.pid, p.PID, p.Name)
	case id.cmdline != nil:
		b, err := p.readFile(fmt.Sprintf("/proc/%d/cmdline", p.PID))
		if err != nil {
			return fmt.Sprintf("could not check that %s is served by PID %d: %v", s.ep.base, p.PID, err), nil
		}
		own := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		if strings.Join(own, "\x00") != strings.Join(id.cmdline, "\x00") {
			return "", fmt.Errorf("%w: expvar at %s is of %q, but PID %d runs %q", ErrOtherProcess, s.ep.base,
				strings.Join(id.cmdline, " "), p.PID, strings.Join(own, " "))
		}
	case id.start > 0:
		start, err := p.StartTime(now)
		if err != nil {
			return fmt.Sprintf("could not check that %s is served by PID %d: %v", s.ep.base, p.PID, err), nil
		}
		own := float64(start.UnixNano()) / 1e9
		if d := own - id.start; d < -startSlack || d > 1+startSlack {
			return "", fmt.Errorf("%w: the process behind %s started at %s, PID %d at %s", ErrOtherProcess, s.ep.base,
				unixTime(id.start), p.PID, unixTime(own))
		}
	}
	return "", nil
}

func unixTime(sec float64) string {
	return time.Unix(0, int64(sec*1e9)).UTC().Format("2006-01-02T15:04:05.00Z")
}

// pprofIdentity asks net/http/pprof which binary the endpoint runs: the
// main mapping of a heap profile names its file and, when the binary has
// one, its GNU build ID. It is the fallback when the data source said
// nothing about its process; ok is false when pprof does not answer.
func (s *Session) pprofIdentity(ctx context.Context) (file, buildID string, ok bool) {
	body, err := s.f.get(ctx, s.ep.pprof+"heap", "", maxProfileBody, 0)
	if err != nil {
		return "", "", false
	}
	p, err := profile.ParseData(body)
	if err != nil || len(p.Mapping) == 0 {
		return "", "", false
	}
	m := p.Mapping[0] // the main binary comes first
	return m.File, m.BuildID, m.File != ""
}

// checkBinary compares the endpoint's main mapping with /proc/PID/exe. The
// same binary running twice cannot be told apart this way: the note says
// what was compared.
func (s *Session) checkBinary(file, buildID string) (note string, err error) {
	p := s.proc
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", p.PID))
	if err != nil {
		return fmt.Sprintf("could not check that %s is served by PID %d: %v", s.ep.base, p.PID, err), nil
	}
	if own := gnuBuildID(fmt.Sprintf("/proc/%d/exe", p.PID)); buildID != "" && own != "" {
		if own != buildID {
			return "", fmt.Errorf("%w: the pprof profile at %s is of a binary with build ID %s, PID %d runs %s (build ID %s)",
				ErrOtherProcess, s.ep.base, buildID, p.PID, exe, own)
		}
	} else if file != exe {
		return "", fmt.Errorf("%w: the pprof profile at %s is of %s, PID %d runs %s", ErrOtherProcess, s.ep.base, file, p.PID, exe)
	}
	return fmt.Sprintf("%s runs the same binary as PID %d (pprof's main mapping), which is all that could be checked", s.ep.base, p.PID), nil
}

// gnuBuildID reads the GNU build ID note of an ELF file, "" when it has
// none (the Go linker writes one only when asked, or with an external
// linker).
func gnuBuildID(path string) string {
	f, err := elf.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sec := f.Section(".note.gnu.build-id")
	if sec == nil {
		return ""
	}
	b, err := sec.Data()
	if err != nil || len(b) < 16 {
		return ""
	}
	order := f.ByteOrder
	namesz, descsz := order.Uint32(b[0:4]), order.Uint32(b[4:8])
	start := 12 + (namesz+3)&^3
	if uint64(start)+uint64(descsz) > uint64(len(b)) {
		return ""
	}
	return hex.EncodeToString(b[start : start+descsz])
}
