package profiles

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestChurn(t *testing.T) {
	tab, err := Churn(heapProfile(t), ChurnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range tab.Rows {
		got = append(got, r.Name+" "+itoa(r.Alloc)+" "+itoa(r.Inuse)+" "+itoa(r.Garbage))
	}
	want := []string{"net/http.alloc 100 0 100", "github.com/x/y.(*T).M 3 0 3", "main.rec 7 5 2", "main.cache.put 30 30 0"}
	if !slices.Equal(got, want) {
		t.Errorf("rows:\ngot  %q\nwant %q", got, want)
	}
	if tab.AllocTotal != 140 || tab.InuseTotal != 35 {
		t.Errorf("totals: got %d allocated, %d in use; want 140, 35", tab.AllocTotal, tab.InuseTotal)
	}
	if r := tab.Rows[0]; r.Ratio != nil || !math.IsInf(r.RatioValue(), 1) || r.GarbageShare != 100.0/105 {
		t.Errorf("all-garbage row: got ratio %v, share %v", r.Ratio, r.GarbageShare)
	}
	if r := tab.Rows[2]; r.Ratio == nil || *r.Ratio != 7.0/5 {
		t.Errorf("main.rec ratio: got %v, want 1.4", r.Ratio)
	}
}

func TestChurnNeedsHeapProfile(t *testing.T) {
	p := build(t, []string{"samples/count", "cpu/nanoseconds"}, sample{"a", []int64{1, 10}})
	_, err := Churn(p, ChurnOptions{})
	if err == nil || !strings.Contains(err.Error(), "samples, cpu") {
		t.Errorf("got %v, want an error that lists the profile's sample types", err)
	}
}

func TestDiff(t *testing.T) {
	types := []string{"alloc_space/bytes"}
	base := build(t, types, sample{"a;main", []int64{100}}, sample{"b;main", []int64{50}})
	now := build(t, types, sample{"a;main", []int64{130}}, sample{"c;main", []int64{20}}, sample{"b;main", []int64{50}})
	d, err := Diff(base, now, false)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := Top(d, TopOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a 30 30", "c 20 20", "main 0 50"}; !slices.Equal(rows(tab), want) {
		t.Errorf("rows: got %q, want %q", rows(tab), want)
	}
	if !tab.Diff || tab.Net != 50 || tab.Total != 150 {
		t.Errorf("got diff %v net %d total %d, want true 50 150 (the base's total)", tab.Diff, tab.Net, tab.Total)
	}
	if len(base.Sample) != 2 || base.Sample[0].Value[0] != 100 {
		t.Error("Diff changed its base")
	}

	// Normalized, the base is scaled to the new total (200): a 200*100/150.
	d, err = Diff(base, now, true)
	if err != nil {
		t.Fatal(err)
	}
	tab, err = Top(d, TopOptions{SampleIndex: "alloc_space"})
	if err != nil {
		t.Fatal(err)
	}
	if tab.Net != 0 {
		t.Errorf("normalized diff: net %d, want 0", tab.Net)
	}
	if want := []string{"c 20 20", "b -17 -17", "a -3 -3"}; !slices.Equal(rows(tab), want) {
		t.Errorf("normalized rows: got %q, want %q", rows(tab), want)
	}
}

// A diff in which memory shrank ranks the largest decrease first, as pprof
// does, rather than below every unchanged key where --top would hide it.
func TestDiffShrinkRanksFirst(t *testing.T) {
	types := []string{"alloc_space/bytes"}
	base := build(t, types, sample{"big;main", []int64{1000}}, sample{"small;main", []int64{10}})
	now := build(t, types, sample{"small;main", []int64{15}}, sample{"other;main", []int64{1}})
	d, err := Diff(base, now, false)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := Top(d, TopOptions{N: 2})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"big -1000 -1000", "small 5 5"}; !slices.Equal(rows(tab), want) {
		t.Errorf("rows: got %q, want %q", rows(tab), want)
	}
	tab, err = Top(d, TopOptions{N: 2, Sort: SortCum})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"big -1000 -1000", "main 0 -994"}; !slices.Equal(rows(tab), want) {
		t.Errorf("rows by cum: got %q, want %q", rows(tab), want)
	}
}

func TestDiffIncompatible(t *testing.T) {
	a := build(t, []string{"alloc_space/bytes"}, sample{"a", []int64{1}})
	b := build(t, []string{"cpu/nanoseconds"}, sample{"a", []int64{1}})
	if _, err := Diff(a, b, false); err == nil {
		t.Error("diff of a heap and a CPU profile: no error")
	}
}
