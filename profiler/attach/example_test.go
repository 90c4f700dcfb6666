package attach_test

import (
	"bytes"
	"context"
	"expvar"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gcprobe/gcprobe/profiler/attach"
	"github.com/gcprobe/gcprobe/record"
)

// Attach to a service's expvar for a moment and read the record back.
func Example() {
	mux := http.NewServeMux()
	mux.Handle("/debug/vars", expvar.Handler()) // what a service with expvar serves
	svc := httptest.NewServer(mux)
	defer svc.Close()

	ctx := context.Background()
	s, err := attach.Open(ctx, attach.Options{URL: svc.URL, Interval: 20 * time.Millisecond, Duration: 100 * time.Millisecond})
	if err != nil {
		fmt.Println(err)
		return
	}
	var buf bytes.Buffer
	res, err := s.Record(ctx, &buf)
	if err != nil {
		fmt.Println(err)
		return
	}
	run, err := record.Read(&buf, "attach.jsonl")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("via:", run.Header.Attach.Via)
	fmt.Println("end:", res.End.Reason)
	// Output:
	// via: expvar
	// end: duration
}
