package pit

import (
	"math"
	"math/bits"
	"time"
)

// never is a tick that does not come.
const never = math.MaxUint64

// tickAt converts a time to the number of whole PIT input-clock periods since
// the clock's epoch: floor(t * Hz / 1e9) in 128-bit arithmetic, so that
// centuries of uptime convert exactly. Times before the epoch are tick 0.
func tickAt(t time.Duration) uint64 {
	if t <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(t), Hz)
	q, _ := bits.Div64(hi, lo, uint64(time.Second)) // hi < 2^21 < 1e9: no overflow
	return q
}

// timeOfTick returns the first time at which tickAt reaches n:
// ceil(n * 1e9 / Hz). Ticks beyond the range of time.Duration saturate.
func timeOfTick(n uint64) time.Duration {
	hi, lo := bits.Mul64(n, uint64(time.Second))
	if hi >= Hz {
		return math.MaxInt64
	}
	q, r := bits.Div64(hi, lo, Hz)
	if r != 0 {
		q++
	}
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(q)
}
