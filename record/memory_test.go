package record

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestGoMemoryFromMemStats(t *testing.T) {
	ms := MemStats{HeapAlloc: 60, HeapInuse: 70, HeapIdle: 30, HeapReleased: 20, StackInuse: 8, StackSys: 9,
		MSpanInuse: 4, MSpanSys: 6, MCacheInuse: 1, MCacheSys: 2, BuckHashSys: 3, GCSys: 5, OtherSys: 7}
	m := GoMemoryFromMemStats(ms, FromMemStats)
	want := GoMemory{From: FromMemStats, HeapObjectsBytes: 60, HeapUnusedBytes: 10, HeapFreeBytes: 10, HeapReleasedBytes: 20,
		HeapStacksBytes: 8, OSStacksBytes: 1, MetadataMCacheInuseBytes: 1, MetadataMCacheFreeBytes: 1,
		MetadataMSpanInuseBytes: 4, MetadataMSpanFreeBytes: 2, MetadataOtherBytes: 5, ProfilingBucketsBytes: 3, OtherBytes: 7}
	if m != want {
		t.Errorf("got %+v\nwant %+v", m, want)
	}
	// MemStats.Sys is HeapSys (HeapInuse+HeapIdle) plus the other *Sys.
	if sys := uint64(70 + 30 + 9 + 6 + 2 + 3 + 5 + 7); m.TotalBytes() != sys {
		t.Errorf("total %d, Sys %d", m.TotalBytes(), sys)
	}
	// Gauges scraped a moment apart may disagree: never a wrapped uint64.
	if m := GoMemoryFromMemStats(MemStats{HeapAlloc: 10, HeapInuse: 5}, FromPrometheus); m.HeapUnusedBytes != 0 {
		t.Errorf("negative difference wrapped: %d", m.HeapUnusedBytes)
	}
}

func TestGoMemoryFieldsMatchClasses(t *testing.T) {
	var m GoMemory
	for i, f := range m.Fields() {
		*f = uint64(i + 1)
	}
	names := GoMemoryClasses()
	// Each field's JSON name is its class's path: heap/objects -> heap_objects_bytes.
	v := reflect.ValueOf(m)
	for i, name := range names {
		tag := strings.TrimSuffix(v.Type().Field(i+1).Tag.Get("json"), ",omitempty")
		path := strings.TrimSuffix(strings.TrimPrefix(name, "/memory/classes/"), ":bytes")
		if want := strings.NewReplacer("/", "_", "-", "_").Replace(path) + "_bytes"; tag != want {
			t.Errorf("field %d is %s, class %s", i, tag, name)
		}
		if v.Field(i+1).Uint() != uint64(i+1) {
			t.Errorf("Fields()[%d] does not point at field %s", i, tag)
		}
	}
	if got := PrometheusName(names[5]); got != "go_memory_classes_os_stacks_bytes" {
		t.Errorf("PrometheusName = %q", got)
	}
}

func TestMemoryRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Header{Source: SourceProbe, Start: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	in := Sample{RSSBytes: 100, GoMemory: &GoMemory{From: FromRuntimeMetrics, HeapReleasedBytes: 0, HeapObjectsBytes: 5},
		ProcMemory: &ProcMemory{RSSBytes: 100, AnonymousBytes: 90}}
	w.Write(Event{T: 1, Sample: &in})
	text := buf.String()
	run, err := Read(&buf, "mem")
	if err != nil {
		t.Fatal(err)
	}
	out := run.Events[0].Sample
	if !reflect.DeepEqual(*out.GoMemory, *in.GoMemory) || *out.ProcMemory != *in.ProcMemory {
		t.Errorf("round trip: %+v %+v", out.GoMemory, out.ProcMemory)
	}
	// A measured zero is written, not left out.
	if !strings.Contains(text, `"heap_released_bytes":0`) {
		t.Error("a zero class is not written")
	}
}
