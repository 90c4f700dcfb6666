package record

import (
	"bufio"
	"errors"
	"io"
)

// ErrLineTooLong is returned by LineReader.Next for a line longer than the
// reader's limit.
var ErrLineTooLong = errors.New("line too long")

// LineReader reads lines of text of bounded length: a run record, a child's
// event stream or stderr, a gctrace log. No line, however long, makes it
// hold more than its limit in memory.
type LineReader struct {
	br    *bufio.Reader
	limit int
	buf   []byte
	// After a line that was too long: over holds the bytes read past the
	// limit, and ended says whether they finish the line.
	long  bool
	over  []byte
	ended bool
}

// NewLineReader returns a reader of lines of at most limit bytes, the
// newline included.
func NewLineReader(r io.Reader, limit int) *LineReader {
	return &LineReader{br: bufio.NewReaderSize(r, min(limit, 64<<10)), limit: limit}
}

// Next returns the next line with its newline, if it has one; the slice is
// valid until the next call. At the end of the input it returns the last
// line (which has no newline) with io.EOF, or nil and io.EOF when nothing is
// left. A line longer than the limit is returned as its first limit bytes
// with ErrLineTooLong; the next call skips the rest of it, unless CopyRest
// copies it somewhere first. Other errors are the input's.
func (lr *LineReader) Next() ([]byte, error) {
	if err := lr.CopyRest(io.Discard); err != nil {
		return nil, err
	}
	lr.buf = lr.buf[:0]
	for {
		chunk, err := lr.br.ReadSlice('\n')
		if keep := lr.limit - len(lr.buf); len(chunk) > keep {
			lr.buf = append(lr.buf, chunk[:keep]...)
			lr.long, lr.ended = true, !errors.Is(err, bufio.ErrBufferFull)
			lr.over = append(lr.over[:0], chunk[keep:]...)
			return lr.buf, ErrLineTooLong
		}
		lr.buf = append(lr.buf, chunk...)
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == nil:
			return lr.buf, nil
		case err == io.EOF && len(lr.buf) > 0:
			return lr.buf, io.EOF
		default:
			return nil, err
		}
	}
}

// CopyRest writes the rest of a line that Next returned with
// ErrLineTooLong to w, its newline included; after any other line it does
// nothing.
func (lr *LineReader) CopyRest(w io.Writer) error {
	if !lr.long {
		return nil
	}
	lr.long = false
	if _, err := w.Write(lr.over); err != nil {
		return err
	}
	for !lr.ended {
		chunk, err := lr.br.ReadSlice('\n')
		if _, werr := w.Write(chunk); werr != nil {
			return werr
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			lr.ended = true
			if err != nil && err != io.EOF {
				return err
			}
		}
	}
	return nil
}
