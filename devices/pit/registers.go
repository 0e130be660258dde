package pit

import "github.com/pollscope/pollscope/devices"

// Hz is the frequency of the PIT's input clock: the PC's 14.31818 MHz
// crystal divided by 12.
const Hz = 1193182

// Port offsets from the PIT's base (0x40).
const (
	PortCounter0 = 0 // 0x40: counter 0, OUT0 drives IRQ 0
	PortCounter1 = 1 // 0x41: counter 1, once the DRAM refresh timer
	PortCounter2 = 2 // 0x42: counter 2, GATE2 and OUT2 on port 0x61, drives the speaker
	PortControl  = 3 // 0x43: control word register (write only)
)

// Control word bits, written to port 0x43. Bits 7-6 select the counter (or,
// as 0b11, the read-back command); bits 5-4 the access mode (0b00 is the
// counter latch command); bits 3-1 the mode; bit 0 BCD counting.
const (
	CWSelectShift = 6    // SC1-SC0: counter 0, 1, 2, or read-back
	CWReadBack    = 0xC0 // SC1-SC0 = 0b11: the read-back command
	CWAccessShift = 4    // RW1-RW0
	CWAccessMask  = 0x30
	CWModeShift   = 1 // M2-M0
	CWModeMask    = 0x0E
	CWBCD         = 0x01 // count in four BCD decades instead of 16 binary bits
)

// Access modes (RW1-RW0), how a count is read and written through the
// counter's single 8-bit port.
const (
	AccessLatch = 0 // in a control word: latch the count instead
	AccessLSB   = 1 // the low byte only (the high byte is 0)
	AccessMSB   = 2 // the high byte only (the low byte is 0)
	AccessWord  = 3 // the low byte, then the high byte
)

// Counter modes (M2-M0). Modes 6 and 7 are modes 2 and 3.
const (
	ModeInterruptOnTC  = 0 // OUT low until the count reaches 0, then high; GATE low pauses
	ModeOneShot        = 1 // GATE's rising edge starts a low OUT pulse of count ticks
	ModeRateGenerator  = 2 // OUT low for one tick every count ticks; GATE low stops and resets
	ModeSquareWave     = 3 // OUT high for ceil(count/2) ticks, low for floor(count/2); GATE as mode 2
	ModeSoftwareStrobe = 4 // OUT low for the one tick at which the count written reaches 0
	ModeHardwareStrobe = 5 // as mode 4, started by GATE's rising edge
	modeRateGenerator2 = 6 // X10: mode 2 with M2 set
	modeSquareWave2    = 7 // X11: mode 3 with M2 set
)

// Read-back command bits (control word 0b11 in bits 7-6): latch the count
// and/or the status of any set of counters with one write.
const (
	ReadBackNoCount  = 0x20 // COUNT (active low): set means do not latch the counts
	ReadBackNoStatus = 0x10 // STATUS (active low): set means do not latch the statuses
	ReadBackCounter2 = 0x08 // CNT2: select counter 2
	ReadBackCounter1 = 0x04 // CNT1: select counter 1
	ReadBackCounter0 = 0x02 // CNT0: select counter 0
)

// Status byte bits, returned by a read after the read-back command latched
// the status.
const (
	StatusOUT       = 0x80 // the level of OUT
	StatusNullCount = 0x40 // the last count written has not reached the counting element yet
	StatusAccess    = 0x30 // RW1-RW0 as programmed
	StatusMode      = 0x0E // M2-M0 as programmed
	StatusBCD       = 0x01 // BCD counting
)

// Port 0x61, the PC's system control port B.
const (
	PortBGate2        = 0x01 // r/w: GATE of counter 2
	PortBSpeakerData  = 0x02 // r/w: AND OUT2 into the speaker (no sound here)
	PortBParityCheck  = 0x04 // r/w: disable RAM parity check NMI (no effect here)
	PortBChannelCheck = 0x08 // r/w: disable I/O channel check NMI (no effect here)
	PortBRefresh      = 0x10 // r/o: toggles at every DRAM refresh request, every 15.085 µs
	PortBOUT2         = 0x20 // r/o: the level of counter 2's OUT
	portBWritable     = 0x0F
)

// RefreshPeriod is how long port 0x61's refresh bit keeps each level: the
// refresh request period of a PC/AT, 18 PIT ticks.
const RefreshPeriod devices.Time = 15085
