package units

import (
	"strconv"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
	}{
		{"512MiB", 512 << 20}, {"2GiB", 2 << 30}, {"1e9", 1e9}, {"1048576", 1 << 20},
		{"1.5GB", 1.5e9}, {"64K", 64 << 10}, {"10 MiB", 10 << 20}, {"0", 0}, {"7B", 7},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "lots", "MiB", "-1GiB", "1e400", "NaN", "12XB"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) succeeded", bad)
		}
	}
}

func TestParseGOGCAndMemLimit(t *testing.T) {
	if v, err := ParseGOGC("OFF"); err != nil || v != "off" {
		t.Errorf("ParseGOGC(OFF) = %q, %v", v, err)
	}
	if v, err := ParseGOGC("050"); err != nil || v != "50" {
		t.Errorf("ParseGOGC(050) = %q, %v", v, err)
	}
	for _, bad := range []string{"", "-1", "fast", "1.5"} {
		if _, err := ParseGOGC(bad); err == nil || !strings.Contains(err.Error(), "off") {
			t.Errorf("ParseGOGC(%q): %v", bad, err)
		}
	}
	if v, err := ParseMemLimit("512MiB"); err != nil || v != "536870912" {
		t.Errorf("ParseMemLimit(512MiB) = %q, %v", v, err)
	}
	if _, err := ParseMemLimit("0"); err == nil {
		t.Error("ParseMemLimit(0) succeeded")
	}
	// The runtime throws at start-up on a GOMEMLIMIT above MaxInt64.
	for _, s := range []string{"1e19", "9223372036854775808", "8EiB", "16384PiB", "9000000TiB"} {
		if v, err := ParseMemLimit(s); err == nil {
			t.Errorf("ParseMemLimit(%s) = %q, want an error: the runtime rejects it", s, v)
		}
	}
	if v, err := ParseMemLimit("9223372036854775807"); err != nil || v != "9223372036854775807" {
		t.Errorf("ParseMemLimit(MaxInt64) = %q, %v", v, err)
	}
}

// FuzzParse checks the flag parsers accept only what they can give back in
// range: a size that round-trips through its decimal form, a GOMEMLIMIT the
// runtime can read (1 to MaxInt64 bytes, or off), a GOGC that is off or a
// non-negative integer.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"512MiB", "2GiB", "1e9", "off", "OFF", " 64K ", "1.5GB", "-1", "1e19", "NaN", "Inf", "0x10", "100", "+7", "0", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := ParseSize(s); err == nil {
			if m, err := ParseSize(strconv.FormatUint(n, 10)); err != nil || m != n {
				t.Errorf("ParseSize(%q) = %d, which reads back as %d, %v", s, n, m, err)
			}
		}
		if v, err := ParseMemLimit(s); err == nil && v != Off {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				t.Errorf("ParseMemLimit(%q) = %q: not a GOMEMLIMIT the runtime reads", s, v)
			}
		}
		if v, err := ParseGOGC(s); err == nil && v != Off {
			if n, err := strconv.Atoi(v); err != nil || n < 0 || strconv.Itoa(n) != v {
				t.Errorf("ParseGOGC(%q) = %q", s, v)
			}
		}
	})
}

func TestFormat(t *testing.T) {
	tests := []struct{ got, want string }{
		{Bytes(512), "512 B"},
		{Bytes(1536), "1.50 KiB"},
		{Bytes(23.4 * (1 << 20)), "23.4 MiB"},
		{Bytes(1 << 30), "1.00 GiB"},
		{Bytes(-2048), "-2.00 KiB"},
		{Seconds(850e-9), "850 ns"},
		{Seconds(12.34e-6), "12.3 µs"},
		{Seconds(0.00105), "1.05 ms"},
		{Seconds(4.2), "4.20 s"},
		{Seconds(125), "2m5s"},
		{Seconds(0), "0 s"},
		{Percent(0.231), "23.1%"},
		{Percent(0.0004), "0.04%"},
		{Percent(0.99996), "100%"},
		{Percent(0.09999), "10.0%"},
		{Seconds(0.0099999), "10.0 ms"},
		{Bytes(1023.99 * (1 << 20)), "1024 MiB"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestNumber(t *testing.T) {
	for in, want := range map[float64]string{12: "12", 3.5: "3.50", 20000: "20.0k", 1.25e6: "1.25M", 999: "999", 0: "0", 0.123: "0.12"} {
		if got := Number(in); got != want {
			t.Errorf("Number(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestSample(t *testing.T) {
	for _, tc := range []struct {
		v    int64
		unit string
		want string
	}{
		{1536, "bytes", "1.50 KiB"},
		{2500, "nanoseconds", "2.50 µs"},
		{2500, "microseconds", "2.50 ms"},
		{2500, "milliseconds", "2.50 s"},
		{3, "seconds", "3.00 s"},
		{12345, "count", "12345"},
	} {
		if got := Sample(tc.v, tc.unit); got != tc.want {
			t.Errorf("Sample(%d, %q) = %q, want %q", tc.v, tc.unit, got, tc.want)
		}
	}
}

func TestExactBytes(t *testing.T) {
	for in, want := range map[string]string{"536870912": "512MiB", "1073741824": "1GiB", "1000": "1000B", "0": "0B", "off": "off", "1536": "1536B", "3072": "3KiB"} {
		if got := ExactBytes(in); got != want {
			t.Errorf("ExactBytes(%q) = %q, want %q", in, got, want)
		}
	}
}
