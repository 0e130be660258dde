package view

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// FormatDuration writes d with three significant digits in the unit that
// suits it: "850 ns", "1.25 µs", "12.5 µs", "125 ms", "3.20 s".
func FormatDuration(d time.Duration) string {
	if d < 0 {
		return "-" + FormatDuration(-d)
	}
	ns := float64(d)
	switch {
	case d < time.Microsecond:
		return strconv.FormatInt(int64(d), 10) + " ns"
	case d < time.Millisecond:
		return sig3(ns/1e3) + " µs"
	case d < time.Second:
		return sig3(ns/1e6) + " ms"
	case d < 1000*time.Second:
		return sig3(ns/1e9) + " s"
	}
	return strconv.FormatInt(int64(ns/1e9+0.5), 10) + " s"
}

// sig3 formats x (in [1, 1000)) with three significant digits. A value that
// rounds up to 1000 prints as "1000".
func sig3(x float64) string {
	switch {
	case x < 9.995:
		return strconv.FormatFloat(x, 'f', 2, 64)
	case x < 99.95:
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strconv.FormatFloat(x, 'f', 0, 64)
}

// FormatTime writes a trace time (ns since machine start) as seconds with
// microsecond precision: "12.345678 s".
func FormatTime(t int64) string {
	neg := ""
	if t < 0 {
		neg, t = "-", -t
	}
	return fmt.Sprintf("%s%d.%06d s", neg, t/1e9, (t%1e9)/1e3)
}

// FormatCount writes a count compactly: "999", "12.3k", "1.23M".
func FormatCount(n uint64) string {
	switch {
	case n < 1000:
		return strconv.FormatUint(n, 10)
	case n < 999_500:
		return sig3(float64(n)/1e3) + "k"
	case n < 999_500_000:
		return sig3(float64(n)/1e6) + "M"
	}
	return sig3(float64(n)/1e9) + "G"
}

// FormatRate writes a per-second rate compactly: "0/s", "950/s", "12.3k/s".
func FormatRate(r float64) string {
	if r < 0 || math.IsNaN(r) {
		r = 0
	}
	return FormatCount(uint64(r+0.5)) + "/s"
}

// FormatUptime writes a guest uptime: "12.3 s", "4m05s", "1h02m".
func FormatUptime(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
}
