package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// MaxLineBytes bounds one line of a record; a longer line is a SyntaxError.
const MaxLineBytes = 16 << 20

// ErrEmpty is returned for a record with no header line.
var ErrEmpty = errors.New("empty run record (no header line)")

// SyntaxError is a malformed line, with its position.
type SyntaxError struct {
	File string // as given to NewReader; may be empty
	Line int    // 1-based
	Err  error
}

func (e *SyntaxError) Error() string {
	file := e.File
	if file == "" {
		file = "<input>"
	}
	return fmt.Sprintf("%s:%d: %v", file, e.Line, e.Err)
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// Reader reads a run record line by line.
type Reader struct {
	file      string
	lines     *LineReader
	line      int
	header    Header
	truncated bool
}

// NewReader reads and checks the header. file names the input in errors.
func NewReader(r io.Reader, file string) (*Reader, error) {
	rd := &Reader{file: file, lines: NewLineReader(r, MaxLineBytes)}
	raw, complete, err := rd.readLine()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: %w", rd.name(), ErrEmpty)
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &rd.header); err != nil {
		if !complete {
			return nil, rd.syntax(errors.New("header line is truncated"))
		}
		return nil, rd.syntax(fmt.Errorf("not a gcprobe run record header: %v", jsonReason(err)))
	}
	if err := CheckSchema(rd.header.Schema); err != nil {
		return nil, rd.syntax(err)
	}
	return rd, nil
}

// Header is the record's first line.
func (r *Reader) Header() Header { return r.header }

// Truncated reports whether the input ended in the middle of a line (the
// writer was killed); the partial line was dropped.
func (r *Reader) Truncated() bool { return r.truncated }

// Next returns the next event, or io.EOF at the end. A malformed complete
// line is returned as a *SyntaxError; reading can go on after it. A
// malformed last line without a newline is a write cut short: it sets
// Truncated and Next returns io.EOF.
func (r *Reader) Next() (Event, error) {
	for {
		raw, complete, err := r.readLine()
		if err != nil {
			return Event{}, err
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		var e Event
		if err := json.Unmarshal(raw, &e); err != nil {
			if !complete {
				r.truncated = true
				return Event{}, io.EOF
			}
			return Event{}, r.syntax(jsonReason(err))
		}
		return e, nil
	}
}

// readLine returns the next line without its newline, and whether it ended
// with one.
func (r *Reader) readLine() (line []byte, complete bool, err error) {
	line, err = r.lines.Next()
	switch {
	case err == nil:
		r.line++
		return bytes.TrimRight(line, "\r\n"), true, nil
	case errors.Is(err, ErrLineTooLong):
		r.line++
		return nil, false, r.syntax(fmt.Errorf("line longer than %d bytes", MaxLineBytes))
	case err == io.EOF && len(line) > 0:
		r.line++
		return line, false, nil
	case err == io.EOF:
		return nil, false, io.EOF
	}
	return nil, false, fmt.Errorf("%s: %w", r.name(), err)
}

func (r *Reader) name() string {
	if r.file == "" {
		return "<input>"
	}
	return r.file
}

func (r *Reader) syntax(err error) error {
	return &SyntaxError{File: r.file, Line: r.line, Err: err}
}

// CheckSchema accepts "gcprobe.run/v1" and any minor revision of it, and
// refuses anything else with the reason: no schema, another format, or a
// major version this gcprobe does not read. The reader checks a file's header
// with it and the attach client the agent's, so that both refuse alike.
func CheckSchema(s string) error {
	const prefix = "gcprobe.run/v"
	if s == "" {
		return errors.New(`not a gcprobe run record: the header has no "schema" field`)
	}
	if !strings.HasPrefix(s, prefix) {
		return fmt.Errorf("not a gcprobe run record: schema %q", s)
	}
	major, _, _ := strings.Cut(strings.TrimPrefix(s, prefix), ".")
	if major != "1" {
		return fmt.Errorf("run record schema %q is not supported by this gcprobe (it reads %s); upgrade gcprobe", s, Schema)
	}
	return nil
}

// jsonReason shortens encoding/json's messages to what a user needs.
func jsonReason(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("malformed JSON at byte %d: %v", se.Offset, se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("field %q: want %v, got JSON %s", te.Field, te.Type, te.Value)
	}
	return err
}

// DecodeEvent decodes one event line, as written by an event stream (see
// NewEventWriter).
func DecodeEvent(line []byte) (Event, error) {
	var e Event
	if err := json.Unmarshal(line, &e); err != nil {
		return Event{}, jsonReason(err)
	}
	return e, nil
}

// Run is a whole record in memory.
type Run struct {
	// File is the path the record was read from.
	File   string
	Header Header
	Events []Event
	// Truncated reports a last line cut short (the writer was killed).
	Truncated bool
}

// End returns the end event, or nil for a record that was cut short.
func (r *Run) End() *End {
	for i := len(r.Events) - 1; i >= 0; i-- {
		if e := r.Events[i].End; e != nil {
			return e
		}
	}
	return nil
}

// Read reads a whole record. It stops at the first malformed line (other than
// a truncated last one) and returns the error with its position.
func Read(r io.Reader, file string) (*Run, error) {
	rd, err := NewReader(r, file)
	if err != nil {
		return nil, err
	}
	run := &Run{File: file, Header: rd.Header()}
	for {
		e, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		run.Events = append(run.Events, e)
	}
	run.Truncated = rd.Truncated()
	return run, nil
}

// ReadFile reads the record at path. Every error it returns names path (an
// *os.PathError, a *SyntaxError, or one that starts with path).
func ReadFile(path string) (*Run, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f, path)
}
