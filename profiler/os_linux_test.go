package profiler

import (
	"os"
	"strings"
	"syscall"
	"testing"
)

// fakeFile serves fixed content as a /proc file.
type fakeFile struct{ *strings.Reader }

func (fakeFile) Close() error { return nil }

func fake(s string) readerAtCloser { return fakeFile{strings.NewReader(s)} }

func TestProcStats(t *testing.T) {
	statm, err := os.Open("testdata/statm")
	if err != nil {
		t.Fatal(err)
	}
	status, err := os.Open("testdata/status")
	if err != nil {
		t.Fatal(err)
	}
	ps := newProcStats(statm, status, 4096)
	defer ps.close()
	for range 2 { // re-reading gives the same
		rss, peak, _ := ps.read()
		if rss != 423*4096 || peak != 1608<<10 {
			t.Errorf("RSS %d, peak %d; want %d, %d", rss, peak, 423*4096, 1608<<10)
		}
	}
}

func TestProcStatsMalformed(t *testing.T) {
	for _, tc := range []struct{ name, statm, status string }{
		{"empty", "", ""},
		{"one field", "765\n", "VmHWM:\n"},
		{"letters", "a b c\n", "VmHWM:\tlots kB\n"},
		{"mid-line name", "765 x\n", "XVmHWM:\t12 kB\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rss, peak, _ := newProcStats(fake(tc.statm), fake(tc.status), 4096).read()
			if rss != 0 || peak != 0 {
				t.Errorf("RSS %d, peak %d from malformed files; want 0 (not measured)", rss, peak)
			}
		})
	}
}

func TestOwnRSS(t *testing.T) {
	o := newOSStats()
	defer o.close()
	if _, ok := o.(*procStats); !ok {
		t.Skip("no /proc here")
	}
	before, peak, _ := o.read()
	if before == 0 || peak < before {
		t.Fatalf("RSS %d, peak %d", before, peak)
	}
	// Touch 64 MiB of fresh memory (mapped outside the Go heap, which
	// could reuse pages already resident): RSS follows.
	b, err := syscall.Mmap(-1, 0, 64<<20, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(b)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	rss, peak, _ := o.read()
	if rss < before+32<<20 || peak < rss {
		t.Errorf("after touching 64 MiB: RSS %d (was %d), peak %d", rss, before, peak)
	}
}
