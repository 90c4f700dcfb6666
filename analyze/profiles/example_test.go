package profiles_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/gcprobe/gcprobe/analyze/profiles"
)

// Load a heap profile, compute its top allocators (alloc_space: the
// garbage), then render them.
func Example() {
	p, err := profiles.Load(context.Background(), "testdata/heap.pb.gz", profiles.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	top, err := profiles.Top(p, profiles.TopOptions{By: profiles.ByFunction, N: 3})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d samples\n", top.SampleType, top.Samples)
	if err := profiles.WriteText(os.Stdout, top); err != nil {
		log.Fatal(err)
	}
	// Output:
	// alloc_space: 65 samples
	// Sample: alloc_space (bytes, index 1), values by function, sorted by flat
	// Total: 67.3 MiB in 65 samples; showing 3 of 57 functions
	//     flat  flat%   sum%       cum   cum%  function
	// 58.7 MiB  87.2%  87.2%  58.7 MiB  87.2%  main.churn
	// 4.75 MiB  7.05%  94.3%  4.75 MiB  7.05%  main.buildString
	// 2.60 MiB  3.85%  98.1%  2.65 MiB  3.94%  main.retain
}
