package gctrace

import "testing"

// BenchmarkParse measures one line per op, so ns/op is ns per line.
// "mixed" is a log as gcprobe run sees it: cycle lines among program output,
// scavenger lines and a GC forced notice.
func BenchmarkParse(b *testing.B) {
	const cycle = "gc 31 @62.003s 3%: 0.040+3.1+0.052 ms clock, 0.080+0.21/5.9/0.12+0.10 ms cpu, 18->19->9 MB, 19 MB goal, 0 MB stacks, 2 MB globals, 2 P"
	cases := []struct {
		name  string
		lines []string
	}{
		{"cycle", []string{cycle}},
		{"cycle-go1.5", []string{"gc #1 @0.042s 4%: 0.051+1.1+0.026+16+0.43 ms clock, 0.10+1.1+0+2.0/6.7/0+0.86 ms cpu, 4->32->10 MB, 4 MB goal, 4 P"}},
		{"cycle-prefixed", []string{"2024-05-01T10:00:00.123456789Z stderr F " + cycle}},
		{"other", []string{`time=2024-05-01T10:00:00.123Z level=INFO msg="request served" path=/api/v1/users status=200 duration=12.5ms`}},
		{"mixed", []string{
			cycle,
			`time=2024-05-01T10:00:00.123Z level=INFO msg="request served" path=/api/v1/users status=200 duration=12.5ms`,
			"[pod-abc] " + cycle,
			"scav 0 KiB work (bg), 64 KiB work (eager), 4096 KiB now, 98% util",
			"GC forced",
			"2024-05-01 10:00:01 worker 3 finished batch 1234 (gc-friendly path)",
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			lines := make([][]byte, len(c.lines))
			size := 0
			for i, l := range c.lines {
				lines[i] = []byte(l)
				size += len(l)
			}
			b.SetBytes(int64(size / len(lines)))
			b.ReportAllocs()
			p := NewParser()
			n := 0
			for b.Loop() {
				p.Parse(lines[n%len(lines)])
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
