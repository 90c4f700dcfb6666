package profiles

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"

	"github.com/google/pprof/profile"
)

// ChurnOptions says what Churn shows.
type ChurnOptions struct {
	By            By             // empty means ByFunction
	Focus, Ignore *regexp.Regexp // as in TopOptions
	N             int            // rows kept; 0 keeps all
}

// ChurnTable sets what each site allocated (alloc_space) against what it
// still holds (inuse_space), to tell the code that makes garbage from the
// code that retains memory. A site is the leaf frame of a sample, grouped
// By. Rows are ordered by garbage, allocated minus in use.
type ChurnTable struct {
	By         By         `json:"by"`
	AllocType  string     `json:"alloc_type"` // alloc_space
	InuseType  string     `json:"inuse_type"` // inuse_space
	Unit       string     `json:"unit"`       // bytes
	AllocTotal int64      `json:"alloc_total"`
	InuseTotal int64      `json:"inuse_total"`
	Samples    int        `json:"samples"`
	Dropped    int        `json:"dropped"`
	Keys       int        `json:"keys"`
	Rows       []ChurnRow `json:"rows"`
	Notes      []string   `json:"notes,omitempty"`
}

// ChurnRow is one site of a ChurnTable.
type ChurnRow struct {
	Name    string `json:"name"`
	Alloc   int64  `json:"alloc"`
	Inuse   int64  `json:"inuse"`
	Garbage int64  `json:"garbage"` // Alloc - Inuse
	// GarbageShare is Garbage as a fraction of all garbage.
	GarbageShare float64 `json:"garbage_share"`
	// Ratio is Alloc over Inuse; null (or +Inf in Go) when nothing is in
	// use: all the site allocated is garbage.
	Ratio *float64 `json:"ratio"`
}

// Churn computes the ChurnTable of a heap profile: it needs the alloc_space
// and inuse_space sample types.
func Churn(p *profile.Profile, opts ChurnOptions) (*ChurnTable, error) {
	by, err := ParseBy(string(opts.By))
	if err != nil {
		return nil, err
	}
	if opts.N < 0 {
		return nil, fmt.Errorf("the number of rows must not be negative, got %d", opts.N)
	}
	alloc, inuse := -1, -1
	for i, t := range p.SampleType {
		switch t.Type {
		case "alloc_space":
			alloc = i
		case "inuse_space":
			inuse = i
		}
	}
	if alloc < 0 || inuse < 0 {
		return nil, fmt.Errorf("churn needs the alloc_space and inuse_space sample types of a Go heap profile; this profile has %s", typeNames(p))
	}
	a := newAggregator(p, by, opts.Focus, opts.Ignore, []int{alloc, inuse})
	a.addSamples(p)
	t := &ChurnTable{
		By: by, AllocType: "alloc_space", InuseType: "inuse_space", Unit: p.SampleType[alloc].Unit,
		AllocTotal: a.net[0], InuseTotal: a.net[1], Samples: a.samples, Dropped: a.dropped,
	}
	fa, fi := a.flat[0], a.flat[1]
	var keys []int32
	var garbage int64
	for k := range a.names {
		if fa[k] != 0 || fi[k] != 0 {
			keys = append(keys, int32(k))
			garbage += fa[k] - fi[k]
		}
	}
	t.Keys = len(keys)
	slices.SortFunc(keys, func(x, y int32) int {
		return cmp.Or(cmp.Compare(fa[y]-fi[y], fa[x]-fi[x]), cmp.Compare(fa[y], fa[x]), cmp.Compare(a.names[x], a.names[y]))
	})
	if opts.N > 0 && len(keys) > opts.N {
		keys = keys[:opts.N]
	}
	for _, k := range keys {
		r := ChurnRow{Name: a.names[k], Alloc: fa[k], Inuse: fi[k], Garbage: fa[k] - fi[k], GarbageShare: share(fa[k]-fi[k], garbage)}
		if fi[k] != 0 {
			ratio := float64(fa[k]) / float64(fi[k])
			r.Ratio = &ratio
		}
		t.Rows = append(t.Rows, r)
	}
	if a.net[0] < a.net[1] {
		t.Notes = append(t.Notes, "less allocated than in use: the profile's values are not cumulative (a delta profile?)")
	}
	if a.dropped > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%d of %d samples left out by --focus/--ignore", a.dropped, a.dropped+a.samples))
	}
	return t, nil
}

// RatioValue is r.Ratio as a number, +Inf when nothing is in use.
func (r ChurnRow) RatioValue() float64 {
	if r.Ratio == nil {
		return math.Inf(1)
	}
	return *r.Ratio
}
