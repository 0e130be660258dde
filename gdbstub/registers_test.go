package gdbstub

import (
	"encoding/binary"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/pollscope/pollscope/cpu"
)

// The target description is well-formed XML whose registers are the
// register table's, numbered in order, each in a feature gdb expects.
func TestTargetDescriptionMatchesTheRegisterFile(t *testing.T) {
	var doc struct {
		Architecture string `xml:"architecture"`
		Features     []struct {
			Name string `xml:"name,attr"`
			Regs []struct {
				Name    string `xml:"name,attr"`
				Bitsize int    `xml:"bitsize,attr"`
				Regnum  int    `xml:"regnum,attr"`
			} `xml:"reg"`
		} `xml:"feature"`
	}
	if err := xml.Unmarshal(targetXML, &doc); err != nil {
		t.Fatalf("target.xml does not parse: %v", err)
	}
	if doc.Architecture != "i386:x86-64" {
		t.Errorf("architecture %q", doc.Architecture)
	}
	n := 0
	for fi, f := range doc.Features {
		if f.Name != featureOrder[fi] {
			t.Errorf("feature %d is %q, want %q", fi, f.Name, featureOrder[fi])
		}
		for _, r := range f.Regs {
			if r.Regnum != n || r.Name != registers[n].name || r.Bitsize != registers[n].bits {
				t.Errorf("reg %d in target.xml is %s/%d bits/regnum %d, want %s/%d", n, r.Name, r.Bitsize, r.Regnum, registers[n].name, registers[n].bits)
			}
			n++
		}
	}
	if n != len(registers) {
		t.Errorf("target.xml has %d registers, the table %d", n, len(registers))
	}
	for _, name := range []string{"rip", "eflags", "cs", "gs", "st7", "fop", "xmm15", "mxcsr", "fs_base", "gs_base", "cr0", "cr2", "cr3", "cr4", "cr8", "efer"} {
		if !strings.Contains(string(targetXML), `name="`+name+`"`) {
			t.Errorf("target.xml lacks %s", name)
		}
	}
	// The g packet: 17 GPRs and RIP, eflags, 6 selectors, 8 x87 registers
	// and 8 control words, 16 XMM and MXCSR, 2 bases, 6 system registers.
	if want := 17*8 + 4 + 6*4 + 8*10 + 8*4 + 16*16 + 4 + 2*8 + 6*8; registerFileSize != want {
		t.Errorf("register file is %d bytes, want %d", registerFileSize, want)
	}
}

func TestX87TagWord(t *testing.T) {
	le := binary.LittleEndian
	var fx cpu.FXSave
	set := func(st int, mantissa uint64, exp uint16) {
		le.PutUint64(fx[fxST+16*st:], mantissa)
		le.PutUint16(fx[fxST+16*st+8:], exp)
	}
	le.PutUint16(fx[fxFSW:], 6<<11) // TOP = 6: ST(i) is physical register (6+i)%8
	set(0, 1<<63, 0x3fff)           // physical 6: 1.0, valid
	set(1, 0, 0)                    // physical 7: zero
	set(2, 1, 0)                    // physical 0: denormal, special
	set(3, 0, 0x7fff)               // physical 1: infinity, special
	set(4, 1<<62, 0x4000)           // physical 2: unnormal, special
	fx[fxFTW] = 1<<6 | 1<<7 | 1<<0 | 1<<1 | 1<<2
	want := uint16(tagValid<<12 | tagZero<<14 | tagSpecial<<0 | tagSpecial<<2 | tagSpecial<<4 | tagEmpty<<6 | tagEmpty<<8 | tagEmpty<<10)
	if got := fullTagWord(&fx); got != want {
		t.Errorf("full tag word %016b, want %016b", got, want)
	}
	if got := abridgedTag(want); got != fx[fxFTW] {
		t.Errorf("abridged %08b, want %08b", got, fx[fxFTW])
	}
	if abridgedTag(0xffff) != 0 {
		t.Error("an all-empty tag word is not abridged to 0")
	}
}

// Each register reads from and writes to its own place.
func TestRegisterPlaces(t *testing.T) {
	var f regFile
	f.regs.RBP, f.regs.RSP, f.regs.RFLAGS = 0xb0, 0x50, 0xff_0000_0246
	f.sregs.FS.Base, f.sregs.CR8, f.sregs.SS.Selector = 0xf5, 0xc8, 0x2b
	binary.LittleEndian.PutUint16(f.fpu[fxFOP:], 0xffff)
	cases := []struct {
		name string
		want string
	}{
		{"rbp", "b000000000000000"}, {"rsp", "5000000000000000"},
		{"eflags", "46020000"}, {"ss", "2b000000"},
		{"fs_base", "f500000000000000"}, {"cr8", "c800000000000000"},
		{"fop", "ff070000"}, // 11 bits
	}
	for _, c := range cases {
		n := registerNumber(t, c.name)
		if got := string(f.appendRegister(nil, n)); got != c.want {
			t.Errorf("%s = %s, want %s", c.name, got, c.want)
		}
	}
	// Writing eflags keeps RFLAGS's upper half.
	if err := f.setRegister(registerNumber(t, "eflags"), []byte{2, 0, 0, 0}); err != nil || f.regs.RFLAGS != 0xff_0000_0002 {
		t.Errorf("RFLAGS = %#x, %v", f.regs.RFLAGS, err)
	}
	if err := f.setRegister(registerNumber(t, "rip"), []byte{1}); err == nil {
		t.Error("a 1-byte value for rip was accepted")
	}
}

func registerNumber(t *testing.T, name string) int {
	t.Helper()
	for n := range registers {
		if registers[n].name == name {
			return n
		}
	}
	t.Fatalf("no register %s", name)
	return 0
}
