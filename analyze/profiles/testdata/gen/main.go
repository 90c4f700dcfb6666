// Command gen writes the real Go profiles in this testdata directory: it runs
// a small allocating workload with runtime.MemProfileRate = 4096 and saves
// its heap, allocs and CPU profiles, and the heap profile as ?debug=1 text.
// Run from the module root:
//
//	go run -trimpath ./analyze/profiles/testdata/gen analyze/profiles/testdata
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

type entry struct {
	key  string
	next *entry
	data []byte
}

// cache retains memory: what inuse_space should show.
var cache = map[int]*entry{}

var sink []byte

//go:noinline
func retain(n int) {
	for i := 0; i < n; i++ {
		cache[i] = &entry{key: fmt.Sprint("k", i), data: make([]byte, 256)}
	}
}

//go:noinline
func churn(n int) {
	for i := 0; i < n; i++ {
		sink = make([]byte, 1024) // garbage: allocated and dropped at once
	}
}

//go:noinline
func buildString(n int) string {
	s := ""
	for i := 0; i < n; i++ {
		s += "x" // quadratic garbage
	}
	return s
}

//go:noinline
func burnCPU(d time.Duration) int {
	x := 0
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := 0; i < 1e5; i++ {
			x += i * i % 7
		}
	}
	return x
}

func write(dir, name string, debug int, prof string) {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := pprof.Lookup(prof).WriteTo(f, debug); err != nil {
		panic(err)
	}
}

func main() {
	runtime.MemProfileRate = 4096
	dir := os.Args[1]
	retain(2000)
	churn(20000)
	runtime.GC()
	write(dir, "heap-base.pb.gz", 0, "heap")
	retain(6000)
	churn(40000)
	_ = buildString(3000)
	runtime.GC()
	write(dir, "heap.pb.gz", 0, "heap")
	write(dir, "allocs.pb.gz", 0, "allocs")
	write(dir, "heap.debug1.txt", 1, "heap")

	f, err := os.Create(filepath.Join(dir, "cpu.pb.gz"))
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	burnCPU(1500 * time.Millisecond)
	pprof.StopCPUProfile()
	f.Close()
}
