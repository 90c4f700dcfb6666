// Package liveview shows a live.Monitor while a run is recorded: full screen
// on a terminal (bubbletea), or one plain line per interval elsewhere.
//
// The view only reads: the recording goes on in the caller's goroutine and
// Done tells the view that it finished. Quitting the view (q, Ctrl-C) calls
// Stop, which ends the recording the way an interrupt does, so that the
// record is complete when the view is gone.
package liveview

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/gcprobe/gcprobe/analyze/live"
)

// Options say what to show and how.
type Options struct {
	Monitor *live.Monitor
	// Interval is the time between refreshes.
	Interval time.Duration
	// Done is closed when the recording has finished; Stop asks it to
	// finish (it may take a moment: end profiles, the child's exit).
	Done <-chan struct{}
	Stop func()
	// Status is a line shown under the view ("recording to x.jsonl").
	Status string
	// NoColor drops colours (NO_COLOR is set).
	NoColor bool
}

// Lines writes one live.Line per interval to w until Done, then a last one.
// A line that would repeat the one before it word for word is left out:
// the record has not moved since (its clock is the record's, so the same
// line twice read as time standing still, e.g. t=0s twice at the start).
func Lines(w io.Writer, o Options) {
	t := time.NewTicker(o.Interval)
	defer t.Stop()
	var last string
	write := func() {
		if l := live.Line(o.Monitor.Snapshot()); l != last {
			fmt.Fprintln(w, l)
			last = l
		}
	}
	for {
		select {
		case <-o.Done:
			write()
			return
		case <-t.C:
			write()
		}
	}
}

// Terminal runs the full-screen view on in and out until Done. It returns
// when the view has been torn down and the terminal restored.
func Terminal(ctx context.Context, in io.Reader, out io.Writer, o Options) error {
	m := &model{o: o, st: newStyles(o.NoColor), snap: o.Monitor.Snapshot()}
	p := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(out),
		// The view changes once per Interval: a renderer polling for
		// changes 60 times a second would cost more than the view.
		tea.WithFPS(fps(o.Interval)),
		// gcprobe's own signal handling ends the recording; the view
		// follows through Done.
		tea.WithoutSignalHandler())
	go func() {
		select {
		case <-o.Done:
		case <-ctx.Done():
			// An interrupt from outside (kill -INT): the recording ends
			// by itself through the same ctx, then Done follows.
			<-o.Done
		}
		p.Send(doneMsg{})
	}()
	_, err := p.Run()
	return err
}

type tickMsg struct{}
type doneMsg struct{}

type model struct {
	o             Options
	st            styles
	snap          live.Snapshot
	width, height int
	stopping      bool
	done          bool
}

func (m *model) Init() tea.Cmd { return m.tick() }

func (m *model) tick() tea.Cmd {
	return tea.Tick(m.o.Interval, func(time.Time) tea.Msg { return tickMsg{} })
}

func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case tickMsg:
		m.snap = m.o.Monitor.Snapshot()
		return m, m.tick()
	case doneMsg:
		m.snap, m.done = m.o.Monitor.Snapshot(), true
		return m, tea.Quit
	case tea.KeyPressMsg:
		switch msg.String() {
		case "q", "ctrl+c", "esc":
			if !m.stopping {
				m.stopping = true
				m.o.Stop()
			}
		}
	}
	return m, nil
}

func (m *model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "gcprobe"
	return v
}

// Layout widths: label column, value column, the gaps between.
const (
	labelWidth = 22
	valueWidth = 40
	gaps       = 4
)

func (m *model) render() string {
	width := m.width
	if width <= 0 {
		width = 80
	}
	spark := width - labelWidth - valueWidth - gaps
	if spark < 0 {
		spark = 0
	}
	scr := live.Lay(m.snap, spark)
	var b strings.Builder
	b.WriteString(m.st.title.Render(fit(scr.Title, width)) + "\n")
	for _, sec := range scr.Sections {
		b.WriteString("\n" + m.st.heading.Render(fit(sec.Name, width)) + "\n")
		for _, r := range sec.Rows {
			line := "  " + pad(r.Label, labelWidth) + " "
			if r.Spark != "" {
				line += pad(r.Value, valueWidth) + " " + m.st.spark.Render(r.Spark)
			} else {
				line += r.Value
			}
			b.WriteString(fit(line, width) + "\n")
		}
	}
	if scr.Verdict != "" {
		b.WriteString("\n" + m.st.verdict.Render(lipgloss.Wrap(scr.Verdict, max(width, 20), " ")) + "\n")
	}
	status := m.o.Status
	switch {
	case m.done:
		status = "recording finished; " + status
	case m.stopping:
		status = "stopping: finishing the record…"
	default:
		status += " · q to stop"
	}
	b.WriteString("\n" + m.st.faint.Render(fit(status, width)))
	return b.String()
}

// pad left-aligns s in a column of n cells, cutting it when it is longer.
func pad(s string, n int) string {
	s = fit(s, n)
	return s + strings.Repeat(" ", n-lipgloss.Width(s))
}

// fit cuts s to n cells, marking the cut with an ellipsis.
func fit(s string, n int) string {
	if lipgloss.Width(s) <= n {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && lipgloss.Width(string(r))+1 > n {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

type styles struct {
	title, heading, spark, verdict, faint lipgloss.Style
}

func newStyles(noColor bool) styles {
	s := styles{
		title:   lipgloss.NewStyle().Bold(true),
		heading: lipgloss.NewStyle().Bold(true),
		spark:   lipgloss.NewStyle(),
		verdict: lipgloss.NewStyle(),
		faint:   lipgloss.NewStyle().Faint(true),
	}
	if !noColor {
		s.title = s.title.Foreground(lipgloss.Color("12"))
		s.heading = s.heading.Foreground(lipgloss.Color("6"))
		s.spark = s.spark.Foreground(lipgloss.Color("2"))
		s.verdict = s.verdict.Foreground(lipgloss.Color("3"))
	}
	return s
}

// fps is the renderer's frame rate for a view refreshed every interval:
// enough to follow keys and resizes promptly, not more.
func fps(interval time.Duration) int {
	return max(4, min(30, int(4*time.Second/interval)))
}
