package units

import (
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
