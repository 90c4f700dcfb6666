package summary

import (
	"io"
	"os"

	"github.com/gcprobe/gcprobe/record"
)

// Read summarises the record read from r event by event, as Compute does
// the same record read whole, without holding its lines or its events:
// only what the figures are made of (one small value per sample, cycle and
// latency interval) stays in memory. file names the input in errors and
// in the summary. A malformed line stops it with the line's position, as
// record.Read does.
func Read(r io.Reader, file string) (Summary, error) {
	_, s, err := ReadRun(r, file)
	return s, err
}

// ReadRun is Read that also returns the record's header, for a renderer
// that shows it (the report's facts) without the record's events.
func ReadRun(r io.Reader, file string) (record.Header, Summary, error) {
	rd, err := record.NewReader(r, file)
	if err != nil {
		return record.Header{}, Summary{}, err
	}
	var ev events
	var end *record.End
	for {
		e, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return record.Header{}, Summary{}, err
		}
		if e.End != nil {
			end = e.End
		}
		ev.add(e)
	}
	ev.sort()
	return rd.Header(), compute(file, rd.Header(), ev, end, rd.Truncated()), nil
}

// ReadFile is Read of the record at path.
func ReadFile(path string) (Summary, error) {
	_, s, err := ReadRunFile(path)
	return s, err
}

// ReadRunFile is ReadRun of the record at path.
func ReadRunFile(path string) (record.Header, Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return record.Header{}, Summary{}, err
	}
	defer f.Close()
	return ReadRun(f, path)
}
