// Package pvhelf writes small ELF64 x86-64 images with a PVH entry note: the
// test kernels of pollscope's own tests and of emutest.TinyKernel.
package pvhelf

import (
	"bytes"
	"encoding/binary"
)

// Image describes one image: a single PT_LOAD segment holding Code at
// LoadAddr followed by BSS zero bytes, and an optional ELF note.
type Image struct {
	LoadAddr uint64
	Code     []byte
	BSS      uint64
	NoteType uint32 // 0: no note
	NoteName string
	NoteDesc []byte
}

// PVHEntryNote is XEN_ELFNOTE_PHYS32_ENTRY, the note type PVH loaders read.
const PVHEntryNote = 18

// Tiny returns an image that runs code at 1 MiB, entered the PVH way in
// 32-bit protected mode.
func Tiny(code []byte) Image {
	return Image{
		LoadAddr: 0x100000,
		Code:     code,
		BSS:      0x1000,
		NoteType: PVHEntryNote,
		NoteName: "Xen",
		NoteDesc: binary.LittleEndian.AppendUint32(nil, 0x100000),
	}
}

// Build lays out the ELF header, the program headers, the note, then the
// code.
func (e Image) Build() []byte {
	le := binary.LittleEndian
	var note []byte
	if e.NoteType != 0 {
		name := append([]byte(e.NoteName), 0)
		note = le.AppendUint32(note, uint32(len(name)))
		note = le.AppendUint32(note, uint32(len(e.NoteDesc)))
		note = le.AppendUint32(note, e.NoteType)
		note = pad4(append(note, name...))
		note = pad4(append(note, e.NoteDesc...))
	}
	nph := 1
	if note != nil {
		nph = 2
	}
	const ehsize, phsize = 64, 56
	noteOff := uint64(ehsize + phsize*nph)
	codeOff := noteOff + uint64(len(note))

	var b bytes.Buffer
	w := func(v any) { binary.Write(&b, le, v) }
	b.Write([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	w(uint16(2))  // ET_EXEC
	w(uint16(62)) // EM_X86_64
	w(uint32(1))  // EV_CURRENT
	w(e.LoadAddr) // e_entry
	w(uint64(ehsize))
	w(uint64(0)) // no section headers
	w(uint32(0))
	w(uint16(ehsize))
	w(uint16(phsize))
	w(uint16(nph))
	w(uint16(64))
	w(uint16(0))
	w(uint16(0))
	ph := func(typ uint32, off, addr, filesz, memsz uint64) {
		w(typ)
		w(uint32(5)) // R+X
		w(off)
		w(addr) // vaddr
		w(addr) // paddr
		w(filesz)
		w(memsz)
		w(uint64(4))
	}
	ph(1, codeOff, e.LoadAddr, uint64(len(e.Code)), uint64(len(e.Code))+e.BSS) // PT_LOAD
	if note != nil {
		ph(4, noteOff, 0, uint64(len(note)), uint64(len(note))) // PT_NOTE
	}
	b.Write(note)
	b.Write(e.Code)
	return b.Bytes()
}

func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}
