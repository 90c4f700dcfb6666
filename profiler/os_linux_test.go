package profiler

import (
	"os"
	"strconv"
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
		// These files were read a moment apart, and VmHWM (1608 kB) is below
		// the RSS (423 pages): the peak is raised to the RSS.
		if rss != 423*4096 || peak != 423*4096 {
			t.Errorf("RSS %d, peak %d; want %d for both", rss, peak, 423*4096)
		}
	}
}

// VmHWM lags when the scavenger returns pages with madvise: a peak read
// below the RSS beside it is raised to that RSS.
func TestProcStatsPeakNotBelowRSS(t *testing.T) {
	rss, peak, _ := newProcStats(fake("900 500 1 1 0 1 0\n"), fake("VmHWM:\t1000 kB\n"), 4096).read()
	if rss != 500*4096 || peak != rss {
		t.Fatalf("RSS %d, peak %d; want peak = RSS = %d", rss, peak, 500*4096)
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

// FuzzProcFiles feeds arbitrary /proc/self/statm and /proc/self/status
// contents to the parsers: they must not panic, and where the content is well
// formed they must agree with a plain strings.Fields reading of it.
func FuzzProcFiles(f *testing.F) {
	f.Add([]byte("765 423 301 1 0 190 0\n"), []byte("Name:\tx\nVmPeak:\t 1 kB\nVmHWM:\t    1608 kB\nVmRSS:\t1 kB\n"))
	f.Add([]byte("1 2"), []byte("VmHWM:"))
	f.Add([]byte("\t7\t8\n"), []byte("XVmHWM:\t12 kB\nVmHWM:\t3 kB\n"))
	f.Fuzz(func(t *testing.T, statm, status []byte) {
		if len(statm) > 4096 || len(status) > 4096 { // the probe reads one 4 KiB buffer
			return
		}
		rss, peak, _ := newProcStats(fake(string(statm)), fake(string(status)), 4096).read()
		if want, ok := fieldsStatm(string(statm)); ok && rss != want*4096 {
			t.Errorf("statm %q: RSS %d, want %d", statm, rss, want*4096)
		}
		if want, ok := fieldsHWM(string(status)); ok && peak != max(want<<10, rss) {
			t.Errorf("status %q: peak %d, want max(VmHWM %d, RSS %d)", status, peak, want<<10, rss)
		}
	})
}

// fieldsStatm reads the resident pages of a statm line made only of short
// decimal fields separated by spaces or tabs.
func fieldsStatm(s string) (uint64, bool) {
	line, _, _ := strings.Cut(s, "\n")
	f := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' })
	if len(f) < 2 || strings.Trim(line, "0123456789 \t") != "" {
		return 0, false
	}
	if len(f[0]) > 12 || len(f[1]) > 12 {
		return 0, false
	}
	n, err := strconv.ParseUint(f[1], 10, 64)
	return n, err == nil
}

// fieldsHWM reads VmHWM from a status whose first line is "VmHWM:" and a
// short number, the one case the reading is sure of whatever follows.
func fieldsHWM(s string) (uint64, bool) {
	line, _, _ := strings.Cut(s, "\n")
	v, ok := strings.CutPrefix(line, "VmHWM:")
	if !ok {
		return 0, false
	}
	f := strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' })
	if len(f) == 0 || len(f[0]) > 12 || strings.Trim(f[0], "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseUint(f[0], 10, 64)
	return n, err == nil
}
