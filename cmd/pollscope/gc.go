package main

import (
	"os"
	"runtime/debug"
)

// gcPercent is the garbage collector's target the command runs with
// unless $GOGC says otherwise.
//
// Every collection stops the world twice, and on a loaded 2-core host such
// a pause takes the vCPU thread away for 100-200 µs. On the software CPU a
// guest that times something against the TSC in real time sees that as a
// hiccup in its own clock: Linux's PIT calibration of the TSC
// (quick_pit_calibrate) needs a few milliseconds without one, and with
// Go's default target (the heap growing to twice its live size, 4 MiB at
// first) the decoder's allocations during early boot bring two or three
// collections into its window, so it failed in most runs ("tsc: Fast TSC
// calibration failed"). Guest RAM is not on the Go heap, so a larger
// target costs little memory: with 400 the first collection comes after
// 16 MiB of allocation, well after calibration (docs/linux.md).
const gcPercent = 400

func init() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}
