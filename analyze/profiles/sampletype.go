package profiles

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/google/pprof/profile"
)

// SampleTypes lists the values a profile's samples carry.
type SampleTypes struct {
	PeriodType string       `json:"period_type,omitempty"` // "space/bytes"
	Period     int64        `json:"period"`
	Samples    int          `json:"samples"`
	Types      []SampleType `json:"types"`
}

// SampleType is one of a profile's sample values.
type SampleType struct {
	Index int    `json:"index"`
	Type  string `json:"type"` // alloc_space
	Unit  string `json:"unit"` // bytes
	// Total is the sum of this value over all samples.
	Total int64 `json:"total"`
	// Default is true for the type that Top shows when not told which.
	Default bool `json:"default"`
}

// ListSampleTypes lists p's sample types and their totals.
func ListSampleTypes(p *profile.Profile) SampleTypes {
	st := SampleTypes{Period: p.Period, Samples: len(p.Sample)}
	if pt := p.PeriodType; pt != nil && (pt.Type != "" || pt.Unit != "") {
		st.PeriodType = pt.Type + "/" + pt.Unit
	}
	def, _ := SampleIndex(p, "")
	totals := make([]int64, len(p.SampleType))
	for _, s := range p.Sample {
		for i, v := range s.Value {
			if i < len(totals) {
				totals[i] += v
			}
		}
	}
	for i, t := range p.SampleType {
		st.Types = append(st.Types, SampleType{Index: i, Type: t.Type, Unit: t.Unit, Total: totals[i], Default: i == def})
	}
	return st
}

// SampleIndex resolves a sample index given by name ("alloc_space") or
// number ("1"). The empty name picks the default: alloc_space when the
// profile has it (the garbage, in a heap profile), else the profile's default
// sample type, else its last one.
func SampleIndex(p *profile.Profile, name string) (int, error) {
	n := len(p.SampleType)
	if n == 0 {
		return 0, fmt.Errorf("the profile has no sample types")
	}
	find := func(typ string) int {
		for i, t := range p.SampleType {
			if t.Type == typ {
				return i
			}
		}
		return -1
	}
	if name == "" {
		if i := find("alloc_space"); i >= 0 {
			return i, nil
		}
		if i := find(p.DefaultSampleType); i >= 0 && p.DefaultSampleType != "" {
			return i, nil
		}
		return n - 1, nil
	}
	if i := find(name); i >= 0 {
		return i, nil
	}
	if i, err := strconv.Atoi(name); err == nil {
		if i >= 0 && i < n {
			return i, nil
		}
		return 0, fmt.Errorf("sample index %d is out of range: the profile has %d sample types (%s)", i, n, typeNames(p))
	}
	return 0, fmt.Errorf("no sample type %q in this profile (it has %s)", name, typeNames(p))
}

func typeNames(p *profile.Profile) string {
	names := make([]string, len(p.SampleType))
	for i, t := range p.SampleType {
		names[i] = t.Type
	}
	return strings.Join(names, ", ")
}
