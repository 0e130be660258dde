package ps2

// Status register bits, read from port 0x64. The guest polls OBF before it
// reads port 0x60 and IBF before it writes either port.
const (
	StatusOBF     = 0x01 // output buffer full: port 0x60 holds a byte for the guest
	StatusIBF     = 0x02 // input buffer full: the controller has not yet taken the last write (never set here: writes are taken at once)
	StatusSYS     = 0x04 // system flag: set once the controller's self test has passed
	StatusA2      = 0x08 // command/data: the last write went to port 0x64 (1) or port 0x60 (0)
	StatusINH     = 0x10 // keyboard not inhibited: the keylock switch is open (always set here)
	StatusAUXB    = 0x20 // the byte in the output buffer came from the aux (mouse) port
	StatusTimeout = 0x40 // general timeout: the device on the port did not answer
	StatusParity  = 0x80 // parity error on the last byte from the device (never set here)
)

// Configuration byte ("command byte") bits, read with controller command 0x20
// and written with 0x60 followed by the byte on port 0x60.
const (
	ConfigINT        = 0x01 // raise IRQ 1 while the output buffer holds keyboard-port data
	ConfigINT2       = 0x02 // raise IRQ 12 while the output buffer holds aux-port data
	ConfigSYS        = 0x04 // system flag as last written by the firmware
	ConfigIgnoreLock = 0x08 // ignore the keylock switch (AT only)
	ConfigDisableKbd = 0x10 // keyboard interface disabled: its clock is held low, its bytes wait
	ConfigDisableAux = 0x20 // aux interface disabled
	ConfigXLATE      = 0x40 // translate keyboard bytes from scan code set 2 to set 1
)

// Controller commands, written to port 0x64.
const (
	CmdReadConfig   = 0x20 // read the configuration byte: it arrives on port 0x60
	CmdWriteConfig  = 0x60 // write the configuration byte: the guest then writes it to port 0x60
	CmdDisableAux   = 0xA7 // disable the aux interface (sets ConfigDisableAux)
	CmdEnableAux    = 0xA8 // enable the aux interface (clears ConfigDisableAux)
	CmdTestAux      = 0xA9 // aux interface test: 0x00 means the clock and data lines are fine
	CmdSelfTest     = 0xAA // controller self test: 0x55 means passed
	CmdTestKbd      = 0xAB // keyboard interface test: 0x00 means the clock and data lines are fine
	CmdDisableKbd   = 0xAD // disable the keyboard interface (sets ConfigDisableKbd)
	CmdEnableKbd    = 0xAE // enable the keyboard interface (clears ConfigDisableKbd)
	CmdReadInput    = 0xC0 // read the input port (P1)
	CmdReadOutput   = 0xD0 // read the output port (P2)
	CmdWriteOutput  = 0xD1 // write the output port: the guest then writes it to port 0x60
	CmdWriteKbdOut  = 0xD2 // put the next port 0x60 byte in the output buffer as if from the keyboard
	CmdWriteAuxOut  = 0xD3 // put the next port 0x60 byte in the output buffer as if from the aux device
	CmdWriteAux     = 0xD4 // send the next port 0x60 byte to the aux device
	CmdDisableA20   = 0xDD // clear the A20 bit of the output port (HP Vectra)
	CmdEnableA20    = 0xDF // set the A20 bit of the output port (HP Vectra)
	CmdPulseOutput  = 0xF0 // 0xF0-0xFF: pulse low the output port bits 0-3 whose command bits are 0
	CmdPulseReset   = 0xFE // pulse output port bit 0 alone: reset the CPU
	pulseOutputMask = 0xF0 // the high nibble that marks a pulse command
)

// Output port (P2) bits, read with 0xD0 and written with 0xD1.
const (
	OutputReset  = 0x01 // system reset line, active low: writing 0 resets the machine
	OutputA20    = 0x02 // A20 gate: address line 20 passes through when set
	OutputKbdOBF = 0x10 // output buffer full with keyboard data (wired to IRQ 1)
	OutputAuxOBF = 0x20 // output buffer full with aux data (wired to IRQ 12)
	outputOnes   = 0xCC // bits that read as 1 on QEMU's controller (keyboard clock/data, unused)
)

// InputPortValue is what command 0xC0 returns: bit 7 set means the keylock
// switch does not inhibit the keyboard (the value QEMU returns).
const InputPortValue = 0x80

// Controller answers.
const (
	SelfTestPassed = 0x55 // answer to CmdSelfTest
	InterfaceOK    = 0x00 // answer to CmdTestKbd and CmdTestAux
)

// Keyboard commands, written to port 0x60 while no controller command awaits
// a parameter.
const (
	KbdSetLEDs      = 0xED // set LEDs: ACK, then the LED byte (bit 0 scroll, 1 num, 2 caps), ACK
	KbdEcho         = 0xEE // echo: answers 0xEE, no ACK
	KbdScanCodeSet  = 0xF0 // get/set scan code set: ACK, then 0 (get: ACK, set) or 1-3 (set: ACK)
	KbdIdentify     = 0xF2 // identify: ACK, 0xAB, 0x83 (an MF2 keyboard)
	KbdTypematic    = 0xF3 // set typematic rate and delay: ACK, then the rate byte, ACK
	KbdEnable       = 0xF4 // enable scanning: ACK
	KbdDisable      = 0xF5 // disable scanning and load defaults: ACK
	KbdSetDefaults  = 0xF6 // load defaults, scanning stays enabled: ACK
	KbdResend       = 0xFE // resend the last byte the keyboard sent
	KbdReset        = 0xFF // reset: ACK, then 0xAA when the basic assurance test passes
	kbdCommandFirst = 0xED // lowest keyboard command; a byte at or above it is never a parameter
)

// Keyboard answers.
const (
	KbdAck      = 0xFA // command acknowledged
	KbdBATOK    = 0xAA // basic assurance test passed, after power-on or KbdReset
	KbdID1      = 0xAB // first identify byte of an MF2 keyboard
	KbdID2      = 0x83 // second identify byte of an MF2 keyboard (0x41 after translation)
	KbdResendMe = 0xFE // "resend": the keyboard did not understand the byte
	kbdBreak    = 0xF0 // set-2 prefix: the next code is a key release
	kbdExtended = 0xE0 // prefix of the extended (grey) keys
	kbdPause    = 0xE1 // prefix of the Pause key's sequence
)

// Defaults a keyboard loads on power-on, KbdReset, KbdDisable and
// KbdSetDefaults.
const (
	DefaultScanSet   = 2    // scan code set 2
	DefaultTypematic = 0x2B // 10.9 characters per second after 500 ms
)

// AuxNoDevice is what the controller puts in the output buffer, as aux data
// with StatusTimeout, for a byte sent with CmdWriteAux: no mouse is attached.
const AuxNoDevice = 0xFE

// PowerOnConfig is the configuration byte New starts with: the one SeaBIOS
// writes last (keyboard IRQ enabled, aux port disabled, translation on).
const PowerOnConfig = ConfigINT | ConfigDisableAux | ConfigXLATE

// PowerOnOutputPort is the output port New starts with: reset line high, A20
// enabled, and the bits QEMU reads as ones.
const PowerOnOutputPort = OutputReset | OutputA20 | outputOnes
