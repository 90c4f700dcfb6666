package compare

import (
	"fmt"
	"go/version"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/units"
)

// Config is the configuration a run was measured under: what runs are
// grouped by. Two runs with equal configurations are repeats of each other.
type Config struct {
	// GOGC is "100" when the variable was not set, or "off".
	GOGC string
	// MemLimit is the GOMEMLIMIT in bytes (decimal), or "off" when there
	// was none.
	MemLimit string
	// GOMAXPROCS is as set in the environment, "" when it was not set.
	GOMAXPROCS string
	// Workload is the scenario's name, or the base name of the command.
	Workload string
	// Params are the scenario's parameters (data layout, cache size, ...).
	Params map[string]string
	// Labels are an instance's labels (job, instance, version, zone, ...),
	// for records imported from Prometheus: a dimension under each name
	// that no parameter has.
	Labels map[string]string
	// GoVersion is the Go release of the observed program ("go1.27.3",
	// without the "X:" experiment suffix) and GC its implementation
	// (record.GCGreenTea, record.GCClassic), both read from the binary's
	// build info by the recorder; "" when the record does not say.
	GoVersion string
	GC        string
}

// Dimensions of a configuration, as named in --baseline selectors and
// labels. A scenario parameter is a dimension under its own name.
const (
	DimGOGC       = "gogc"
	DimMemLimit   = "memlimit"
	DimGOMAXPROCS = "gomaxprocs"
	DimWorkload   = "workload"
	DimGo         = "go"
	DimGC         = "gc"
)

var fixedDims = []string{DimGOGC, DimMemLimit, DimGOMAXPROCS, DimWorkload, DimGo, DimGC}

// buildDims are the dimensions of the program's build rather than of its
// settings: labels show their bare values ("go1.27.3 greentea").
var buildDims = []string{DimGo, DimGC}

// ConfigOf reads a run's configuration from its header. Absent variables take
// the runtime's defaults (GOGC=100, no memory limit); a value that does not
// parse is kept as written, so that it still groups with its repeats.
func ConfigOf(h record.Header) Config {
	c := Config{GOGC: "100", MemLimit: units.Off, GOMAXPROCS: h.Env["GOMAXPROCS"], Params: h.Params, Labels: h.Labels,
		GoVersion: goRelease(h.GoVersion), GC: h.GC}
	if v, ok := h.Env["GOGC"]; ok && v != "" {
		c.GOGC = normalize(DimGOGC, v)
	}
	if v, ok := h.Env["GOMEMLIMIT"]; ok && v != "" {
		c.MemLimit = normalize(DimMemLimit, v)
	}
	switch {
	case h.Scenario != "":
		c.Workload = h.Scenario
	case len(h.Command) > 0:
		c.Workload = filepath.Base(h.Command[0])
	}
	return c
}

// goRelease is the release of a Go version string: "go1.26.8" for
// "go1.26.8-X:nogreenteagc" (build info) and "go1.26.8 X:nogreenteagc"
// (runtime.Version); the experiment is the GC field's business.
func goRelease(v string) string {
	f := strings.Fields(v)
	if len(f) == 0 {
		return ""
	}
	r, _, _ := strings.Cut(f[0], "-X:")
	return r
}

// normalize puts a dimension's value in one spelling, so that "512MiB" and
// "536870912" are the same memory limit.
func normalize(dim, v string) string {
	switch dim {
	case DimGOGC:
		if g, err := units.ParseGOGC(v); err == nil {
			return g
		}
	case DimMemLimit:
		if strings.TrimSpace(v) == strconv.FormatInt(1<<63-1, 10) {
			return units.Off // math.MaxInt64 is the runtime's "no limit"
		}
		if m, err := units.ParseMemLimit(v); err == nil {
			return m
		}
	}
	return strings.TrimSpace(v)
}

// Get returns the value of a dimension ("" when it has none).
func (c Config) Get(dim string) string {
	switch dim {
	case DimGOGC:
		return c.GOGC
	case DimMemLimit:
		return c.MemLimit
	case DimGOMAXPROCS:
		return c.GOMAXPROCS
	case DimWorkload:
		return c.Workload
	case DimGo:
		return c.GoVersion
	case DimGC:
		return c.GC
	}
	if v, ok := c.Params[dim]; ok {
		return v
	}
	return c.Labels[dim]
}

// dims lists every dimension the config has a value for, fixed ones first,
// then parameters and then labels by name.
func (c Config) dims() []string {
	d := slices.Clone(fixedDims)
	for _, m := range []map[string]string{c.Params, c.Labels} {
		for _, k := range slices.Sorted(mapKeys(m)) {
			if !slices.Contains(d, k) {
				d = append(d, k)
			}
		}
	}
	return d
}

