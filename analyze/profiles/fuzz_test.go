package profiles

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// FuzzParseTop feeds arbitrary bytes to Parse and, when they parse, to
// every view and renderer: none may panic. A profile that parses is
// written and parsed again, and must give the same top.
func FuzzParseTop(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.*")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("heap profile: 1: 8 [2: 16] @ heap/1\n1: 8 [2: 16] @ 0x2 0x3\n#\t0x1\tmain.f+0x1\tmain.go:3\n"))
	f.Add([]byte("--- heapz 1 ---\n0 0 @ 0\n"))
	f.Add([]byte{})
	focus := regexp.MustCompile(`main`)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz", data)
		if err != nil {
			if bytes.ContainsRune([]byte(err.Error()), '\n') {
				t.Fatalf("error on more than one line: %q", err)
			}
			return
		}
		for _, by := range []By{ByFunction, ByPackage, ByFile, ByLine} {
			tab, err := Top(p, TopOptions{By: by, Focus: focus})
			if err == nil {
				WriteText(io.Discard, tab)
				WriteMarkdown(io.Discard, tab)
				WriteJSON(io.Discard, tab)
			}
		}
		if c, err := Churn(p, ChurnOptions{}); err == nil {
			WriteText(io.Discard, c)
			WriteJSON(io.Discard, c)
		}
		WriteText(io.Discard, ListSampleTypes(p))
		if _, err := Diff(p, p, true); err != nil && len(p.SampleType) > 0 {
			t.Logf("diff with itself: %v", err)
		}

		before, err := Top(p, TopOptions{})
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := p.Write(&buf); err != nil {
			t.Fatalf("writing a parsed profile: %v", err)
		}
		q, err := Parse("again", buf.Bytes())
		if err != nil {
			t.Fatalf("parsing a written profile: %v", err)
		}
		after, err := Top(q, TopOptions{})
		if err != nil {
			t.Fatalf("top of the profile parsed again: %v", err)
		}
		if before.Net != after.Net || before.Total != after.Total || !equal(rows(before), rows(after)) {
			t.Fatalf("top changed after a write and a parse:\n%q\n%q", rows(before), rows(after))
		}
	})
}
