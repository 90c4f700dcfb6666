package record

import (
	"bytes"
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestShiftMovesEveryTime(t *testing.T) {
	e := Event{T: 1, GC: &GC{StartSeconds: 0.5, EndSeconds: 0.9}}
	Shift(&e, 10)
	if e.T != 11 || e.GC.StartSeconds != 10.5 || e.GC.EndSeconds != 10.9 {
		t.Errorf("gc: %+v %+v", e, *e.GC)
	}
	e = Event{T: 2, GC: &GC{EndSeconds: 1.9}}
	Shift(&e, 10)
	if e.GC.StartSeconds != 0 || e.GC.EndSeconds != 11.9 {
		t.Errorf("an unmeasured start must stay unmeasured: %+v", *e.GC)
	}
	e = Event{T: 3, Latency: &Latency{Slowest: []Request{{StartSeconds: 2.5, LatencySeconds: 0.1}}}}
	Shift(&e, -1)
	if r := e.Latency.Slowest[0]; e.T != 2 || r.StartSeconds != 1.5 || r.LatencySeconds != 0.1 {
		t.Errorf("latency: t=%v %+v", e.T, r)
	}
}

// setFloats sets every float64 reachable from v (a pointer) to x, allocating
// pointers and one-element slices on the way, and returns how many it set.
func setFloats(v reflect.Value, x float64) int {
	switch v.Kind() {
	case reflect.Float64:
		v.SetFloat(x)
		return 1
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return setFloats(v.Elem(), x)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		return setFloats(v.Index(0), x)
	case reflect.Struct:
		n := 0
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				n += setFloats(v.Field(i), x)
			}
		}
		return n
	}
	return 0
}

// TestFiniteFindsEveryFloat: every float field of every event kind, present
// and future, is made finite, and the original is left alone.
func TestFiniteFindsEveryFloat(t *testing.T) {
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		var e Event
		n := setFloats(reflect.ValueOf(&e), x)
		if n < 20 {
			t.Fatalf("only %d float fields set", n)
		}
		got := Finite(e)
		if p := e.Latency.Slowest[0].StartSeconds; !(p == x || math.IsNaN(x) && math.IsNaN(p)) {
			t.Errorf("Finite changed its argument: %v", p)
		}
		var bad []string
		var check func(v reflect.Value, path string)
		check = func(v reflect.Value, path string) {
			switch v.Kind() {
			case reflect.Float64:
				if v.Float() != 0 {
					bad = append(bad, path)
				}
			case reflect.Pointer:
				if !v.IsNil() {
					check(v.Elem(), path)
				}
			case reflect.Slice:
				for i := 0; i < v.Len(); i++ {
					check(v.Index(i), path)
				}
			case reflect.Struct:
				for i := 0; i < v.NumField(); i++ {
					if v.Type().Field(i).IsExported() {
						check(v.Field(i), path+"."+v.Type().Field(i).Name)
					}
				}
			}
		}
		check(reflect.ValueOf(got), "Event")
		if len(bad) > 0 {
			t.Errorf("Finite left %v in %v", x, bad)
		}
	}
	if got := Finite(2.5); got != 2.5 {
		t.Errorf("Finite(2.5) = %v", got)
	}
}

func TestLineReader(t *testing.T) {
	long := strings.Repeat("x", 40)
	lr := NewLineReader(strings.NewReader("a\n"+long+"\nb\r\n"+long+"\nc"), 16)
	type step struct {
		line string
		err  error
	}
	want := []step{{"a\n", nil}, {long[:16], ErrLineTooLong}, {"b\r\n", nil}, {long[:16], ErrLineTooLong}, {"c", io.EOF}, {"", io.EOF}}
	for i, w := range want {
		got, err := lr.Next()
		if string(got) != w.line || !errors.Is(err, w.err) {
			t.Fatalf("line %d: %q, %v; want %q, %v", i, got, err, w.line, w.err)
		}
		if i == 3 {
			var rest bytes.Buffer
			if err := lr.CopyRest(&rest); err != nil || rest.String() != long[16:]+"\n" {
				t.Fatalf("CopyRest: %q, %v", rest.String(), err)
			}
		}
	}
}

func TestCheckSchema(t *testing.T) {
	for s, ok := range map[string]bool{"gcprobe.run/v1": true, "gcprobe.run/v1.3": true, "gcprobe.run/v2": false, "": false, "other/v1": false} {
		if err := CheckSchema(s); (err == nil) != ok {
			t.Errorf("CheckSchema(%q) = %v", s, err)
		}
	}
}

func TestBucketUpper(t *testing.T) {
	if u := (Bucket{Lo: 1, Hi: 0}).Upper(); !math.IsInf(u, 1) {
		t.Errorf("open-ended bucket: %v", u)
	}
	if u := (Bucket{Lo: 0, Hi: 0}).Upper(); u != 0 {
		t.Errorf("empty bucket: %v", u)
	}
	if u := (Bucket{Lo: 1, Hi: 2}).Upper(); u != 2 {
		t.Errorf("bucket: %v", u)
	}
}