// Only keeps the dimensions in by and forgets the others, so that runs
// equal on those are repeats of each other: a fleet's instances grouped by
// version, or by GOGC. A dimension none of the fixed ones is kept as a
// parameter.
func (c Config) Only(by []string) Config {
	var o Config
	for _, d := range by {
		v := c.Get(d)
		switch d {
		case DimGOGC:
			o.GOGC = v
		case DimMemLimit:
			o.MemLimit = v
		case DimGOMAXPROCS:
			o.GOMAXPROCS = v
		case DimWorkload:
			o.Workload = v
		default:
			if o.Params == nil {
				o.Params = map[string]string{}
			}
			o.Params[d] = v
		}
	}
	return o
}

// ParseBy reads --by: comma-separated dimensions (gogc, memlimit,
// gomaxprocs, workload, a parameter or a label), case-insensitive for the
// fixed ones ("GOGC" is gogc, "GOMEMLIMIT" memlimit).
func ParseBy(s string) ([]string, error) {
	var by []string
	for _, part := range strings.Split(s, ",") {
		d := strings.TrimSpace(part)
		if d == "" {
			continue
		}
		switch l := strings.ToLower(d); l {
		case DimGOGC, DimMemLimit, DimGOMAXPROCS, DimWorkload:
			d = l
		case "gomemlimit":
			d = DimMemLimit
		}
		if !slices.Contains(by, d) {
			by = append(by, d)
		}
	}
	if len(by) == 0 {
		return nil, fmt.Errorf("empty: name a dimension or label (gogc, version, zone)")
	}
	return by, nil
}

// CheckByKnown checks that every dimension of by (from ParseBy) that is
// not a fixed one is a parameter or label some run has: a misspelt label
// would otherwise group every run under "label=-" without a word.
func CheckByKnown(runs []Run, by []string) error {
	for _, d := range by {
		if slices.Contains(fixedDims, d) {
			continue
		}
		var have []string
		found := false
		for _, r := range runs {
			if r.Config.Get(d) != "" {
				found = true
				break
			}
			for _, k := range r.Config.dims() {
				if !slices.Contains(have, k) && !slices.Contains(fixedDims, k) {
					have = append(have, k)
				}
			}
		}
		if !found {
			slices.Sort(have)
			return fmt.Errorf("no run has a setting or label %q (they have %s)", d, strings.Join(append(slices.Clone(fixedDims), have...), ", "))
		}
	}
	return nil
}

// key identifies the configuration: equal keys, equal configurations.
func (c Config) key() string {
	var b strings.Builder
	for _, d := range c.dims() {
		fmt.Fprintf(&b, "%s=%q;", d, c.Get(d))
	}
	return b.String()
}

// Label names the configuration by the given dimensions, as
// "gogc=100 memlimit=512MiB", and the build by its values alone, as
// "gogc=100 memlimit=off go1.27.3 greentea".
func (c Config) Label(dims []string) string {
	parts := make([]string, 0, len(dims))
	for _, d := range dims {
		if slices.Contains(buildDims, d) && c.Get(d) != "" {
			parts = append(parts, c.Get(d))
			continue
		}
		parts = append(parts, d+"="+Display(d, c.Get(d)))
	}
	return strings.Join(parts, " ")
}

