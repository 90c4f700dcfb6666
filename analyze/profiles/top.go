package profiles

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"

	"github.com/google/pprof/profile"
)

// Sort is the column a Table is ordered by, largest magnitude first (as
// pprof orders them), so that a diff's decreases rank with its increases.
type Sort string

// The orders of Top.
const (
	SortFlat Sort = "flat" // the value of samples whose leaf is the key
	SortCum  Sort = "cum"  // the value of samples with the key anywhere on the stack
)

// TopOptions says what Top shows.
type TopOptions struct {
	// SampleIndex is a sample type name ("alloc_space") or number; empty
	// means the default (see SampleIndex).
	SampleIndex string
	By          By   // empty means ByFunction
	Sort        Sort // empty means SortFlat
	// Focus keeps only samples with a frame whose function or file name
	// matches; Ignore drops samples with such a frame.
	Focus, Ignore *regexp.Regexp
	// N is the number of rows kept; 0 keeps all.
	N int
	// Diff says the profile is the result of Subtract: its values are
	// changes (a Diff result says so itself, by its labels).
	Diff bool
}

// Table is the top of a profile: flat and cumulative values per key.
type Table struct {
	SampleIndex int    `json:"sample_index"`
	SampleType  string `json:"sample_type"` // alloc_space
	Unit        string `json:"unit"`        // bytes
	By          By     `json:"by"`
	Sort        Sort   `json:"sort"`
	// Diff is true when the profile is a diff (see Diff and Subtract):
	// values are changes, and shares are of the base's total (Diff, as
	// pprof -diff_base) or of the changes' absolute values (Subtract, as
	// pprof -base).
	Diff bool `json:"diff"`
	// Total is what shares are of: the sum of absolute sample values (in a
	// diff, of the base's samples).
	Total int64 `json:"total"`
	// Net is the signed sum of the values shown (in a diff, the change).
	Net int64 `json:"net"`
	// Samples were summed; Dropped were left out by Focus or Ignore.
	Samples int `json:"samples"`
	Dropped int `json:"dropped"`
	// Keys is the number of keys with a value, of which Rows shows the top.
	Keys int   `json:"keys"`
	Rows []Row `json:"rows"`
	// Notes say what a reader should know about the numbers.
	Notes []string `json:"notes,omitempty"`
}

// Row is one key of a Table. Shares are fractions of Table.Total.
type Row struct {
	Name      string  `json:"name"`
	Flat      int64   `json:"flat"`
	FlatShare float64 `json:"flat_share"`
	// SumShare is the running sum of FlatShare down the table.
	SumShare float64 `json:"sum_share"`
	Cum      int64   `json:"cum"`
	CumShare float64 `json:"cum_share"`
}

// Top sums p's samples per key and returns the top rows.
func Top(p *profile.Profile, opts TopOptions) (*Table, error) {
	idx, err := SampleIndex(p, opts.SampleIndex)
	if err != nil {
		return nil, err
	}
	by, err := ParseBy(string(opts.By))
	if err != nil {
		return nil, err
	}
	sort := cmp.Or(opts.Sort, SortFlat)
	if sort != SortFlat && sort != SortCum {
		return nil, fmt.Errorf("unknown sort %q (want flat or cum)", sort)
	}
	if opts.N < 0 {
		return nil, fmt.Errorf("the number of rows must not be negative, got %d", opts.N)
	}
	a := newAggregator(p, by, opts.Focus, opts.Ignore, []int{idx})
	a.addSamples(p)

	t := &Table{
		SampleIndex: idx, SampleType: p.SampleType[idx].Type, Unit: p.SampleType[idx].Unit,
		By: by, Sort: sort, Diff: a.hasBase || opts.Diff,
		Total: a.denominator(0), Net: a.net[0], Samples: a.samples, Dropped: a.dropped,
	}
	flat, cum := a.flat[0], a.cum[0]
	keys := make([]int32, 0, len(a.names))
	for k := range a.names {
		if flat[k] != 0 || cum[k] != 0 {
			keys = append(keys, int32(k))
		}
	}
	t.Keys = len(keys)
	primary, secondary := flat, cum
	if sort == SortCum {
		primary, secondary = cum, flat
	}
	// By magnitude, as pprof sorts: in a diff (or a delta profile) the
	// largest decrease ranks with the largest increase, rather than below
	// every key that did not change. Ties put the increase first.
	slices.SortFunc(keys, func(x, y int32) int {
		return cmp.Or(cmp.Compare(abs(primary[y]), abs(primary[x])), cmp.Compare(primary[y], primary[x]),
			cmp.Compare(abs(secondary[y]), abs(secondary[x])), cmp.Compare(secondary[y], secondary[x]),
			cmp.Compare(a.names[x], a.names[y]))
	})
	if opts.N > 0 && len(keys) > opts.N {
		keys = keys[:opts.N]
	}
	t.Rows = make([]Row, len(keys))
	sum := 0.0
	for i, k := range keys {
		fs := share(flat[k], t.Total)
		sum += fs
		t.Rows[i] = Row{Name: a.names[k], Flat: flat[k], FlatShare: fs, SumShare: sum, Cum: cum[k], CumShare: share(cum[k], t.Total)}
	}
	t.Notes = notes(p, a, idx, opts.Diff)
	return t, nil
}

// abs is |v|, with the most negative int64 kept as it is (no sample sum
// reaches it).
func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func share(v, total int64) float64 {
	if total == 0 {
		return 0
	}
	return float64(v) / float64(total)
}

// notes explains what is unusual about a profile's numbers.
func notes(p *profile.Profile, a *aggregator, idx int, subtracted bool) []string {
	var n []string
	switch {
	case a.hasBase:
		n = append(n, "diff: values are changes from the base; shares are of the base's total")
	case subtracted:
		n = append(n, "diff: values are changes from the base; shares are of the sum of each stack's absolute change, as go tool pprof -base shows them")
	case a.net[0] != a.total[0]:
		n = append(n, "some sample values are negative (a delta profile?): shares are of the sum of absolute values")
	}
	if len(p.Sample) == 0 {
		n = append(n, "the profile has no samples")
	}
	symbolized := len(p.Location) == 0
	for _, l := range p.Location {
		if len(l.Line) > 0 {
			symbolized = true
			break
		}
	}
	if !symbolized {
		n = append(n, "the profile is not symbolized: locations are shown by address")
	}
	if a.dropped > 0 {
		n = append(n, fmt.Sprintf("%d of %d samples left out by --focus/--ignore", a.dropped, a.dropped+a.samples))
	}
	return n
}
