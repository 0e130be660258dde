package view

import (
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{0, "0 ns"},
		{850, "850 ns"},
		{1250, "1.25 µs"},
		{12_500, "12.5 µs"},
		{125_000, "125 µs"},
		{999_999, "1000 µs"},
		{1_250_000, "1.25 ms"},
		{202_631_689, "203 ms"},
		{3_200_000_000, "3.20 s"},
		{4_000 * time.Second, "4000 s"},
		{-1500, "-1.50 µs"},
	}
	for _, c := range cases {
		if got := FormatDuration(c.d); got != c.want {
			t.Errorf("FormatDuration(%d) = %q, want %q", c.d, got, c.want)
		}
	}
}

func TestFormatCountsAndTimes(t *testing.T) {
	cases := []struct{ got, want string }{
		{FormatCount(0), "0"},
		{FormatCount(999), "999"},
		{FormatCount(1234), "1.23k"},
		{FormatCount(12_345), "12.3k"},
		{FormatCount(5_000_000), "5.00M"},
		{FormatRate(969.4), "969/s"},
		{FormatRate(12_345), "12.3k/s"},
		{FormatTime(3_123_456_789), "3.123456 s"},
		{FormatUptime(12_340 * time.Millisecond), "12.3 s"},
		{FormatUptime(245 * time.Second), "4m05s"},
		{FormatUptime(3725 * time.Second), "1h02m"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestMetricsFit(t *testing.T) {
	m := Metrics{CharW: 7, LineH: 15}
	if got := m.Fit("heartbeat-250ms", 70); got != "heartbeat…" {
		t.Errorf("Fit = %q, want the first 9 characters and an ellipsis", got)
	}
	if got := m.Fit("worker", 70); got != "worker" {
		t.Errorf("Fit = %q, want it whole", got)
	}
	if got := m.TextWidth("µs·"); got != 21 {
		t.Errorf("TextWidth counts bytes, not characters: %v", got)
	}
}
