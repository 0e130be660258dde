package emulator

import (
	"bytes"
	"encoding/binary"
)

// testELF describes a small ELF64 x86-64 image for loader tests.
type testELF struct {
	loadAddr uint64
	code     []byte
	bssSize  uint64
	noteType uint32 // 0: no note
	noteName string
	noteDesc []byte
}

// build lays out: ELF header, program headers, the note, then the code.
func (e testELF) build() []byte {
	le := binary.LittleEndian
	var note []byte
	if e.noteType != 0 {
		name := append([]byte(e.noteName), 0)
		note = le.AppendUint32(note, uint32(len(name)))
		note = le.AppendUint32(note, uint32(len(e.noteDesc)))
		note = le.AppendUint32(note, e.noteType)
		note = append(note, name...)
		for len(note)%4 != 0 {
			note = append(note, 0)
		}
		note = append(note, e.noteDesc...)
		for len(note)%4 != 0 {
			note = append(note, 0)
		}
	}
	nph := 1
	if note != nil {
		nph = 2
	}
	const ehsize, phsize = 64, 56
	noteOff := uint64(ehsize + phsize*nph)
	codeOff := noteOff + uint64(len(note))

	var b bytes.Buffer
	ident := [16]byte{0x7f, 'E', 'L', 'F', 2, 1, 1}
	b.Write(ident[:])
	binary.Write(&b, le, uint16(2))  // ET_EXEC
	binary.Write(&b, le, uint16(62)) // EM_X86_64
	binary.Write(&b, le, uint32(1))
	binary.Write(&b, le, e.loadAddr) // e_entry
	binary.Write(&b, le, uint64(ehsize))
	binary.Write(&b, le, uint64(0)) // no section headers
	binary.Write(&b, le, uint32(0))
	binary.Write(&b, le, uint16(ehsize))
	binary.Write(&b, le, uint16(phsize))
	binary.Write(&b, le, uint16(nph))
	binary.Write(&b, le, uint16(64))
	binary.Write(&b, le, uint16(0))
	binary.Write(&b, le, uint16(0))
	ph := func(typ uint32, off, addr, filesz, memsz uint64) {
		binary.Write(&b, le, typ)
		binary.Write(&b, le, uint32(5))
		binary.Write(&b, le, off)
		binary.Write(&b, le, addr)
		binary.Write(&b, le, addr)
		binary.Write(&b, le, filesz)
		binary.Write(&b, le, memsz)
		binary.Write(&b, le, uint64(4))
	}
	ph(1, codeOff, e.loadAddr, uint64(len(e.code)), uint64(len(e.code))+e.bssSize)
	if note != nil {
		ph(4, noteOff, 0, uint64(len(note)), uint64(len(note)))
	}
	b.Write(note)
	b.Write(e.code)
	return b.Bytes()
}

func pvhNote(entry uint32) testELF {
	return testELF{
		loadAddr: 0x100000,
		code:     []byte{0xf4}, // hlt
		bssSize:  0x1000,
		noteType: xenElfnotePhys32Entry,
		noteName: "Xen",
		noteDesc: binary.LittleEndian.AppendUint32(nil, entry),
	}
}
