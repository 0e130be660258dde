package view

import (
	"fmt"
	"strings"

	"github.com/pollscope/pollscope/emulator"
)

// RegCell is one register as the CPU pane shows it: its name, its value
// in hex, what its bits mean (flags, control bits), and whether it changed
// since the last stop.
type RegCell struct {
	Name, Value, Note string
	Changed           bool
}

// RegRow is a row of the register column: one or two cells.
type RegRow []RegCell

// Architectural bits the pane names (Intel SDM vol. 3, 2.3-2.5).
var (
	rflagsBits = []bitName{{0, "CF"}, {2, "PF"}, {4, "AF"}, {6, "ZF"}, {7, "SF"}, {8, "TF"}, {9, "IF"}, {10, "DF"}, {11, "OF"},
		{14, "NT"}, {16, "RF"}, {17, "VM"}, {18, "AC"}, {19, "VIF"}, {20, "VIP"}, {21, "ID"}}
	cr0Bits  = []bitName{{0, "PE"}, {1, "MP"}, {2, "EM"}, {3, "TS"}, {4, "ET"}, {5, "NE"}, {16, "WP"}, {18, "AM"}, {29, "NW"}, {30, "CD"}, {31, "PG"}}
	cr4Bits  = []bitName{{0, "VME"}, {1, "PVI"}, {2, "TSD"}, {3, "DE"}, {4, "PSE"}, {5, "PAE"}, {6, "MCE"}, {7, "PGE"}, {8, "PCE"}, {9, "OSFXSR"}, {10, "OSXMMEXCPT"}, {11, "UMIP"}, {12, "LA57"}, {13, "VMXE"}, {16, "FSGSBASE"}, {17, "PCIDE"}, {18, "OSXSAVE"}, {20, "SMEP"}, {21, "SMAP"}, {22, "PKE"}}
	eferBits = []bitName{{0, "SCE"}, {8, "LME"}, {10, "LMA"}, {11, "NXE"}, {12, "SVME"}, {14, "FFXSR"}}
)

type bitName struct {
	bit  uint
	name string
}

// bitNames lists the names of v's set bits, in bit order.
func bitNames(v uint64, names []bitName) string {
	var out []string
	for _, b := range names {
		if v&(1<<b.bit) != 0 {
			out = append(out, b.name)
		}
	}
	return strings.Join(out, " ")
}

// DecodeRFLAGS names RFLAGS' set flags and its I/O privilege level:
// "IF ZF PF IOPL=0".
func DecodeRFLAGS(v uint64) string {
	s := bitNames(v, rflagsBits)
	if s != "" {
		s += " "
	}
	return s + fmt.Sprintf("IOPL=%d", v>>12&3)
}

// CPUMode says how the vCPU decodes instructions and at which privilege:
// "64-bit, CPL 0".
func CPUMode(s *emulator.SRegs) string {
	mode := "real mode"
	switch {
	case s.EFER&(1<<10) != 0 && s.CS.L:
		mode = "64-bit"
	case s.EFER&(1<<10) != 0:
		mode = "compatibility mode"
	case s.CR0&1 != 0 && s.CS.DB:
		mode = "32-bit protected mode"
	case s.CR0&1 != 0:
		mode = "16-bit protected mode"
	}
	if s.CR0&1 == 0 {
		return mode
	}
	return fmt.Sprintf("%s, CPL %d", mode, s.SS.DPL)
}

// CodeBits is the width the vCPU decodes instructions in (16, 32, 64).
func CodeBits(s *emulator.SRegs) int {
	switch {
	case s.EFER&(1<<10) != 0 && s.CS.L:
		return 64
	case s.CR0&1 != 0 && s.CS.DB:
		return 32
	}
	return 16
}

// regValue is one register's value, how many hex digits show it, and what
// its bits mean.
type regValue struct {
	val   uint64
	width int
	note  string
}

// registers are the values the pane shows, by name.
func registers(v *emulator.CPUView) map[string]regValue {
	r, s := &v.Regs, &v.SRegs
	g := func(x uint64) regValue { return regValue{x, 16, ""} }
	sel := func(x emulator.Segment) regValue { return regValue{uint64(x.Selector), 4, ""} }
	return map[string]regValue{
		"RAX": g(r.RAX), "RBX": g(r.RBX), "RCX": g(r.RCX), "RDX": g(r.RDX),
		"RSI": g(r.RSI), "RDI": g(r.RDI), "RBP": g(r.RBP), "RSP": g(r.RSP),
		"R8": g(r.R8), "R9": g(r.R9), "R10": g(r.R10), "R11": g(r.R11),
		"R12": g(r.R12), "R13": g(r.R13), "R14": g(r.R14), "R15": g(r.R15),
		"RIP": g(r.RIP), "RFLAGS": {r.RFLAGS, 8, DecodeRFLAGS(r.RFLAGS)},
		"CS": sel(s.CS), "DS": sel(s.DS), "ES": sel(s.ES), "FS": sel(s.FS), "GS": sel(s.GS), "SS": sel(s.SS),
		"CR0": {s.CR0, 8, bitNames(s.CR0, cr0Bits)}, "CR2": g(s.CR2), "CR3": g(s.CR3),
		"CR4": {s.CR4, 8, bitNames(s.CR4, cr4Bits)}, "EFER": {s.EFER, 8, bitNames(s.EFER, eferBits)},
	}
}

// registerLayout is the register column, row by row.
var registerLayout = [][]string{
	{"RAX", "R8"}, {"RBX", "R9"}, {"RCX", "R10"}, {"RDX", "R11"},
	{"RSI", "R12"}, {"RDI", "R13"}, {"RBP", "R14"}, {"RSP", "R15"},
	{"RIP"}, {"RFLAGS"},
	{"CS", "DS", "ES"}, {"SS", "FS", "GS"},
	{"CR0"}, {"CR2"}, {"CR3"}, {"CR4"}, {"EFER"},
}

// RegisterRows lays out the registers of v for the pane, marking those
// that differ from prev (nil: nothing is marked).
func RegisterRows(v, prev *emulator.CPUView) []RegRow {
	cur := registers(v)
	var old map[string]regValue
	if prev != nil {
		old = registers(prev)
	}
	rows := make([]RegRow, 0, len(registerLayout))
	for _, names := range registerLayout {
		row := make(RegRow, len(names))
		for i, n := range names {
			x := cur[n]
			row[i] = RegCell{Name: n, Value: fmt.Sprintf("%0*x", x.width, x.val), Note: x.note}
			if o, ok := old[n]; ok {
				row[i].Changed = o.val != x.val
			}
		}
		rows = append(rows, row)
	}
	return rows
}
