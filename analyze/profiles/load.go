package profiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/gcprobe/gcprobe/internal/fetch"
	"github.com/gcprobe/gcprobe/units"
	"github.com/google/pprof/profile"
)

// ErrNotProfile is wrapped by the errors of inputs that are not profiles
// (or not ones that pprof can read).
var ErrNotProfile = errors.New("not a profile")

// ErrTooLarge is wrapped by the error of an input larger than
// LoadOptions.MaxBytes, compressed or not.
var ErrTooLarge = fetch.ErrTooLarge

// Defaults of LoadOptions.
const (
	DefaultTimeout  = 60 * time.Second
	DefaultMaxBytes = 1 << 30
)

// LoadOptions says where Load reads "-" from and how it fetches URLs.
type LoadOptions struct {
	// Stdin is read for the source "-"; nil means os.Stdin.
	Stdin io.Reader
	// Timeout bounds fetching an http(s) URL; 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxBytes caps the bytes read from any source, and again after
	// decompression; 0 means DefaultMaxBytes.
	MaxBytes int64
	// Client fetches URLs; nil means a client with Timeout.
	Client *http.Client
}

func (o LoadOptions) maxBytes() int64 {
	if o.MaxBytes > 0 {
		return o.MaxBytes
	}
	return DefaultMaxBytes
}

// Load reads the profile at src: a file name, "-" for stdin, or an http or
// https URL (such as a service's /debug/pprof/heap). Errors are one line
// that starts with src.
func Load(ctx context.Context, src string, opts LoadOptions) (*profile.Profile, error) {
	var (
		data []byte
		err  error
	)
	name := src
	switch {
	case src == "-":
		name = "stdin"
		in := opts.Stdin
		if in == nil {
			in = os.Stdin
		}
		data, err = readCapped(in, opts.maxBytes())
	case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
		data, err = fetchURL(ctx, src, opts)
	default:
		data, err = readFile(src, opts.maxBytes())
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return parse(name, data, opts.maxBytes())
}

func readFile(name string, max int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, pe.Err // the caller names the file
		}
		return nil, err
	}
	defer f.Close()
	data, err := readCapped(f, max)
	var pe *os.PathError
	if errors.As(err, &pe) {
		return nil, pe.Err // "is a directory", not "read NAME: is a directory"
	}
	return data, err
}

// readCapped reads all of r, or fails with ErrTooLarge after max bytes.
func readCapped(r io.Reader, max int64) ([]byte, error) {
	var size int64
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	return fetch.ReadCapped(r, max, size)
}

func fetchURL(ctx context.Context, src string, opts LoadOptions) ([]byte, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := opts.Client
	if client == nil {
		client = &http.Client{Timeout: timeout}
	}
	data, err := fetch.Get(ctx, client, src, "", opts.maxBytes())
	var ue *url.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) && errors.As(err, &ue):
		return nil, fmt.Errorf("no answer within %v", timeout)
	case errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("no complete answer within %v", timeout)
	case errors.As(err, &ue):
		return nil, ue.Err // drop the URL: the caller names it
	}
	return data, err
}

// Parse reads a profile from data; name says where it came from, for
// errors. It never panics: a panic inside pprof's parser becomes an error.
func Parse(name string, data []byte) (*profile.Profile, error) {
	return parse(name, data, DefaultMaxBytes)
}

func parse(name string, data []byte, max int64) (*profile.Profile, error) {
	if fetch.IsGzip(data) {
		raw, err := gunzip(data, max)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		data = raw
	}
	if why := refuse(data); why != "" {
		return nil, fmt.Errorf("%s: %w: %s", name, ErrNotProfile, why)
	}
	p, err := parsePprof(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if isDebugHeapText(data) {
		symbolizeDebugText(p, data)
	}
	return p, nil
}

// gunzip decompresses a whole gzip stream, sized from its trailer when that
// is plausible, and fails with ErrTooLarge past max bytes.
func gunzip(data []byte, max int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: bad gzip header: %v", ErrNotProfile, err)
	}
	var buf bytes.Buffer
	if n := len(data); n >= 4 {
		size := int64(data[n-4]) | int64(data[n-3])<<8 | int64(data[n-2])<<16 | int64(data[n-1])<<24
		if size <= max && size <= 64*int64(n) {
			buf.Grow(int(size) + bytes.MinRead)
		}
	}
	m, err := buf.ReadFrom(io.LimitReader(zr, max+1))
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("%w: truncated gzip stream", ErrNotProfile)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: corrupt gzip stream: %v", ErrNotProfile, err)
	}
	if m > max {
		return nil, fmt.Errorf("%w: more than %s once decompressed", ErrTooLarge, units.Bytes(float64(max)))
	}
	return buf.Bytes(), nil
}

// refuse names inputs that pprof might misread or would refuse with a
// vague message, or returns "".
func refuse(data []byte) string {
	head := data[:min(len(data), 512)]
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return "the input is empty"
	case bytes.HasPrefix(head, []byte("version https://git-lfs.github.com/spec/")):
		return "a Git LFS pointer (fetch the file with git lfs pull)"
	case bytes.HasPrefix(head, []byte("PeriodType:")):
		return "pprof's text dump of a profile (Profile.String output), not the profile"
	case bytes.HasPrefix(head, []byte("<")):
		return "HTML or XML text"
	case bytes.HasPrefix(head, []byte("go 1.")) && bytes.Contains(head[:min(len(head), 16)], []byte(" trace\x00")):
		return "a Go execution trace, not a profile (gcprobe analyze TRACE reads it)"
	}
	return ""
}

// parsePprof is pprof's ParseData, with its panics turned into errors and
// its message on one line.
func parsePprof(data []byte) (p *profile.Profile, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("%w: pprof's parser panicked: %s", ErrNotProfile, oneLine(fmt.Sprint(r)))
		}
	}()
	p, err = profile.ParseData(data)
	if err != nil {
		msg := oneLine(err.Error())
		msg = strings.TrimPrefix(msg, "parsing profile: ")
		return nil, fmt.Errorf("%w: %s", ErrNotProfile, msg)
	}
	return p, nil
}

// oneLine makes s printable on one line (see oneLineName), at most 200
// bytes.
func oneLine(s string) string {
	s = oneLineName(s)
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}
