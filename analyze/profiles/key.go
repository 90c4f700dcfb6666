package profiles

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/pprof/profile"
)

// By is what Top groups sample values by.
type By string

// The groupings of Top and Churn.
const (
	ByFunction By = "function" // function name
	ByPackage  By = "package"  // Go package path (or C++ namespace) of the function
	ByFile     By = "file"     // source file
	ByLine     By = "line"     // function and file:line
)

// ParseBy reads a grouping name.
func ParseBy(s string) (By, error) {
	switch b := By(s); b {
	case ByFunction, ByPackage, ByFile, ByLine:
		return b, nil
	case "":
		return ByFunction, nil
	}
	return "", fmt.Errorf("unknown grouping %q (want function, package, file or line)", s)
}

// frameKey is the key of one line of a location (one frame, inlined or
// not). Unsymbolized locations are keyed by address, or by mapping file
// for --by file or package.
func frameKey(by By, l *profile.Location, ln *profile.Line) string {
	if ln == nil || ln.Function == nil {
		if (by == ByFile || by == ByPackage) && l.Mapping != nil && l.Mapping.File != "" {
			return clean(path.Base(l.Mapping.File))
		}
		return "0x" + strconv.FormatUint(l.Address, 16)
	}
	fn := ln.Function
	name := fn.Name
	if name == "" {
		name = fn.SystemName
	}
	if name == "" {
		name = "0x" + strconv.FormatUint(l.Address, 16)
	}
	switch by {
	case ByPackage:
		return clean(packageName(name))
	case ByFile:
		if fn.Filename == "" {
			return "?"
		}
		return clean(fn.Filename)
	case ByLine:
		file := fn.Filename
		if file == "" {
			file = "?"
		}
		return clean(name + " " + file + ":" + strconv.FormatInt(ln.Line, 10))
	}
	return clean(name)
}

// packageName is the Go package path of a function name
// ("github.com/a/b.(*T).M" is in "github.com/a/b"), or the namespace of a
// C++ one ("std::vector<int>::push_back" is in "std::vector<int>").
func packageName(fn string) string {
	if i := strings.IndexByte(fn, '['); i > 0 {
		fn = fn[:i] // type parameters may hold other packages' paths
	}
	if i := strings.Index(fn, "("); i > 0 && strings.Contains(fn, "::") {
		fn = fn[:i] // C++ argument list
	}
	if i := strings.LastIndex(fn, "::"); i > 0 {
		return fn[:i]
	}
	slash := strings.LastIndexByte(fn, '/')
	if d := strings.IndexByte(fn[slash+1:], '.'); d > 0 {
		return fn[:slash+1+d]
	}
	return fn
}

// clean makes a name from a profile printable on one line.
func clean(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c == 0x7f || c >= utf8.RuneSelf {
			return oneLineName(s)
		}
	}
	return s
}

// oneLineName replaces invalid UTF-8 and control characters.
func oneLineName(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
