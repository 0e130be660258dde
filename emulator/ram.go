package emulator

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Guest memory limits. Guest RAM is one slot at physical address 0 and must
// stay below the 3 GiB mark where a PC keeps its MMIO window.
const (
	DefaultMemoryMiB = 128
	MinMemoryMiB     = 2
	MaxMemoryMiB     = 3072
)

// allocRAM maps anonymous, zeroed memory for the guest. Pages are only
// committed as the guest touches them.
func allocRAM(mib int) ([]byte, error) {
	if mib < MinMemoryMiB || mib > MaxMemoryMiB {
		return nil, fmt.Errorf("guest memory of %d MiB is out of range: choose %d to %d MiB", mib, MinMemoryMiB, MaxMemoryMiB)
	}
	ram, err := unix.Mmap(-1, 0, mib<<20, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
	if err != nil {
		return nil, fmt.Errorf("mapping %d MiB of guest RAM: %w", mib, err)
	}
	return ram, nil
}

func freeRAM(ram []byte) error {
	if ram == nil {
		return nil
	}
	return unix.Munmap(ram)
}
