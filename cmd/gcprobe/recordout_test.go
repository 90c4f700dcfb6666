package main

import (
	"io"
	"os"
	"strings"
	"testing"
)

// Two records opened with default names in the same second (two attaches
// started together) must not overwrite each other.
func TestOpenRecordDefaultNamesAreUnique(t *testing.T) {
	t.Chdir(t.TempDir())
	a, err := openRecord("", "attach-pid42", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	b, err := openRecord("", "attach-pid42", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	defer b.Close()
	if a.name == b.name {
		t.Fatalf("both records are %s", a.name)
	}
	for _, o := range []*recordOut{a, b} {
		if !strings.HasPrefix(o.name, "gcprobe-attach-pid42-") || !strings.HasSuffix(o.name, ".jsonl") {
			t.Errorf("name %q", o.name)
		}
		if _, err := os.Stat(o.name); err != nil {
			t.Error(err)
		}
	}
	a.remove()
	if _, err := os.Stat(a.name); !os.IsNotExist(err) {
		t.Errorf("remove left %s", a.name)
	}
}
