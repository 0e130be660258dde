// Package vga models the part of a VGA adapter a text-mode guest programs:
// the CRT controller's registers (index port 0x3D4, data port 0x3D5), which
// place the cursor and choose which cell of the text buffer is drawn top
// left, and a reader that turns the 80×25 text buffer at 0xB8000 into cells
// and Unicode text.
//
// The text buffer itself is ordinary guest RAM; the device never holds it.
// The host passes it to Snapshot whenever it wants to draw.
//
// A guest moves the cursor like this (Linux's vgacon, blog_os, most hobby
// kernels): it writes 0x0F to port 0x3D4 and the low byte of the cursor's
// cell index (row*80 + column) to 0x3D5, then 0x0E to 0x3D4 and the high
// byte to 0x3D5. It hides the cursor by writing 0x0A to 0x3D4 and a value
// with bit 5 set to 0x3D5. It scrolls without copying by writing a new start
// address to registers 0x0C (high) and 0x0D (low).
package vga

import "github.com/pollscope/pollscope/devices"

// Screen geometry of text mode 3.
const (
	Cols = 80 // character cells per row
	Rows = 25 // rows on the screen
)

// CRT controller register indexes, written to port 0x3D4 before the register
// is read or written through port 0x3D5.
const (
	RegHorizontalTotal         = 0x00 // character clocks per scan line, minus 5
	RegEndHorizontalDisplay    = 0x01 // last displayed character clock
	RegStartHorizontalBlanking = 0x02 // character clock where blanking starts
	RegEndHorizontalBlanking   = 0x03 // blanking end (bits 0-4) and display skew
	RegStartHorizontalRetrace  = 0x04 // character clock where retrace starts
	RegEndHorizontalRetrace    = 0x05 // retrace end, blanking end bit 5
	RegVerticalTotal           = 0x06 // scan lines per frame, minus 2 (low 8 bits)
	RegOverflow                = 0x07 // bit 8 (and 9) of the vertical counts
	RegPresetRowScan           = 0x08 // first scan line of the top row, byte panning
	RegMaximumScanLine         = 0x09 // scan lines per character row, minus 1
	RegCursorStart             = 0x0A // cursor's first scan line (bits 0-4), CursorDisable
	RegCursorEnd               = 0x0B // cursor's last scan line (bits 0-4), cursor skew
	RegStartAddressHigh        = 0x0C // cell index drawn top left, high byte
	RegStartAddressLow         = 0x0D // cell index drawn top left, low byte
	RegCursorLocationHigh      = 0x0E // cell index of the cursor, high byte
	RegCursorLocationLow       = 0x0F // cell index of the cursor, low byte
	RegVerticalRetraceStart    = 0x10 // scan line where vertical retrace starts
	RegVerticalRetraceEnd      = 0x11 // retrace end, ProtectRegs
	RegVerticalDisplayEnd      = 0x12 // last displayed scan line (low 8 bits)
	RegOffset                  = 0x13 // words between the starts of two rows, halved
	RegUnderlineLocation       = 0x14 // underline scan line, double-word mode
	RegStartVerticalBlanking   = 0x15 // scan line where vertical blanking starts
	RegEndVerticalBlanking     = 0x16 // scan line where vertical blanking ends
	RegModeControl             = 0x17 // word/byte mode, address wrap, sync enable
	RegLineCompare             = 0x18 // scan line where the split screen starts
	NumRegs                    = 0x19 // number of CRT controller registers
)

// Register bits with a meaning for text output.
const (
	CursorDisable     = 0x20 // RegCursorStart bit 5: the cursor is not drawn
	CursorLineMask    = 0x1F // RegCursorStart/RegCursorEnd bits 0-4: a scan line of the cell
	ProtectRegs       = 0x80 // RegVerticalRetraceEnd bit 7: registers 0x00-0x07 are read-only
	OverflowLineCmp8  = 0x10 // RegOverflow bit 4 (line compare bit 8): writable while protected
	lastProtectedReg  = RegOverflow
	unclaimedReadByte = 0xFF // what a read of a register that does not exist returns
)

// mode3Regs are the register values a VGA BIOS programs for text mode 3
// (80×25, 16 colours, 9×16 cells, cursor on scan lines 13-14). They set
// ProtectRegs.
var mode3Regs = [NumRegs]byte{
	0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F,
	0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00,
	0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3,
	0xFF,
}

// State is the CRT controller's complete state.
type State struct {
	Index byte          // last value written to the index port; reads back as written
	Regs  [NumRegs]byte // the registers, each stored as written
}

// VGA is the CRT controller of a VGA adapter in colour text mode, at base
// 0x3D4: offset 0 is the index port, offset 1 the data port. It implements
// devices.PortDevice. It is not safe for concurrent use; the machine
// serialises every call.
type VGA struct {
	s State
}

var _ devices.PortDevice = (*VGA)(nil)

// New returns a CRT controller programmed as a VGA BIOS leaves it for text
// mode 3, since pollscope boots its guest without one: start address 0,
// cursor top left on scan lines 13-14, registers 0x00-0x07 write-protected.
func New() *VGA {
	return &VGA{s: State{Regs: mode3Regs}}
}

// State returns a copy of the controller's state.
func (v *VGA) State() State { return v.s }

// SetState replaces the controller's state.
func (v *VGA) SetState(s State) { v.s = s }

// In reads the index port (offset 0) or the data port (offset 1). A 16-bit
// read at offset 0 returns the index in the low byte and the indexed register
// in the high byte; bytes beyond the two ports read as 0xFF.
func (v *VGA) In(off uint16, data []byte) {
	for i := range data {
		switch uint(off) + uint(i) {
		case 0:
			data[i] = v.s.Index
		case 1:
			data[i] = v.readReg()
		default:
			data[i] = unclaimedReadByte
		}
	}
}

// Out writes the index port (offset 0) or the data port (offset 1). A 16-bit
// write at offset 0 sets the index from the low byte and writes the high
// byte to that register, as drivers do with outw(0x3D4, index | value<<8);
// bytes beyond the two ports are ignored.
func (v *VGA) Out(off uint16, data []byte) {
	for i, b := range data {
		switch uint(off) + uint(i) {
		case 0:
			v.s.Index = b
		case 1:
			v.writeReg(b)
		}
	}
}

// readReg returns the register the index selects; an index past the last
// register reads 0xFF.
func (v *VGA) readReg() byte {
	if int(v.s.Index) >= NumRegs {
		return unclaimedReadByte
	}
	return v.s.Regs[v.s.Index]
}

// writeReg stores b in the register the index selects. While ProtectRegs is
// set, registers 0x00-0x07 keep their value, except the line compare bit 8
// of RegOverflow. Writes past the last register are ignored.
func (v *VGA) writeReg(b byte) {
	i := int(v.s.Index)
	switch {
	case i >= NumRegs:
	case i <= lastProtectedReg && v.s.Regs[RegVerticalRetraceEnd]&ProtectRegs != 0:
		if i == RegOverflow {
			v.s.Regs[i] = v.s.Regs[i]&^OverflowLineCmp8 | b&OverflowLineCmp8
		}
	default:
		v.s.Regs[i] = b
	}
}

// startAddress is the cell index the CRTC draws top left.
func (s *State) startAddress() uint16 {
	return uint16(s.Regs[RegStartAddressHigh])<<8 | uint16(s.Regs[RegStartAddressLow])
}

// cursorLocation is the cell index where the CRTC draws the cursor.
func (s *State) cursorLocation() uint16 {
	return uint16(s.Regs[RegCursorLocationHigh])<<8 | uint16(s.Regs[RegCursorLocationLow])
}