// Build is the configuration's build in words: "go1.27.3 greentea", with
// "unknown" for what the record does not say.
func (c Config) Build() string {
	return strings.Join([]string{orUnknown(c.GoVersion), orUnknown(c.GC)}, " ")
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// Display spells a dimension's value for people: memory limits with a binary
// unit when they have an exact one, "default" for an unset GOMAXPROCS.
func Display(dim, v string) string {
	switch {
	case dim == DimMemLimit && v != units.Off:
		return units.ExactBytes(v)
	case dim == DimGOMAXPROCS && v == "":
		return "default"
	case v == "":
		return "-"
	}
	return v
}

// less orders configurations for tables: by workload, parameters, Go
// release (oldest first), GC (classic before Green Tea), GOMAXPROCS, memory
// limit (no limit first, as Go's default, then ascending) and GOGC
// (ascending, off last).
func less(a, b Config) int {
	for _, d := range []string{DimWorkload} {
		if c := strings.Compare(a.Get(d), b.Get(d)); c != 0 {
			return c
		}
	}
	for _, d := range slices.Sorted(mapKeys(merge(a.Params, b.Params))) {
		if c := numCompare(a.Get(d), b.Get(d)); c != 0 {
			return c
		}
	}
	if c := compareBuild(a, b); c != 0 {
		return c
	}
	if c := numCompare(a.GOMAXPROCS, b.GOMAXPROCS); c != 0 {
		return c
	}
	if am, bm := a.MemLimit == units.Off, b.MemLimit == units.Off; am != bm {
		if am {
			return -1
		}
		return 1
	}
	if c := numCompare(a.MemLimit, b.MemLimit); c != 0 {
		return c
	}
	return numCompare(a.GOGC, b.GOGC)
}

// compareBuild orders builds: Go releases by version (unknown first), then
// the classic GC before Green Tea, the older before the newer.
func compareBuild(a, b Config) int {
	av, bv := version.IsValid(a.GoVersion), version.IsValid(b.GoVersion)
	switch {
	case av && bv:
		if c := version.Compare(a.GoVersion, b.GoVersion); c != 0 {
			return c
		}
	case av != bv:
		if av {
			return 1
		}
		return -1
	default:
		if c := strings.Compare(a.GoVersion, b.GoVersion); c != 0 {
			return c
		}
	}
	return strings.Compare(a.GC, b.GC) // "" < classic < greentea
}

// numCompare compares numerically when both parse, with "off" after every
// number, and as strings otherwise.
func numCompare(a, b string) int {
	fa, ea := strconv.ParseFloat(a, 64)
	fb, eb := strconv.ParseFloat(b, 64)
	switch {
	case ea == nil && eb == nil:
		if fa < fb {
			return -1
		} else if fa > fb {
			return 1
		}
		return 0
	case ea == nil && b == units.Off:
		return -1
	case eb == nil && a == units.Off:
		return 1
	}
	return strings.Compare(a, b)
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func merge(a, b map[string]string) map[string]string {
	m := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}

// Selector picks configurations by some of their dimensions, as in
// --baseline 'gogc=100,memlimit=off'.
type Selector []Term

// Term is one dimension=value of a Selector, the value normalized.
type Term struct{ Dim, Value string }

// DefaultBaseline is GOGC=100 with no memory limit: Go's defaults.
var DefaultBaseline = Selector{{DimGOGC, "100"}, {DimMemLimit, units.Off}}

// ParseSelector reads "dim=value,dim=value". Dimensions are gogc, memlimit,
// gomaxprocs, workload, go (a release: go=go1.26.8), gc (greentea or
// classic), or a scenario parameter's name.
func ParseSelector(s string) (Selector, error) {
	var sel Selector
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		dim, val, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(dim) == "" {
			return nil, fmt.Errorf("%q is not dimension=value (example: gogc=100,memlimit=off)", part)
		}
		dim = strings.ToLower(strings.TrimSpace(dim))
		val = strings.TrimSpace(val)
		switch dim {
		case DimGOGC:
			g, err := units.ParseGOGC(val)
			if err != nil {
				return nil, fmt.Errorf("gogc: %v", err)
			}
			val = g
		case DimMemLimit:
			m, err := units.ParseMemLimit(val)
			if err != nil {
				return nil, fmt.Errorf("memlimit: %v", err)
			}
			val = m
		case DimGo:
			if !strings.HasPrefix(val, "go") {
				val = "go" + val
			}
			if !version.IsValid(val) {
				return nil, fmt.Errorf("go: %q is not a Go release (example: go=go1.26.8)", val)
			}
		case DimGC:
			val = strings.ToLower(val)
			if val != record.GCGreenTea && val != record.GCClassic {
				return nil, fmt.Errorf("gc: %q is not %s or %s", val, record.GCGreenTea, record.GCClassic)
			}
		}
		sel = append(sel, Term{dim, val})
	}
	if len(sel) == 0 {
		return nil, fmt.Errorf("empty selector (example: gogc=100,memlimit=off)")
	}
	return sel, nil
}

// Match reports whether c has every value the selector names.
func (s Selector) Match(c Config) bool {
	for _, t := range s {
		if c.Get(t.Dim) != t.Value {
			return false
		}
	}
	return true
}

// names reports whether the selector constrains dim.
func (s Selector) names(dim string) bool {
	return slices.ContainsFunc(s, func(t Term) bool { return t.Dim == dim })
}

func (s Selector) String() string {
	parts := make([]string, len(s))
	for i, t := range s {
		parts[i] = t.Dim + "=" + Display(t.Dim, t.Value)
	}

	return strings.Join(parts, ",")
}
