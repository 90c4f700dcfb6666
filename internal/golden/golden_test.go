package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	d := Diff("a\nb\nc", "a\nB\nc\nd")
	want := "line 2:\n  want: b\n  got:  B\nline 4:\n  want: \n  got:  d\n"
	if d != want {
		t.Fatalf("Diff = %q, want %q", d, want)
	}
	if Diff("same", "same") != "" {
		t.Fatal("Diff of equal texts is not empty")
	}
}

// recorder is a testing.TB that keeps the first failure instead of failing.
type recorder struct {
	testing.TB
	msg string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	if r.msg == "" {
		r.msg = "error"
	}
}

func TestCheckUpdateThenCompare(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "out.txt")
	Check(t, path, []byte("one\ntwo\n"), true)
	if b, err := os.ReadFile(path); err != nil || string(b) != "one\ntwo\n" {
		t.Fatalf("update wrote %q, %v", b, err)
	}
	Check(t, path, []byte("one\ntwo\n"), false) // equal: must pass
	r := &recorder{TB: t}
	Check(r, path, []byte("one\n2\n"), false)
	if r.msg == "" {
		t.Fatal("a different output passed the golden check")
	}
	if !strings.Contains(Diff("one\ntwo\n", "one\n2\n"), "line 2") {
		t.Fatal("diff does not name the line")
	}
}
