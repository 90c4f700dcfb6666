package summary

import (
	"encoding/json"
	"io"

	"github.com/gcprobe/gcprobe/record"
)

// jsonSummary is a Summary with its metrics and verdict, as WriteJSON
// writes it.
type jsonSummary struct {
	Summary
	Warnings []string `json:"warnings,omitempty"`
	Metrics  []Metric `json:"metrics"`
	Verdict  []string `json:"verdict,omitempty"`
}

// WriteJSON writes the summaries as an indented JSON array, each with its
// metrics and verdict. NaN and infinite figures are written as 0 (see
// record.Finite).
func WriteJSON(w io.Writer, sums []Summary) error {
	out := make([]jsonSummary, len(sums))
	for i, s := range sums {
		out[i] = jsonSummary{Summary: record.Finite(s), Warnings: messages(s.Warnings), Metrics: s.Metrics(), Verdict: s.Verdict()}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// messages are the errors' texts.
func messages(errs []error) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}
