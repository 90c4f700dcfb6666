package profiles

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

var heapTypes = []string{"alloc_objects/count", "alloc_space/bytes", "inuse_objects/count", "inuse_space/bytes"}

func heapProfile(t *testing.T) *profile.Profile {
	return build(t, heapTypes,
		sample{"net/http.alloc;main.handle;main.main", []int64{1, 100, 0, 0}},
		sample{"main.cache.put+main.handle;main.main", []int64{2, 30, 2, 30}},
		sample{"main.rec;main.rec;main.rec;main.main", []int64{1, 7, 1, 5}},
		sample{"github.com/x/y.(*T).M;main.main", []int64{1, 3, 0, 0}},
	)
}

func TestTop(t *testing.T) {
	p := heapProfile(t)
	tests := []struct {
		name string
		opts TopOptions
		want []string
	}{
		{"default is alloc_space by flat", TopOptions{}, []string{
			"net/http.alloc 100 100", "main.cache.put 30 30", "main.rec 7 7", "github.com/x/y.(*T).M 3 3",
			"main.main 0 140", "main.handle 0 130"}},
		{"by cum, top 2", TopOptions{Sort: SortCum, N: 2}, []string{"main.main 0 140", "main.handle 0 130"}},
		{"inuse_space", TopOptions{SampleIndex: "inuse_space", N: 2}, []string{"main.cache.put 30 30", "main.rec 5 5"}},
		{"index by number", TopOptions{SampleIndex: "3", N: 1}, []string{"main.cache.put 30 30"}},
		{"by package", TopOptions{By: ByPackage}, []string{"net/http 100 100", "main 37 140", "github.com/x/y 3 3"}},
		{"by file", TopOptions{By: ByFile, N: 1}, []string{"net/http.alloc.go 100 100"}},
		{"by line", TopOptions{By: ByLine, N: 1}, []string{"net/http.alloc net/http.alloc.go:10 100 100"}},
		{"focus", TopOptions{Focus: regexp.MustCompile(`cache`)}, []string{"main.cache.put 30 30", "main.handle 0 30", "main.main 0 30"}},
		{"ignore", TopOptions{Ignore: regexp.MustCompile(`handle|rec`)}, []string{"github.com/x/y.(*T).M 3 3", "main.main 0 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := Top(p, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := rows(tab); !slices.Equal(got, tt.want) {
				t.Errorf("rows:\ngot  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestTopTotals(t *testing.T) {
	tab, err := Top(heapProfile(t), TopOptions{N: 1})
	if err != nil {
		t.Fatal(err)
	}
	if tab.SampleType != "alloc_space" || tab.SampleIndex != 1 || tab.Unit != "bytes" {
		t.Errorf("sample: got %s/%s index %d, want alloc_space/bytes index 1", tab.SampleType, tab.Unit, tab.SampleIndex)
	}
	if tab.Total != 140 || tab.Net != 140 || tab.Samples != 4 || tab.Keys != 6 || len(tab.Rows) != 1 {
		t.Errorf("got total %d net %d samples %d keys %d rows %d, want 140 140 4 6 1", tab.Total, tab.Net, tab.Samples, tab.Keys, len(tab.Rows))
	}
	if r := tab.Rows[0]; r.FlatShare != 100.0/140 || r.SumShare != r.FlatShare || r.CumShare != r.FlatShare {
		t.Errorf("shares: got %+v", r)
	}
}

func TestTopFocusCountsDropped(t *testing.T) {
	tab, err := Top(heapProfile(t), TopOptions{Focus: regexp.MustCompile(`^main\.rec$`)})
	if err != nil {
		t.Fatal(err)
	}
	if tab.Samples != 1 || tab.Dropped != 3 || tab.Total != 7 {
		t.Errorf("got samples %d dropped %d total %d, want 1 3 7", tab.Samples, tab.Dropped, tab.Total)
	}
	if !strings.Contains(strings.Join(tab.Notes, "\n"), "3 of 4 samples left out") {
		t.Errorf("notes %q do not say how many samples were left out", tab.Notes)
	}
}

func TestTopNegativeValues(t *testing.T) {
	p := build(t, []string{"alloc_space/bytes"},
		sample{"a;main", []int64{50}},
		sample{"b;main", []int64{-20}},
	)
	tab, err := Top(p, TopOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tab.Total != 70 || tab.Net != 30 {
		t.Errorf("got total %d net %d, want 70 (absolute) and 30", tab.Total, tab.Net)
	}
	// By magnitude, as pprof ranks them: the decrease before the key
	// without a flat value.
	if want := []string{"a 50 50", "b -20 -20", "main 0 30"}; !slices.Equal(rows(tab), want) {
		t.Errorf("rows: got %q, want %q", rows(tab), want)
	}
	if !strings.Contains(strings.Join(tab.Notes, " "), "negative") {
		t.Errorf("notes %q do not mention negative values", tab.Notes)
	}
}

func TestTopUnsymbolized(t *testing.T) {
	m := &profile.Mapping{ID: 1, File: "/usr/lib/libfoo.so"}
	l1 := &profile.Location{ID: 1, Address: 0x10, Mapping: m}
	l2 := &profile.Location{ID: 2, Address: 0x20, Mapping: m}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "cpu", Unit: "nanoseconds"}},
		Mapping:    []*profile.Mapping{m},
		Location:   []*profile.Location{l1, l2},
		Sample:     []*profile.Sample{{Location: []*profile.Location{l1, l2}, Value: []int64{5}}},
	}
	tab, err := Top(p, TopOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"0x10 5 5", "0x20 0 5"}; !slices.Equal(rows(tab), want) {
		t.Errorf("rows: got %q, want %q", rows(tab), want)
	}
	if !strings.Contains(strings.Join(tab.Notes, " "), "not symbolized") {
		t.Errorf("notes %q do not say the profile is not symbolized", tab.Notes)
	}
	tab, err = Top(p, TopOptions{By: ByFile})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"libfoo.so 5 5"}; !slices.Equal(rows(tab), want) {
		t.Errorf("by file: got %q, want %q", rows(tab), want)
	}
}

// Locations that are not in the profile's table, or whose IDs are zero or
// huge, are still resolved, by pointer.
func TestTopLocationsOutsideTable(t *testing.T) {
	f := &profile.Function{ID: 1, Name: "main.f"}
	g := &profile.Function{ID: 2, Name: "main.g"}
	in := &profile.Location{ID: 1, Line: []profile.Line{{Function: f}}}
	out := &profile.Location{ID: 0, Line: []profile.Line{{Function: g}}}
	far := &profile.Location{ID: 1 << 40, Line: []profile.Line{{Function: g}}}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}},
		Function:   []*profile.Function{f, g},
		Location:   []*profile.Location{in},
		Sample: []*profile.Sample{
			{Location: []*profile.Location{out, in}, Value: []int64{3}},
			{Location: []*profile.Location{far, in}, Value: []int64{4}},
		},
	}
	tab, err := Top(p, TopOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"main.g 7 7", "main.f 0 7"}; !slices.Equal(rows(tab), want) {
		t.Errorf("rows: got %q, want %q", rows(tab), want)
	}
}

