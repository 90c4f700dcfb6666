package attach

import (
	"errors"
	"fmt"
	"strings"
	"time"
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
func (s *Session) checkSameProcess(id *identity, now time.Time) (note string, err error) {
	p := s.proc
	if id == nil {
		return fmt.Sprintf("could not check that %s is served by PID %d: the %s endpoint says nothing about its process "+
			"(the agent's PID, expvar's cmdline and Prometheus' process_start_time_seconds are what gcprobe compares)",
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
