package emulator

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/pollscope/pollscope/emulator/internal/pvhelf"
)

func pvhNote(entry uint32) pvhelf.Image {
	img := pvhelf.Tiny([]byte{0xf4}) // hlt
	img.NoteDesc = binary.LittleEndian.AppendUint32(nil, entry)
	return img
}

func TestParseKernelFindsPVHEntry(t *testing.T) {
	for _, width := range []int{4, 8} {
		e := pvhNote(0x100000)
		if width == 8 {
			e.NoteDesc = binary.LittleEndian.AppendUint64(nil, 0x100000)
		}
		k, err := parseKernel(e.Build())
		if err != nil {
			t.Fatalf("%d-byte note: %v", width, err)
		}
		if k.entry != 0x100000 || len(k.segments) != 1 || k.segments[0].memSize != 0x1001 {
			t.Fatalf("%d-byte note: got entry %#x segments %+v", width, k.entry, k.segments)
		}
	}
}

func TestParseKernelRejectsBadImages(t *testing.T) {
	elf32 := pvhNote(0x100000).Build()
	elf32[4] = 1 // ELFCLASS32
	noNote := pvhNote(0x100000)
	noNote.NoteType = 0
	otherNote := pvhNote(0x100000)
	otherNote.NoteName = "GNU"
	cases := []struct {
		name  string
		image []byte
		want  string
	}{
		{"empty file", nil, "not an ELF file"},
		{"text file", []byte("#!/bin/sh\necho hi\n"), "not an ELF file"},
		{"32-bit ELF", elf32, "32-bit ELF"},
		{"truncated header", pvhNote(0x100000).Build()[:40], "malformed ELF"},
		{"no PVH note", noNote.Build(), "no PVH entry note"},
		{"note of another owner", otherNote.Build(), "no PVH entry note"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseKernel(c.image)
			if err == nil || !errors.Is(err, ErrBadKernel) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want ErrBadKernel saying %q", err, c.want)
			}
		})
	}
}

func TestLoadKernelChecksPlacement(t *testing.T) {
	ram := make([]byte, 4<<20)
	cases := []struct {
		name string
		addr uint64
		bss  uint64
		want string
	}{
		{"fits", 0x100000, 0x1000, ""},
		{"past the end of RAM", 0x3ff000, 0x2000, "outside guest RAM"},
		{"wraps around", 0xffff_ffff_ffff_f000, 0x2000, "outside guest RAM"},
		{"over the boot info", 0x1800, 0, "overlaps the PVH boot information"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := pvhNote(uint32(c.addr))
			e.LoadAddr, e.BSS = c.addr, c.bss
			k, err := parseKernel(e.Build())
			if err != nil {
				t.Fatal(err)
			}
			err = loadKernel(ram, k)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if ram[c.addr] != 0xf4 {
					t.Fatalf("code not copied: ram[%#x] = %#x", c.addr, ram[c.addr])
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want one saying %q", err, c.want)
			}
		})
	}
}

func TestStartInfo(t *testing.T) {
	ram := make([]byte, 16<<20)
	addr, err := writeStartInfo(ram, "exit hz=100", nil)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	si := ram[addr:]
	if le.Uint32(si) != hvmStartMagic || le.Uint32(si[4:]) != 1 {
		t.Fatalf("magic/version = %#x/%d", le.Uint32(si), le.Uint32(si[4:]))
	}
	cl := le.Uint64(si[24:])
	if got := string(ram[cl : cl+11]); got != "exit hz=100" || ram[cl+11] != 0 {
		t.Fatalf("command line = %q", got)
	}
	mm, n := le.Uint64(si[40:]), le.Uint32(si[48:])
	var total uint64
	for i := uint64(0); i < uint64(n); i++ {
		e := ram[mm+24*i:]
		if le.Uint32(e[16:]) == e820RAM {
			total += le.Uint64(e[8:])
		}
	}
	if want := uint64(16<<20) - (legacyHoleEnd - legacyHoleStart); total != want {
		t.Fatalf("memory map reports %d bytes of RAM, want %d", total, want)
	}

	if _, err := writeStartInfo(ram, strings.Repeat("x", MaxCmdline+1), nil); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Fatalf("overlong command line: error = %v", err)
	}
	if _, err := writeStartInfo(ram, "a\x00b", nil); err == nil {
		t.Fatal("command line with NUL accepted")
	}
}

// FuzzParseKernel feeds arbitrary bytes to the loader: it must return an
// image or an error, never panic, and never accept segments it cannot read.
func FuzzParseKernel(f *testing.F) {
	f.Add(pvhNote(0x100000).Build())
	f.Add([]byte("\x7fELF\x02\x01\x01"))
	f.Fuzz(func(t *testing.T, image []byte) {
		k, err := parseKernel(image)
		if err != nil {
			return
		}
		ram := make([]byte, 4<<20)
		_ = loadKernel(ram, k)
	})
}
