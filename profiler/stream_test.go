//go:build unix

package profiler

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

func TestStreamFromEnv(t *testing.T) {
	t.Setenv(record.EventsFDEnv, "")
	if w, ok, err := StreamFromEnv(); w != nil || ok || err != nil {
		t.Fatalf("unset: %v %v %v", w, ok, err)
	}

	r, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	fd, err := syscall.Dup(int(pw.Fd())) // the fd a parent would pass
	pw.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(record.EventsFDEnv, strconv.Itoa(fd))
	w, ok, err := StreamFromEnv()
	if err != nil || !ok {
		t.Fatalf("StreamFromEnv with fd %d: %v %v", fd, ok, err)
	}
	if v, set := os.LookupEnv(record.EventsFDEnv); set {
		t.Errorf("%s still set (%q): a child of this program would write to the same stream", record.EventsFDEnv, v)
	}
	if _, ok, _ := StreamFromEnv(); ok {
		t.Error("a second call returned a stream too")
	}
	p, err := New(Options{Record: w})
	if err != nil {
		t.Fatal(err)
	}
	p.sample()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	_, next, _ := p.EventsSince(0)
	r.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(r)
	for i := range next {
		line, err := br.ReadBytes('\n')
		if err != nil {
			t.Fatalf("event %d of %d: %v", i, next, err)
		}
		e, err := record.DecodeEvent(line)
		if err != nil || e.Kind() == "" {
			t.Fatalf("line %d %q: %v", i, line, err)
		}
		if i == 0 && (e.Sample == nil || strings.Contains(string(line), "schema")) {
			t.Errorf("first line %s: want a sample event and no header", line)
		}
	}
}

func TestStreamFromEnvBad(t *testing.T) {
	for _, v := range []string{"abc", "-1", "1", "987654"} {
		t.Setenv(record.EventsFDEnv, v)
		w, ok, err := StreamFromEnv()
		if err == nil || ok || w != nil || !strings.Contains(err.Error(), record.EventsFDEnv) {
			t.Errorf("%s=%s: %v %v %v; want an error naming the variable", record.EventsFDEnv, v, w, ok, err)
		}
	}
}
