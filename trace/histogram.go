package trace

import (
	"math"
	"math/bits"
	"time"
)

// Histogram counts durations in log-linear buckets, like an HdrHistogram with
// two significant digits: values below 256ns have a bucket each, and every
// power of two above is split into 128 buckets, so a bucket is at most 1/128
// (0.8%) of its values wide. Its memory is bounded (at most 7,168 buckets,
// allocated only between the smallest and largest value seen) however many
// values it counts.
//
// The zero Histogram is empty and ready to use. Copies share their buckets
// until one of them records a value (copy-on-write), which is what lets a
// snapshot hand out a collector's histograms without copying them.
type Histogram struct {
	counts   []uint64 // counts[i] is bucket base+i
	base     int
	n        uint64
	min, max int64
	sum      float64
	owned    bool // counts is not shared with a copy
}

// Bucket is one histogram bucket: Count values in [Low, High).
type Bucket struct {
	Low, High time.Duration
	Count     uint64
}

const (
	histSubBits   = 7                // 128 buckets per power of two
	histSub       = 1 << histSubBits // buckets per power of two
	histLinear    = 2 * histSub      // values below this have a bucket each
	histMaxValue  = int64(1)<<62 - 1 // larger values are counted here
	histMaxBucket = histLinear + (62-histSubBits-1)*histSub - 1
)

// bucketOf returns v's bucket index; v must be in [0, histMaxValue].
func bucketOf(v int64) int {
	if v < histLinear {
		return int(v)
	}
	shift := bits.Len64(uint64(v)) - histSubBits - 1
	return histLinear + (shift-1)*histSub + int(v>>shift) - histSub
}

// bucketBounds returns bucket i's range [low, high).
func bucketBounds(i int) (low, high int64) {
	if i < histLinear {
		return int64(i), int64(i) + 1
	}
	shift := (i-histLinear)/histSub + 1
	low = int64(histSub+(i-histLinear)%histSub) << shift
	return low, low + int64(1)<<shift
}

// Record counts one duration. Negative durations count as 0 and durations
// above 2^62ns as 2^62ns.
func (h *Histogram) Record(d time.Duration) {
	v := min(max(int64(d), 0), histMaxValue)
	i := bucketOf(v)
	h.grow(i)
	h.counts[i-h.base]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	if h.n == 0 || v > h.max {
		h.max = v
	}
	h.n++
	h.sum += float64(v)
}

// grow makes counts cover bucket i and owned by h.
func (h *Histogram) grow(i int) {
	if len(h.counts) == 0 {
		h.counts, h.base, h.owned = make([]uint64, 1, 16), i, true
		return
	}
	lo, hi := h.base, h.base+len(h.counts)
	if i >= lo && i < hi {
		if !h.owned {
			h.counts, h.owned = append([]uint64(nil), h.counts...), true
		}
		return
	}
	// Grow by at least half again, so a value drifting away costs
	// amortised O(1) copies.
	slack := max(len(h.counts)/2, 8)
	nlo, nhi := lo, hi
	if i < lo {
		nlo = max(i-slack, 0)
	} else {
		nhi = min(i+1+slack, histMaxBucket+1)
	}
	c := make([]uint64, nhi-nlo)
	copy(c[lo-nlo:], h.counts)
	h.counts, h.base, h.owned = c, nlo, true
}

// share marks h's buckets as shared with a copy about to be made.
func (h *Histogram) share() { h.owned = false }

// Count is the number of values recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Min is the smallest value recorded, 0 if none.
func (h *Histogram) Min() time.Duration { return time.Duration(h.min) }

// Max is the largest value recorded, 0 if none.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max) }

// Mean is the average value recorded, 0 if none.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(math.Round(h.sum / float64(h.n)))
}

// Quantile returns the value below which a fraction q of the values lie
// (q is clamped to [0, 1]): the middle of the bucket holding the value of
// rank ceil(q*Count), within [Min, Max]. Quantile(0) is Min and Quantile(1)
// is Max. It returns 0 for an empty histogram.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	if !(q > 0) { // also NaN
		return h.Min()
	}
	if q >= 1 {
		return h.Max()
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = max(rank, 1)
	var seen uint64
	for j, c := range h.counts {
		seen += c
		if seen >= rank {
			low, high := bucketBounds(h.base + j)
			mid := low + (high-1-low)/2
			return time.Duration(min(max(mid, h.min), h.max))
		}
	}
	return h.Max()
}

// Buckets returns the non-empty buckets in increasing order.
func (h *Histogram) Buckets() []Bucket {
	var out []Bucket
	for j, c := range h.counts {
		if c == 0 {
			continue
		}
		low, high := bucketBounds(h.base + j)
		out = append(out, Bucket{Low: time.Duration(low), High: time.Duration(high), Count: c})
	}
	return out
}
