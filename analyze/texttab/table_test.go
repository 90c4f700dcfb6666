package texttab

import (
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	var tb Table
	tb.Align(1, Right)
	tb.Title("GC")
	tb.Row("pause p99", "850 µs", "x")
	tb.Row("cycles", "12")
	tb.Title("")
	tb.Row("a much longer name", "1.05 ms")
	var b strings.Builder
	if _, err := tb.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	want := "GC\n" +
		"pause p99            850 µs  x\n" +
		"cycles                   12\n" +
		"\n" +
		"a much longer name  1.05 ms\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestIndentAndGap(t *testing.T) {
	tb := Table{Indent: "  ", Gap: 1}
	tb.Row("a", "b")
	tb.Row("cc", "d")
	var b strings.Builder
	tb.WriteTo(&b)
	if want := "  a  b\n  cc d\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	if tb.Len() != 2 {
		t.Errorf("Len = %d", tb.Len())
	}
}
