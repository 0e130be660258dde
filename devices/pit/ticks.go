package pit

import (
	"math"
	"math/bits"

	"github.com/pollscope/pollscope/devices"
)

// second is one second of machine time.
const second = 1_000_000_000

// never is a tick that does not come.
const never = math.MaxUint64

// tickAt converts a time to the number of whole PIT input-clock periods since
// the clock's epoch: floor(t * Hz / 1e9) in 128-bit arithmetic, so that
// centuries of uptime convert exactly. Times before the epoch are tick 0.
func tickAt(t devices.Time) uint64 {
	if t <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(t), Hz)
	q, _ := bits.Div64(hi, lo, second) // hi < 2^21 < 1e9: no overflow
	return q
}

// timeOfTick returns the first time at which tickAt reaches n:
// ceil(n * 1e9 / Hz). Ticks beyond the range of devices.Time saturate.
func timeOfTick(n uint64) devices.Time {
	hi, lo := bits.Mul64(n, second)
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
	return devices.Time(q)
}
