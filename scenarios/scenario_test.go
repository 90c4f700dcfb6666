package scenarios

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/record"
)

var testHost = record.Host{CPUs: 2, MemoryBytes: 8 << 30}

func TestNamesUniqueAndDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range List() {
		if s.Name == "" || strings.ContainsAny(s.Name, " \t") || seen[s.Name] {
			t.Errorf("bad or duplicate name %q", s.Name)
		}
		seen[s.Name] = true
		if s.Doc == "" || strings.Contains(s.Doc, "\n") || len(s.Doc) > 100 {
			t.Errorf("%s: doc must be one line of at most 100 characters: %q", s.Name, s.Doc)
		}
		if s.Prepare == nil {
			t.Errorf("%s: no Prepare", s.Name)
		}
		params := map[string]bool{}
		for _, p := range s.Params {
			if params[p.Name] || p.Usage == "" || p.Kind == "" {
				t.Errorf("%s: parameter %q duplicated or undocumented", s.Name, p.Name)
			}
			params[p.Name] = true
		}
		if !params[ParamDuration] {
			t.Errorf("%s: no --duration", s.Name)
		}
	}
	if len(seen) != 6 {
		t.Errorf("%d scenarios, want 6", len(seen))
	}
}

func TestDefaultsPrepare(t *testing.T) {
	for _, s := range List() {
		p, err := s.NewParams(nil, testHost)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Prepare(p); err != nil {
			t.Errorf("%s with its defaults: %v", s.Name, err)
		}
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		scenario string
		values   map[string]string
		want     string
	}{
		{"readstates", map[string]string{"rate": "0"}, "--rate must be above 0"},
		{"fanout", map[string]string{"rate": "-5"}, "--rate must be above 0"},
		{"readstates", map[string]string{"rate": "Inf"}, "--rate Inf: not a finite number"},
		{"fanout", map[string]string{"rate": "NaN"}, "--rate NaN: not a finite number"},
		{"jsonstream", map[string]string{"rate": "1e12"}, "--rate 1e12 is more than 1e+07 requests per second"},
		{"readstates", map[string]string{"rate": "0.01", "duration": "10s"}, "--rate 0.01 sends no request in the 7.5s measured after --warmup"},
		{"readstates", map[string]string{"depth": "5"}, "--depth does not apply to scenario readstates"},
		{"readstates", map[string]string{"entries": "3e9"}, "--entries"},
		{"readstates", map[string]string{"entries": "2e9"}, "--entries 2e9 needs about 438 GiB for the pointers layout and its store (235 B per entry)"},
		{"readstates", map[string]string{"layout": "arena"}, `--layout "arena"`},
		{"readstates", map[string]string{"duration": "10s", "warmup": "20s"}, "--warmup 20s must be at least 0 and shorter than --duration 10s"},
		{"binarytrees", map[string]string{"depth": "x"}, "--depth x: not a whole number"},
		{"binarytrees", map[string]string{"rate": "100"}, "--rate does not apply to scenario binarytrees"},
		{"jsonstream", map[string]string{"window": "0s"}, "--window must be above 0"},
		{"readstates", map[string]string{"workers": "100000000"}, "--workers 100000000: want 1 to 10000"},
		{"readstates", map[string]string{"garbage": "100000000000"}, "--garbage 100000000000: want 0 to 16777216 bytes"},
		{"fanout", map[string]string{"queue": "1000000000", "subscribers": "10000"}, "--queue 1000000000 needs about 19.3 PiB for 10000 full queues of 1024-byte messages"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			s, _ := Lookup(tt.scenario)
			p, err := s.NewParams(tt.values, record.Host{MemoryBytes: 16 << 30})
			if err == nil {
				_, err = s.Prepare(p)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestShortWarmupDefault(t *testing.T) {
	s, _ := Lookup("readstates")
	p, _ := s.NewParams(map[string]string{"duration": "2s"}, testHost)
	if l := p.Load(s); l.Warmup != 500e6 || p.Err() != nil {
		t.Fatalf("warmup %v (err %v), want a quarter of 2s", l.Warmup, p.Err())
	}
	if v := p.Values()[ParamWarmup]; v != "500ms" {
		t.Errorf("header would record warmup %q, want the 500ms that runs", v)
	}
	p, _ = s.NewParams(map[string]string{"duration": "2s", "warmup": "5s"}, testHost)
	if p.Load(s); p.Err() == nil {
		t.Error("an explicit --warmup longer than --duration was accepted")
	}
}

// TestScenariosRunInProcess runs every scenario briefly and small, and
// checks that it writes latency events and a result line.
func TestScenariosRunInProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("runs each scenario for a fraction of a second")
	}
	small := map[string]map[string]string{
		"readstates":  {"entries": "20000", "rate": "2000", "duration": "400ms"},
		"binarytrees": {"depth": "10"},
		"fanout":      {"rate": "1000", "subscribers": "4", "duration": "400ms", "pool": "true"},
		"jsonstream":  {"rate": "1000", "window": "100ms", "duration": "400ms"},
		"leak":        {"rate": "1000", "base": "1MiB", "duration": "400ms"},
		"steady":      {"rate": "1000", "base": "1MiB", "duration": "400ms"},
	}
	for _, s := range List() {
		t.Run(s.Name, func(t *testing.T) {
			p, err := s.NewParams(small[s.Name], testHost)
			if err != nil {
				t.Fatal(err)
			}
			run, err := s.Prepare(p)
			if err != nil {
				t.Fatal(err)
			}
			var rec, out bytes.Buffer
			w, _ := record.NewWriter(&rec, record.Header{Source: record.SourceScenario, Scenario: s.Name})
			if err := run(context.Background(), Env{Record: w, Out: &out}); err != nil {
				t.Fatal(err)
			}
			r, err := record.Read(&rec, s.Name)
			if err != nil {
				t.Fatal(err)
			}
			var requests uint64
			for _, e := range r.Events {
				if e.Latency != nil {
					requests += e.Latency.Count
				}
			}
			if requests == 0 || !strings.HasPrefix(out.String(), s.Name+":") && !strings.Contains(out.String(), "binarytrees:") {
				t.Fatalf("%d requests in the record; output %q", requests, out.String())
			}
		})
	}
}
