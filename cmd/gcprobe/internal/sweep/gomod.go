package sweep

import (
	"os"
	"path/filepath"
	"strings"
)

// GoMod is what a sweep needs of a go.mod file.
type GoMod struct {
	File string
	Path string // the module path
	Go   string // the go line's version ("1.26.0"), "" when there is none
}

// readGoMod finds the go.mod that governs dir, as the go command does
// (the nearest one above it); the zero GoMod when there is none.
func readGoMod(dir string) (GoMod, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return GoMod{}, err
	}
	for {
		name := filepath.Join(d, "go.mod")
		b, err := os.ReadFile(name)
		if err == nil {
			m := ParseGoMod(b)
			m.File = name
			return m, nil
		}
		if !os.IsNotExist(err) {
			return GoMod{}, err
		}
		up := filepath.Dir(d)
		if up == d {
			return GoMod{}, nil
		}
		d = up
	}
}

// ParseGoMod reads the module and go directives of a go.mod file. It is
// lenient: what it cannot read it leaves empty, for the go command to
// report when it builds.
func ParseGoMod(b []byte) GoMod {
	var m GoMod
	inBlock := false // require ( ... ) and the like
	for _, line := range strings.Split(string(b), "\n") {
		line, _, _ = strings.Cut(line, "//")
		f := strings.Fields(line)
		switch {
		case inBlock:
			inBlock = !(len(f) == 1 && f[0] == ")")
		case len(f) == 2 && f[1] == "(":
			inBlock = true
		case len(f) == 2 && f[0] == "module" && m.Path == "":
			m.Path = strings.Trim(f[1], "\"`")
		case len(f) == 2 && f[0] == "go" && m.Go == "":
			m.Go = f[1]
		}
	}
	return m
}
