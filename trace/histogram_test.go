package trace

import (
	"math"
	"testing"
	"time"
)

func TestHistogramBuckets(t *testing.T) {
	for _, v := range []int64{0, 1, 255, 256, 257, 511, 512, 1000, 123456789, histMaxValue} {
		i := bucketOf(v)
		low, high := bucketBounds(i)
		if v < low || v >= high {
			t.Errorf("value %d in bucket %d = [%d, %d)", v, i, low, high)
		}
		if v >= histLinear && float64(high-low) > float64(low)/histSub {
			t.Errorf("bucket [%d, %d) is wider than 1/%d of its values", low, high, histSub)
		}
		if i > histMaxBucket {
			t.Errorf("value %d in bucket %d beyond the last, %d", v, i, histMaxBucket)
		}
	}
	for i := 1; i <= histMaxBucket; i++ { // buckets tile the range
		_, prevHigh := bucketBounds(i - 1)
		if low, _ := bucketBounds(i); low != prevHigh {
			t.Fatalf("bucket %d starts at %d, the previous ends at %d", i, low, prevHigh)
		}
	}
}

func TestHistogramStatistics(t *testing.T) {
	tests := []struct {
		name   string
		values []time.Duration
		q      float64
		want   time.Duration
		tol    float64 // relative
	}{
		{"empty", nil, 0.5, 0, 0},
		{"one value", []time.Duration{42}, 0.5, 42, 0},
		{"small values are exact", []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.9, 9, 0},
		{"q=0 is the minimum", []time.Duration{time.Millisecond, time.Second}, 0, time.Millisecond, 0},
		{"q=1 is the maximum", []time.Duration{time.Millisecond, time.Second}, 1, time.Second, 0},
		{"median of 1..1000µs", seq(1000, time.Microsecond), 0.5, 500 * time.Microsecond, 0.01},
		{"p99 of 1..1000µs", seq(1000, time.Microsecond), 0.99, 990 * time.Microsecond, 0.01},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Histogram
			for _, v := range tt.values {
				h.Record(v)
			}
			got := h.Quantile(tt.q)
			if math.Abs(float64(got-tt.want)) > tt.tol*float64(tt.want) {
				t.Errorf("Quantile(%v) = %v, want %v ± %v%%", tt.q, got, tt.want, tt.tol*100)
			}
			if h.Count() != uint64(len(tt.values)) {
				t.Errorf("Count = %d, want %d", h.Count(), len(tt.values))
			}
			var n uint64
			for _, b := range h.Buckets() {
				n += b.Count
			}
			if n != h.Count() {
				t.Errorf("buckets hold %d values, Count is %d", n, h.Count())
			}
		})
	}
	var h Histogram
	for _, v := range []time.Duration{-5, 10, 20, 30} {
		h.Record(v)
	}
	if h.Min() != 0 || h.Max() != 30 || h.Mean() != 15 {
		t.Errorf("min %v max %v mean %v, want 0 (a negative value counts as 0), 30, 15", h.Min(), h.Max(), h.Mean())
	}
}

func seq(n int, unit time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(i+1) * unit
	}
	return out
}

func TestHistogramMemoryIsBounded(t *testing.T) {
	var h Histogram
	for i := range 1_000_000 {
		h.Record(time.Duration(uint64(i) * 2654435761 % (1 << 62)))
	}
	if n := len(h.counts); n > histMaxBucket+1 {
		t.Errorf("%d buckets allocated, at most %d exist", n, histMaxBucket+1)
	}
	if h.Count() != 1_000_000 {
		t.Errorf("count = %d", h.Count())
	}
}

func TestHistogramCopyOnWrite(t *testing.T) {
	var a Histogram
	a.Record(100)
	a.share()
	b := a
	b.Record(100)
	b.Record(time.Hour)
	if a.Count() != 1 || len(a.Buckets()) != 1 || a.Buckets()[0].Count != 1 {
		t.Errorf("the original changed when its copy recorded: %+v", a.Buckets())
	}
	a.Record(100)
	if b.Buckets()[0].Count != 2 {
		t.Errorf("the copy changed when the original recorded: %+v", b.Buckets())
	}
}
