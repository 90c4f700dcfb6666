package report

import (
	"fmt"
	"strings"

	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/units"
)

// Facts lists what was run, when and where, as label and value pairs, for
// both renderers.
func (r *Run) Facts() [][2]string {
	s, h := r.Summary, r.Header
	facts := [][2]string{
		{"record", s.File},
		{"what", summary.What(s)},
		{"source", s.Source},
	}
	if len(h.Command) > 0 && s.Scenario != "" {
		facts = append(facts, [2]string{"command", strings.Join(h.Command, " ")})
	}
	if p := h.Program; p != nil && p.Name != "" {
		facts = append(facts, [2]string{"program", p.Name + " (from " + p.From + ")"})
	}
	if h.Attach != nil {
		facts = append(facts, [2]string{"attached", strings.TrimSpace(h.Attach.URL + " via " + h.Attach.Via)})
	}
	if h.PID != 0 {
		facts = append(facts, [2]string{"PID", fmt.Sprint(h.PID)})
	}
	facts = append(facts,
		[2]string{"started", summary.StartedLine(s)},
		[2]string{"duration", units.Seconds(s.DurationSeconds)},
		[2]string{"ended", s.Ended},
		[2]string{"Go", summary.GoLine(s)},
		[2]string{"settings", summary.SettingsLine(s)},
		[2]string{"host", summary.HostLine(s)},
	)
	if h.Host.Hostname != "" {
		facts = append(facts, [2]string{"hostname", h.Host.Hostname})
	}
	if h.GCProbeVersion != "" {
		facts = append(facts, [2]string{"gcprobe", h.GCProbeVersion})
	}
	return facts
}
