package emulator

import "github.com/pollscope/pollscope/devices"

// maxOwedTicks bounds how many lost timer ticks the machine still delivers
// late: enough to ride out a host hiccup, not a flood after a long stall.
const maxOwedTicks = 64

// tickReinjector is the PIT's side of the timer service: it makes sure the
// guest gets every timer tick it programmed, as KVM's in-kernel PIT does in
// its default "reinject" mode.
//
// Ticks can be lost twice over: the host can wake late, and then the PIT
// folds several due edges into one (counting the rest as missed); or the
// guest can be slow to take them, and then an edge finds IRQ 0 already
// requested and the PIC latches nothing new. Either way the guest's tick
// count falls behind the programmed rate. The reinjector sits on the wire
// from OUT0 to IRQ 0, counts the ticks due (every rising edge the PIT drove,
// plus the edges it folded) and the ticks the guest took (INTA cycles for
// IRQ 0's vector); after each taken tick, while ticks are owed, it raises
// another edge, which the PIC delivers after the guest's EOI.
type tickReinjector struct {
	irq0   devices.IRQLine
	missed func() uint64 // the PIT's folded edges
	high   bool
	due    uint64 // rising edges driven
	acked  uint64 // ticks the guest acknowledged
}

func newTickReinjector(irq0 devices.IRQLine) *tickReinjector {
	return &tickReinjector{irq0: irq0, missed: func() uint64 { return 0 }}
}

// SetLevel is the PIT driving OUT0.
func (r *tickReinjector) SetLevel(high bool) {
	if high && !r.high {
		r.due++
	}
	r.high = high
	r.irq0.SetLevel(high)
}

// taken is called after an INTA that returned IRQ 0's vector.
func (r *tickReinjector) taken() {
	r.acked++
	due := r.due + r.missed()
	if due > r.acked+maxOwedTicks {
		r.acked = due - maxOwedTicks
	}
	if r.acked < due {
		r.irq0.SetLevel(false)
		r.irq0.SetLevel(true)
	}
}

// forgive drops the ticks owed so far: after a pause the guest's tick count
// skips the paused time, as after a host suspend.
func (r *tickReinjector) forgive() { r.acked = r.due + r.missed() }
