package trace

import (
	"fmt"

	"github.com/pollscope/pollscope/guest"
)

// ISAVectorBase is the vector of ISA IRQ 0: the demo kernel programs the
// PICs to deliver IRQ n at vector 32+n.
const ISAVectorBase = 32

// isaNames are the PC's conventional ISA IRQ lines.
var isaNames = [16]string{
	0: "timer", 1: "keyboard", 2: "cascade", 3: "serial COM2", 4: "serial COM1",
	5: "LPT2", 6: "floppy", 7: "LPT1", 8: "rtc", 9: "acpi", 10: "irq10", 11: "irq11",
	12: "mouse", 13: "fpu", 14: "ata primary", 15: "ata secondary",
}

// VectorName names an interrupt vector: "IRQ1 keyboard" for vector 33
// (ISA IRQ 1), "irq 200" for a vector outside the ISA range.
func VectorName(v uint8) string {
	if v >= ISAVectorBase && v < ISAVectorBase+16 {
		n := v - ISAVectorBase
		return fmt.Sprintf("IRQ%d %s", n, isaNames[n])
	}
	return fmt.Sprintf("irq %d", v)
}

// IRQLineName names an ISA IRQ line (a HostIRQRaise argument): "IRQ1
// keyboard".
func IRQLineName(line uint64) string {
	if line < 16 {
		return fmt.Sprintf("IRQ%d %s", line, isaNames[line])
	}
	return fmt.Sprintf("IRQ%d", line)
}

// WakeSourceKind says what woke a task: a task, an interrupt, or unknown
// (the trace ABI's wake source, package guest).
type WakeSourceKind = guest.WakeSourceKind

// The wake sources.
const (
	WakeUnknown   = guest.WakeUnknown
	WakeTask      = guest.WakeTask      // Wake.SourceID is the waking task's id
	WakeInterrupt = guest.WakeInterrupt // Wake.SourceID is the interrupt vector
)
