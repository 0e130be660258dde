package emulator

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// The initrd goes to the top of RAM, page-aligned, and reaches the kernel
// the PVH way: one hvm_modlist_entry with its address, size and command
// line, and a reserved range in the memory map (Linux's xen_pvh_init reads
// modlist[0] as its ramdisk).
func TestInitrdInStartInfo(t *testing.T) {
	ram := make([]byte, 64<<20)
	data := bytes.Repeat([]byte("cpio"), 1000)
	mod, err := placeInitrd(ram, data, 0x300000, "initramfs.cpio.gz")
	if err != nil {
		t.Fatal(err)
	}
	if mod.addr%4096 != 0 || mod.addr+mod.size > uint64(len(ram)) || mod.addr+mod.size+4096 <= uint64(len(ram)) {
		t.Fatalf("initrd placed at %#x+%d in %d MiB, want the top page-aligned", mod.addr, mod.size, len(ram)>>20)
	}
	if !bytes.Equal(ram[mod.addr:mod.addr+mod.size], data) {
		t.Fatal("initrd bytes not copied")
	}
	addr, err := writeStartInfo(ram, "console=ttyS0", mod)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	si := ram[addr:]
	if n, list := le.Uint32(si[12:]), le.Uint64(si[16:]); n != 1 || list == 0 {
		t.Fatalf("nr_modules %d modlist_paddr %#x", n, list)
	}
	e := ram[le.Uint64(si[16:]):]
	if le.Uint64(e) != mod.addr || le.Uint64(e[8:]) != mod.size {
		t.Fatalf("modlist[0] = %#x+%d, want %#x+%d", le.Uint64(e), le.Uint64(e[8:]), mod.addr, mod.size)
	}
	cl := le.Uint64(e[16:])
	if got := string(ram[cl : cl+17]); got != "initramfs.cpio.gz" || ram[cl+17] != 0 {
		t.Fatalf("module command line %q", got)
	}
	mm, n := le.Uint64(si[40:]), le.Uint32(si[48:])
	reserved := false
	for i := range uint64(n) {
		r := ram[mm+24*i:]
		start, size, typ := le.Uint64(r), le.Uint64(r[8:]), le.Uint32(r[16:])
		overlaps := start < mod.addr+mod.size && mod.addr < start+size
		if overlaps && typ == e820RAM {
			t.Fatalf("memory map entry %#x+%#x is RAM over the initrd", start, size)
		}
		reserved = reserved || (start == mod.addr && size == mod.size && typ == e820Reserved)
	}
	if !reserved {
		t.Fatal("the initrd is not reserved in the memory map")
	}
}

func TestInitrdThatDoesNotFit(t *testing.T) {
	ram := make([]byte, 4<<20)
	for _, tc := range []struct {
		name string
		size int
		want string
	}{
		{"larger than RAM above the kernel", 3 << 20, "does not fit"},
		{"empty", 0, "is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := placeInitrd(ram, make([]byte, tc.size), 0x200000, "big.img")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "big.img") {
				t.Fatalf("error %v, want one naming the file and saying %q", err, tc.want)
			}
		})
	}
}
