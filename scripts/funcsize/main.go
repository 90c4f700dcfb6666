// Command funcsize prints the median and 90th-percentile length, in lines,
// of the functions of the module's non-test Go files, so a clean-up can say
// whether it made functions shorter or longer.
//
//	go run ./scripts/funcsize [dir]
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	sizes, err := functionSizes(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "funcsize:", err)
		os.Exit(1)
	}
	if len(sizes) == 0 {
		fmt.Println("no functions")
		return
	}
	sort.Ints(sizes)
	fmt.Printf("functions %d, median %d lines, p90 %d lines, longest %d lines\n",
		len(sizes), percentile(sizes, 50), percentile(sizes, 90), sizes[len(sizes)-1])
}

// functionSizes returns the length in lines, from "func" to the closing
// brace, of every function and method with a body in the non-test files
// below root.
func functionSizes(root string) ([]int, error) {
	var sizes []int
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			start := fset.Position(fn.Pos()).Line
			end := fset.Position(fn.End()).Line
			sizes = append(sizes, end-start+1)
		}
		return nil
	})
	return sizes, err
}

// percentile returns the nearest-rank p-th percentile of sorted values.
func percentile(sorted []int, p int) int {
	rank := (p*len(sorted) + 99) / 100
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}
