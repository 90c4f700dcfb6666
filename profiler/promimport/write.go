package promimport

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/gcprobe/gcprobe/record"
)

// FileNames names each instance's record after its instance label (job and
// instance when two instances share one), made safe for a file name.
func FileNames(insts []Instance) []string {
	seen := map[string]int{}
	for _, in := range insts {
		seen[safe(in.Labels["instance"])]++
	}
	names := make([]string, len(insts))
	used := map[string]bool{}
	for i, in := range insts {
		n := safe(in.Labels["instance"])
		if n == "" || seen[n] > 1 {
			n = safe(in.Labels["job"] + "-" + in.Labels["instance"])
		}
		base := n
		for j := 2; used[n]; j++ {
			n = fmt.Sprintf("%s-%d", base, j)
		}
		used[n] = true
		names[i] = n + ".jsonl"
	}
	return names
}

// safe keeps letters, digits, dot, dash and underscore.
func safe(s string) string {
	return strings.Trim(strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s), "_.-")
}

// WriteDir writes every instance's record into dir (created if needed) and
// returns the paths. Each record is first written as NAME.part and all are
// renamed only when every one was written: on error none is left behind.
func WriteDir(dir string, insts []Instance) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	names := FileNames(insts)
	parts := make([]string, len(insts))
	for i := range insts {
		parts[i] = filepath.Join(dir, names[i]+".part")
	}
	cleanup := func() {
		for _, p := range parts {
			os.Remove(p)
		}
	}
	// Records are independent: write them a few at a time.
	errs := make([]error, len(insts))
	var wg sync.WaitGroup
	limit := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := range insts {
		wg.Go(func() {
			limit <- struct{}{}
			defer func() { <-limit }()
			errs[i] = writeFile(parts[i], insts[i])
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		cleanup()
		return nil, err
	}
	paths := make([]string, len(insts))
	for i, p := range parts {
		paths[i] = strings.TrimSuffix(p, ".part")
		if err := os.Rename(p, paths[i]); err != nil {
			cleanup()
			return nil, err
		}
	}
	return paths, nil
}

// writeFile writes one record. The record writer flushes every event; a
// buffer under it makes that a copy, not a system call, as the whole
// record is written at once.
func writeFile(path string, in Instance) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	buf := bufio.NewWriterSize(f, 256<<10)
	w, err := record.NewWriter(buf, in.Header)
	for _, e := range in.Events {
		if err != nil {
			break
		}
		err = w.WriteAt(e)
	}
	if err == nil {
		err = buf.Flush()
	}
	return errors.Join(err, f.Close())
}
