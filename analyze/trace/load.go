package trace

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
)

// IsTrace says whether head, the first bytes of an input, starts a Go
// execution trace ("go 1.N trace" and NUL padding).
func IsTrace(head []byte) bool {
	return notTrace(head) == ""
}

// SniffFile reads the first bytes of the named file and says whether it is
// an execution trace; errors are those of opening and reading it.
func SniffFile(name string) (bool, error) {
	f, err := os.Open(name)
	if err != nil {
		return false, err
	}
	defer f.Close()
	head := make([]byte, 16)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, err
	}
	return IsTrace(head[:n]), nil
}

// AnalyzeFile analyses the trace in the named file ("-" reads in); errors
// start with the name.
func AnalyzeFile(name string, in io.Reader, opts Options) (*Analysis, error) {
	var r io.Reader = in
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		defer f.Close()
		r = f
	} else {
		name = "stdin"
	}
	if opts.Source == "" {
		opts.Source = name
	}
	a, err := Analyze(bufio.NewReaderSize(r, 1<<20), opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return a, nil
}
