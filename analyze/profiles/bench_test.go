package profiles

import (
	"bytes"
	"regexp"
	"sync"
	"testing"

	"github.com/gcprobe/gcprobe/analyze/profiles/internal/synth"
	"github.com/google/pprof/profile"
)

// benchProfile is a synthetic 100k-sample heap profile, encoded once.
var benchProfile = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	if err := synth.Heap(100000, 1).Write(&b); err != nil {
		panic(err)
	}
	return b.Bytes()
})

// BenchmarkParse is the floor: parsing the profile, which Top needs first.
func BenchmarkParse(b *testing.B) {
	data := benchProfile()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("bench", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTop is Top alone, over the parsed profile.
func BenchmarkTop(b *testing.B) {
	p := mustParse(b, benchProfile())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Top(p, TopOptions{N: 20}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTopSerial is Top on one goroutine: a focus that matches
// everything turns the parallel shards off.
func BenchmarkTopSerial(b *testing.B) {
	p := mustParse(b, benchProfile())
	all := regexp.MustCompile(``)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Top(p, TopOptions{N: 20, Focus: all}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTopByLine is Top with the most keys.
func BenchmarkTopByLine(b *testing.B) {
	p := mustParse(b, benchProfile())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Top(p, TopOptions{By: ByLine, N: 20}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChurn is Churn alone, over the parsed profile.
func BenchmarkChurn(b *testing.B) {
	p := mustParse(b, benchProfile())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Churn(p, ChurnOptions{N: 20}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseAndTop is what gcprobe analyze does, to compare with
// BenchmarkParse.
func BenchmarkParseAndTop(b *testing.B) {
	data := benchProfile()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := Parse("bench", data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Top(p, TopOptions{N: 20}); err != nil {
			b.Fatal(err)
		}
	}
}

func mustParse(tb testing.TB, data []byte) *profile.Profile {
	tb.Helper()
	p, err := Parse("test", data)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}
