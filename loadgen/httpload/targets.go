package httpload

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Target is one request to send: a method, a URL, headers and a body.
type Target struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// String is the target as a person would write it: "GET http://...".
func (t Target) String() string { return t.Method + " " + t.URL }

// SyntaxError is a bad line of a targets file.
type SyntaxError struct {
	File string
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// ParseTarget reads "URL" (a GET) or "METHOD URL", as --load takes it.
func ParseTarget(s string) (Target, error) {
	f := strings.Fields(s)
	switch len(f) {
	case 1:
		f = []string{http.MethodGet, f[0]}
	case 2:
	default:
		return Target{}, fmt.Errorf("%q: want URL or 'METHOD URL'", s)
	}
	return newTarget(f[0], f[1])
}

func newTarget(method, rawURL string) (Target, error) {
	if !validMethod(method) {
		return Target{}, fmt.Errorf("%q is not an HTTP method", method)
	}
	if err := CheckURL(rawURL); err != nil {
		return Target{}, err
	}
	return Target{Method: strings.ToUpper(method), URL: rawURL, Header: http.Header{}}, nil
}

// CheckURL accepts an absolute http or https URL with a host.
func CheckURL(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %v", rawURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%q is not an http:// or https:// URL with a host", rawURL)
	}
	return nil
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, r := range m {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			return false
		}
	}
	return true
}

// ParseHeader reads "Name: value", as --header and a targets file give it.
func ParseHeader(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.ContainsAny(name, " \t") {
		return "", "", fmt.Errorf("%q is not a header: want 'Name: value'", s)
	}
	return name, strings.TrimSpace(value), nil
}

// ReadTargetsFile reads a targets file in vegeta's plain format; body
// files are read relative to the targets file's directory.
func ReadTargetsFile(path string) ([]Target, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseTargets(f, path, func(name string) ([]byte, error) {
		if !filepath.IsAbs(name) {
			name = filepath.Join(filepath.Dir(path), name)
		}
		return os.ReadFile(name)
	})
}

// ParseTargets reads vegeta's plain targets format from r, named name in
// errors: each target is a "METHOD URL" line, then any "Name: value" header
// lines, then an optional "@path" line naming its body file (read with
// readBody). Blank lines and lines starting with # are skipped. The first
// bad line stops the parse with a *SyntaxError naming it.
func ParseTargets(r io.Reader, name string, readBody func(string) ([]byte, error)) ([]Target, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var ts []Target
	bad := func(line int, format string, args ...any) error {
		return &SyntaxError{File: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	// state: 0 before a target (start, blank line); 1 in a target's
	// headers; 2 after its body.
	state := 0
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			state = 0
			continue
		case strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "@"):
			if state != 1 {
				return nil, bad(n, "a body (@file) must follow a target line or its headers")
			}
			body, err := readBody(strings.TrimSpace(line[1:]))
			if err != nil {
				return nil, bad(n, "body: %v", unwrapPath(err))
			}
			ts[len(ts)-1].Body = body
			state = 2
			continue
		}
		if state == 1 && !looksLikeTarget(line) {
			k, v, err := ParseHeader(line)
			if err != nil {
				return nil, bad(n, "%v (a header line), or 'METHOD URL' for a new target", err)
			}
			ts[len(ts)-1].Header.Add(k, v)
			continue
		}
		f := strings.Fields(line)
		if strings.HasSuffix(f[0], ":") {
			return nil, bad(n, "a header line must follow a target line or another header (a blank line ends a target)")
		}
		if len(f) != 2 {
			return nil, bad(n, "want 'METHOD URL', got %q", line)
		}
		t, err := newTarget(f[0], f[1])
		if err != nil {
			return nil, bad(n, "%v", err)
		}
		ts = append(ts, t)
		state = 1
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("%s: no targets (want lines of 'METHOD URL')", name)
	}
	return ts, nil
}

// looksLikeTarget tells a "METHOD URL" line from a header line while
// reading a target's headers: a header's name ends in a colon.
func looksLikeTarget(line string) bool {
	f := strings.Fields(line)
	return len(f) == 2 && validMethod(f[0]) && strings.Contains(f[1], "://")
}

// unwrapPath drops the "open NAME:" of an *os.PathError when it only
// repeats the file name the message already gives.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}