func TestTopCleansNames(t *testing.T) {
	p := build(t, []string{"samples/count"}, sample{"bad\xffname\nx;main", []int64{1}})
	tab, err := Top(p, TopOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := tab.Rows[0].Name; got != "bad\uFFFDname x" {
		t.Errorf("name: got %q, want invalid UTF-8 and newlines replaced", got)
	}
	var b strings.Builder
	if err := WriteText(&b, tab); err != nil || !strings.Contains(b.String(), "Total: 1 in 1 sample; showing 2 of 2 functions\n") {
		t.Errorf("text of a one-sample table: %q, %v", b.String(), err)
	}
}

func TestTopErrors(t *testing.T) {
	p := heapProfile(t)
	for _, opts := range []TopOptions{
		{SampleIndex: "cpu"}, {SampleIndex: "9"}, {By: "module"}, {Sort: "name"}, {N: -1},
	} {
		if _, err := Top(p, opts); err == nil {
			t.Errorf("Top(%+v): no error", opts)
		}
	}
	if _, err := Top(&profile.Profile{}, TopOptions{}); err == nil {
		t.Error("Top of a profile without sample types: no error")
	}
}

func TestSampleIndexDefault(t *testing.T) {
	tests := []struct {
		types []string
		def   string
		want  int
	}{
		{heapTypes, "", 1},
		{heapTypes, "inuse_space", 1}, // alloc_space wins: the garbage
		{[]string{"inuse_objects/count", "inuse_space/bytes"}, "inuse_objects", 0},
		{[]string{"samples/count", "cpu/nanoseconds"}, "", 1},
	}
	for _, tt := range tests {
		p := build(t, tt.types)
		p.DefaultSampleType = tt.def
		if got, err := SampleIndex(p, ""); err != nil || got != tt.want {
			t.Errorf("%v default %q: got %d, %v; want %d", tt.types, tt.def, got, err, tt.want)
		}
	}
}

func TestPackageName(t *testing.T) {
	for in, want := range map[string]string{
		"runtime.mallocgc":                           "runtime",
		"github.com/a/b.(*T).M":                      "github.com/a/b",
		"github.com/a/b.F[go.shape.*github.com/c.T]": "github.com/a/b",
		"example.com/x/mult%2epkg.MultFn":            "example.com/x/mult%2epkg",
		"std::vector<int>::push_back(int const&)":    "std::vector<int>",
		"main": "main",
	} {
		if got := packageName(in); got != want {
			t.Errorf("packageName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTopEmptyProfile(t *testing.T) {
	tab, err := Top(build(t, heapTypes), TopOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 0 || tab.Total != 0 || tab.Samples != 0 {
		t.Errorf("got %+v, want an empty table", tab)
	}
	if !strings.Contains(strings.Join(tab.Notes, " "), "no samples") {
		t.Errorf("notes %q do not say the profile has no samples", tab.Notes)
	}
	var b strings.Builder
	if err := WriteText(&b, tab); err != nil || !strings.Contains(b.String(), "showing 0 of 0 functions") {
		t.Errorf("text of an empty table: %q, %v", b.String(), err)
	}
}
