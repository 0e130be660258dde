package rtc

// Port offsets from the RTC's base (0x70).
const (
	PortIndex = 0 // 0x70, write: bits 6-0 select a register, bit 7 disables NMI
	PortData  = 1 // 0x71: reads and writes the selected register
	nPorts    = 2
)

// IndexNMIDisable is bit 7 of a byte written to port 0x70. On a PC it is not
// part of the RTC: it gates the NMI line to the CPU, and every write of an
// index sets or clears it.
const IndexNMIDisable = 0x80

// indexMask selects one of the 128 registers and RAM bytes.
const indexMask = 0x7F

// Register numbers, as written to port 0x70. 0x00-0x0D are the MC146818's
// clock and control registers; the rest is battery-backed RAM, of which a PC
// gives a few bytes fixed meanings (below).
const (
	RegSeconds      = 0x00 // 0-59
	RegSecondsAlarm = 0x01 // 0-59, or 0xC0-0xFF: any second
	RegMinutes      = 0x02 // 0-59
	RegMinutesAlarm = 0x03 // 0-59, or 0xC0-0xFF: any minute
	RegHours        = 0x04 // 0-23, or 1-12 with bit 7 for PM in 12-hour mode
	RegHoursAlarm   = 0x05 // as RegHours, or 0xC0-0xFF: any hour
	RegDayOfWeek    = 0x06 // 1-7, Sunday is 1
	RegDayOfMonth   = 0x07 // 1-31
	RegMonth        = 0x08 // 1-12
	RegYear         = 0x09 // 0-99, the year within the century
	RegA            = 0x0A // status register A: UIP, divider, rate select
	RegB            = 0x0B // status register B: SET, interrupt enables, data mode
	RegC            = 0x0C // status register C: interrupt flags (read only, cleared by reading)
	RegD            = 0x0D // status register D: VRT (read only)
	RegCentury      = 0x32 // the IBM PC's century byte (19, 20), the one ACPI's FADT names
	nRegs           = 0x80
	firstRAM        = 0x0E // the first byte of general-purpose RAM
)

// Alarm registers match any value when their two top bits are set.
const alarmDontCare = 0xC0

// Status register A.
const (
	AUIP         = 0x80 // update in progress: the time registers change within 244 µs (read only)
	ADividerMask = 0x70 // DV2-DV0: the time base and divider chain
	ARateMask    = 0x0F // RS3-RS0: the periodic interrupt rate, 0 for none
	// Divider settings (DV2-DV0). A PC runs the chain from its 32.768 kHz
	// crystal; 11x holds the chain in reset, and leaving reset starts the
	// first second, so the first update comes 500 ms later.
	ADivider4MHz  = 0x00 // 4.194304 MHz time base (runs here as 32.768 kHz)
	ADivider1MHz  = 0x10 // 1.048576 MHz time base (runs here as 32.768 kHz)
	ADivider32kHz = 0x20 // 32.768 kHz time base: a PC's normal setting
	ADividerReset = 0x60 // DV2 and DV1 set: divider chain held in reset (DV0 is ignored)
	// ARate1024Hz is rate select 6, the PC's default: a periodic interrupt
	// every 976.5625 µs.
	ARate1024Hz = 0x06
)

// Status register B.
const (
	BSET  = 0x80 // halt updates so that software may set the time; clears UIE
	BPIE  = 0x40 // periodic interrupt enable
	BAIE  = 0x20 // alarm interrupt enable
	BUIE  = 0x10 // update-ended interrupt enable
	BSQWE = 0x08 // square-wave output enable (the pin is not connected on a PC)
	BDM   = 0x04 // data mode: 1 binary, 0 BCD (a PC uses BCD)
	B24H  = 0x02 // 1 for 24-hour mode, 0 for 12-hour mode with bit 7 of the hours for PM
	BDSE  = 0x01 // daylight saving enable (US rules of 1986; not modelled: no effect here)
)

// Status register C: the interrupt flags. PF, AF and UF are set when their
// event happens, whether or not its interrupt is enabled; IRQF is set while
// an enabled flag is set, and is what drives IRQ 8. Reading C clears them all.
const (
	CIRQF = 0x80 // an enabled interrupt is pending: IRQ 8 is asserted
	CPF   = 0x40 // a periodic interrupt edge happened
	CAF   = 0x20 // the time matched the alarm at an update
	CUF   = 0x10 // an update cycle ended
	cFlag = CPF | CAF | CUF
)

// Status register D.
const (
	DVRT = 0x80 // valid RAM and time: the battery is good (always, here)
)

// PC CMOS RAM bytes the board fills: the memory sizes the BIOS reports
// (base and extended memory in KiB, memory above 16 MiB in 64 KiB blocks,
// all little-endian), the standard checksum, and the century.
const (
	CMOSShutdownStatus = 0x0F // why the CPU was reset (0 on power-on); 0x0A: jump through 40:67 (the SMP warm-reset path)
	CMOSBaseMemLo      = 0x15 // base memory in KiB (640), low byte
	CMOSBaseMemHi      = 0x16
	CMOSExtMemLo       = 0x17 // memory from 1 MiB to 65 MiB, in KiB, low byte
	CMOSExtMemHi       = 0x18
	CMOSChecksumHi     = 0x2E // sum of bytes 0x10-0x2D, high byte first
	CMOSChecksumLo     = 0x2F
	CMOSExtMemPostLo   = 0x30 // the same extended memory as 0x17-0x18, as POST found it
	CMOSExtMemPostHi   = 0x31
	CMOSHighMemLo      = 0x34 // memory from 16 MiB to 4 GiB, in 64 KiB blocks (SeaBIOS, QEMU)
	CMOSHighMemHi      = 0x35
	CMOSAbove4GLo      = 0x5B // memory above 4 GiB, in 64 KiB blocks, three bytes (SeaBIOS, QEMU)
	CMOSAbove4GMid     = 0x5C
	CMOSAbove4GHi      = 0x5D
	checksumFirst      = 0x10
	checksumLast       = 0x2D
)
