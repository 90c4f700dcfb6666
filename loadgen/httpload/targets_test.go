package httpload

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func noBodies(name string) ([]byte, error) { return nil, errors.New("no body files here") }

func TestParseTargets(t *testing.T) {
	in := `# vegeta's plain format
GET http://127.0.0.1:8080/get
X-Trace: 1
Host: example.test

POST http://127.0.0.1:8080/post
Content-Type: application/json
@body.json
GET http://127.0.0.1:8080/status/418
`
	ts, err := ParseTargets(strings.NewReader(in), "targets.txt", func(name string) ([]byte, error) {
		if name != "body.json" {
			t.Errorf("body file %q, want body.json", name)
		}
		return []byte(`{"a":1}`), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 3 {
		t.Fatalf("got %d targets, want 3: %v", len(ts), ts)
	}
	if ts[0].String() != "GET http://127.0.0.1:8080/get" || ts[0].Header.Get("X-Trace") != "1" || ts[0].Header.Get("Host") != "example.test" {
		t.Errorf("target 1 = %v %v", ts[0], ts[0].Header)
	}
	if ts[1].Method != "POST" || string(ts[1].Body) != `{"a":1}` || ts[1].Header.Get("Content-Type") != "application/json" {
		t.Errorf("target 2 = %v %v %q", ts[1], ts[1].Header, ts[1].Body)
	}
	if ts[2].URL != "http://127.0.0.1:8080/status/418" || len(ts[2].Header) != 0 {
		t.Errorf("target 3 = %v %v", ts[2], ts[2].Header)
	}
}

func TestParseTargetsBadLine(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"no method", "http://x/\n", "t.txt:1: want 'METHOD URL'"},
		{"bad url", "GET /relative\n", "t.txt:1: \"/relative\" is not an http:// or https:// URL"},
		{"bad header", "GET http://x/\nnot a header\n", "t.txt:2: \"not a header\" is not a header"},
		{"header after blank", "GET http://x/\n\nX-A: 1\n", "t.txt:3: a header line must follow"},
		{"body first", "@body\n", "t.txt:1: a body (@file) must follow"},
		{"missing body", "GET http://x/\n@nope\n", "t.txt:2: body: no body files here"},
		{"bad method", "G3T http://x/\n", "t.txt:1: \"G3T\" is not an HTTP method"},
		{"empty", "# nothing\n", "t.txt: no targets"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseTargets(strings.NewReader(tc.in), "t.txt", noBodies)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error %v, want one starting %q", err, tc.want)
			}
		})
	}
}

func TestReadTargetsFileBodyBesideIt(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "b.bin"), []byte("payload"), 0o644)
	os.WriteFile(filepath.Join(dir, "targets"), []byte("PUT http://127.0.0.1:1/x\n@b.bin\n"), 0o644)
	ts, err := ReadTargetsFile(filepath.Join(dir, "targets"))
	if err != nil || string(ts[0].Body) != "payload" {
		t.Fatalf("ReadTargetsFile = %v, %v", ts, err)
	}
}

func TestParseTarget(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:1/a":       "GET http://127.0.0.1:1/a",
		"post http://127.0.0.1:1/a":  "POST http://127.0.0.1:1/a",
		"  DELETE  https://h/x?y=1 ": "DELETE https://h/x?y=1",
	} {
		if tg, err := ParseTarget(in); err != nil || tg.String() != want {
			t.Errorf("ParseTarget(%q) = %v, %v; want %s", in, tg, err, want)
		}
	}
	for _, in := range []string{"", "GET", "127.0.0.1:8080/x", "ftp://h/x", "GET http://h/ extra"} {
		if _, err := ParseTarget(in); err == nil {
			t.Errorf("ParseTarget(%q) succeeded", in)
		}
	}
}

// FuzzParseTargets: any input parses or fails with an error, never a
// panic; what parses writes back to the same targets.
func FuzzParseTargets(f *testing.F) {
	f.Add("GET http://h/a\nX: 1\n@b\n\nPOST https://h/b\n")
	f.Add("# c\n\n\nGET http://h/\n")
	f.Fuzz(func(t *testing.T, in string) {
		ts, err := ParseTargets(strings.NewReader(in), "f", func(string) ([]byte, error) { return []byte("b"), nil })
		if err != nil {
			return
		}
		var b strings.Builder
		for _, tg := range ts {
			b.WriteString(tg.String() + "\n")
			for k, vs := range tg.Header {
				for _, v := range vs {
					b.WriteString(k + ": " + v + "\n")
				}
			}
			if tg.Body != nil {
				b.WriteString("@b\n")
			}
		}
		again, err := ParseTargets(strings.NewReader(b.String()), "f", func(string) ([]byte, error) { return []byte("b"), nil })
		if err != nil || len(again) != len(ts) {
			t.Fatalf("re-parse of %q: %v, %d targets, want %d", b.String(), err, len(again), len(ts))
		}
		for i := range ts {
			if again[i].String() != ts[i].String() || len(again[i].Header) != len(ts[i].Header) {
				t.Fatalf("target %d: %v then %v", i, ts[i], again[i])
			}
		}
	})
}
