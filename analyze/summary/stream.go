package summary

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"

	"github.com/gcprobe/gcprobe/record"
)

// Read summarises the record read from r event by event, as Compute does
// the same record read whole, without holding its lines or its events.
// file names the input in errors and in the summary. A malformed line stops
// it with the line's position, as record.Read does.
//
// Its memory does not grow with the record's length (see builder): the
// figures are gathered as the events come, the medians from at most
// exactValues values each (a sketch past that, and the summary says so).
// It reads r twice when r can seek (a file): first the latency lines only,
// to know where a scenario's measured load begins before the events that
// follow it. From a stream that cannot seek (a pipe), and for a record
// whose samples or cycles are out of time order, the events are held
// whole, as Compute holds them.
func Read(r io.Reader, file string) (Summary, error) {
	_, s, err := ReadRun(r, file)
	return s, err
}

// ReadRun is Read that also returns the record's header, for a renderer
// that shows it (the report's facts) without the record's events.
func ReadRun(r io.Reader, file string) (record.Header, Summary, error) {
	return readRun(r, file)
}

func readRun(r io.Reader, file string) (record.Header, Summary, error) {
	rs, ok := r.(io.ReadSeeker)
	var start int64
	if ok {
		var err error
		start, err = rs.Seek(0, io.SeekCurrent)
		ok = err == nil // a pipe is an *os.File that cannot seek
	}
	if !ok {
		return readWhole(r, file)
	}
	from, err := scanLatencyStart(rs)
	if err != nil {
		return record.Header{}, Summary{}, err
	}
	if _, err := rs.Seek(start, io.SeekStart); err != nil {
		return record.Header{}, Summary{}, err
	}
	h, s, err := stream(rs, file, from)
	if errors.Is(err, errUnordered) {
		if _, err := rs.Seek(start, io.SeekStart); err != nil {
			return record.Header{}, Summary{}, err
		}
		return readWhole(rs, file)
	}
	return h, s, err
}

// errUnordered says the record cannot be summarised as a stream.
var errUnordered = errors.New("samples or cycles out of time order")

// streamHorizon is how long (record seconds) Read keeps GC cycles behind
// the latest event, for latency intervals written late: ten minutes, 1 MB
// at 110 cycles a second. A record that needs more is read whole.
const streamHorizon = 600

// streamReorder is how long (record seconds) Read waits for a sample or a
// cycle written late, to take them in time order: a gctrace line can come
// a little after a sample taken later (0.3 s in a scenario here). A record
// that needs more is read whole.
const streamReorder = 10

func stream(r io.Reader, file string, from float64) (record.Header, Summary, error) {
	rd, err := record.NewReader(r, file)
	if err != nil {
		return record.Header{}, Summary{}, err
	}
	b := newBuilder(rd.Header().Source, from, streamHorizon, streamReorder)
	for {
		e, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return record.Header{}, Summary{}, err
		}
		b.add(e)
		if b.order.unordered {
			return record.Header{}, Summary{}, errUnordered
		}
	}
	s := b.summary(file, rd.Header(), rd.Truncated())
	if b.lat.lost {
		return record.Header{}, Summary{}, errUnordered
	}
	return rd.Header(), s, nil
}

// readWhole reads the record whole and computes its summary.
func readWhole(r io.Reader, file string) (record.Header, Summary, error) {
	run, err := record.Read(r, file)
	if err != nil {
		return record.Header{}, Summary{}, err
	}
	return run.Header, Compute(run), nil
}

// scanLatencyStart finds when the record's first latency interval began
// (0 for none), decoding only the lines that hold a latency event; the
// other lines are left to the reader that follows. A line it cannot decode
// is skipped: that reader reports it.
func scanLatencyStart(r io.Reader) (float64, error) {
	lr := record.NewLineReader(r, record.MaxLineBytes)
	key := []byte(`"latency":`)
	from, found := math.Inf(1), false
	for first := true; ; first = false {
		line, err := lr.Next()
		if !first && bytes.Contains(line, key) {
			var e struct {
				T       float64 `json:"t"`
				Latency *struct {
					IntervalSeconds float64 `json:"interval_seconds"`
				} `json:"latency"`
			}
			if json.Unmarshal(line, &e) == nil && e.Latency != nil {
				from, found = math.Min(from, e.T-e.Latency.IntervalSeconds), true
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil && !errors.Is(err, record.ErrLineTooLong) {
			return 0, err
		}
	}
	if !found {
		return 0, nil
	}
	return from, nil
}

// ReadFile is Read of the record at path.
func ReadFile(path string) (Summary, error) {
	_, s, err := ReadRunFile(path)
	return s, err
}

// ReadRunFile is ReadRun of the record at path. Its Charts read the record
// again, as a stream too.
func ReadRunFile(path string) (record.Header, Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return record.Header{}, Summary{}, err
	}
	defer f.Close()
	h, s, err := readRun(f, path)
	if !s.held {
		s.path = path // Charts reads it again
	}
	return h, s, err
}
