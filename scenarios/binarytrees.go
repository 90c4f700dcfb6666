package scenarios

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/gcprobe/gcprobe/loadgen"
	"github.com/gcprobe/gcprobe/record"
)

// binaryTrees is the Computer Language Benchmarks Game's binary-trees, the
// allocation benchmark where Rust beats Go by the widest margin: build and
// walk millions of short-lived perfect binary trees, beside one long-lived
// tree, with the depths spread over GOMAXPROCS goroutines as the fastest Go
// entries do. The benchmark's depth is 21; the default is 20, half the work
// since every level doubles it: measured on 2 quiet cores, depth 20 took
// 14.5 s (27 s of CPU) and 21 took 22.4 s (43 s of CPU), with the GC using
// 27-29% of the CPU either way. It has no arrival rate: each tree built and
// checked is recorded as one "tree" operation, closed loop, to lay its time
// over the GC cycles. Its results are the elapsed time (printed and in a
// note) and, from the record, the GC CPU share and peak RSS.
func binaryTrees() Scenario {
	s := Scenario{
		Name: "binarytrees",
		Doc:  "the Benchmarks Game's binary-trees: millions of short-lived trees beside a long-lived one",
		Params: []Param{
			{"depth", Int, "20", "depth of the largest trees (the benchmark uses 21: twice the work)"},
			{ParamDuration, Duration, "0s", "stop after this long even if unfinished (0: run to the end)"},
		},
	}
	s.Prepare = func(p *Params) (Workload, error) {
		depth := p.Int("depth")
		limit := p.Duration(ParamDuration)
		if p.Err() == nil && (depth < 6 || depth > 30) {
			p.Errorf("depth", "%d: want 6 to 30", depth)
		}
		if p.Err() == nil && limit < 0 {
			p.Errorf(ParamDuration, "must not be negative")
		}
		if p.Err() == nil {
			// The long-lived and stretch trees are live at once: 2^(d+1) and 2^(d+2) nodes of 16 B.
			p.checkFits("depth", "its two largest trees", (uint64(1)<<(depth+1)+uint64(1)<<(depth+2))*16)
		}
		if err := p.Err(); err != nil {
			return nil, err
		}
		return func(ctx context.Context, env Env) error {
			if limit > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, limit)
				defer cancel()
			}
			return runBinaryTrees(ctx, env, int(depth))
		}, nil
	}
	return s
}

type treeNode struct{ left, right *treeNode }

func bottomUp(depth int) *treeNode {
	if depth <= 0 {
		return &treeNode{}
	}
	return &treeNode{bottomUp(depth - 1), bottomUp(depth - 1)}
}

func (n *treeNode) check() int {
	if n.left == nil {
		return 1
	}
	return 1 + n.left.check() + n.right.check()
}

const minTreeDepth = 4

func runBinaryTrees(ctx context.Context, env Env, maxDepth int) error {
	w := env.Record
	start := time.Now()
	hist := new(loadgen.Histogram)
	stop := make(chan struct{})
	reported := make(chan error, 1)
	go func() { reported <- loadgen.Report(w, hist, "tree", 100*time.Millisecond, stop) }()
	timed := func(depth int) int {
		t := time.Now()
		c := bottomUp(depth).check()
		hist.Record(t.Sub(w.Start()), time.Since(t))
		return c
	}

	var out []string
	out = append(out, fmt.Sprintf("stretch tree of depth %d\t check: %d", maxDepth+1, timed(maxDepth+1)))
	longLived := bottomUp(maxDepth)

	lines := make([]string, maxDepth+1)
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for depth := minTreeDepth; depth <= maxDepth; depth += 2 {
		iterations := 1 << (maxDepth - depth + minTreeDepth)
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			check := 0
			for i := 0; i < iterations; i++ {
				if i%64 == 0 && ctx.Err() != nil {
					return
				}
				check += timed(depth)
			}
			lines[depth] = fmt.Sprintf("%d\t trees of depth %d\t check: %d", iterations, depth, check)
		})
	}
	wg.Wait()
	for depth := minTreeDepth; depth <= maxDepth; depth += 2 {
		out = append(out, lines[depth])
	}
	out = append(out, fmt.Sprintf("long lived tree of depth %d\t check: %d", maxDepth, longLived.check()))
	elapsed := time.Since(start)
	close(stop)
	if err := <-reported; err != nil {
		return err
	}
	if ctx.Err() != nil {
		w.Note(record.NoteWarning, "binarytrees: stopped after %.2fs before finishing depth %d: the elapsed time is not the benchmark's", elapsed.Seconds(), maxDepth)
		fmt.Fprintf(env.Out, "binarytrees: stopped after %.2fs, unfinished\n", elapsed.Seconds())
		return nil
	}
	for _, l := range out {
		fmt.Fprintln(env.Out, l)
	}
	w.Note(record.NoteInfo, "binarytrees: depth %d finished in %.3fs elapsed", maxDepth, elapsed.Seconds())
	fmt.Fprintf(env.Out, "binarytrees: depth %d in %.3fs elapsed\n", maxDepth, elapsed.Seconds())
	return nil
}
