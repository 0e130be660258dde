package rtc

// A PC's firmware records the memory it found in CMOS RAM, where DOS-era
// software and some boot loaders read it: base memory (always 640 KiB),
// extended memory from 1 MiB in KiB (at most 0xFFFF, 64 MiB), the same again
// at 0x30, and, as SeaBIOS and QEMU do, memory from 16 MiB to 4 GiB in
// 64 KiB blocks and memory above 4 GiB in 64 KiB blocks. Linux itself takes
// the memory map from the boot protocol instead.

const (
	kib          = 1 << 10
	mib          = 1 << 20
	baseMemoryKB = 640
	block64KiB   = 64 * kib
)

// SetMemorySize records the guest's RAM in the PC's CMOS memory-size bytes:
// below4G bytes of RAM from address 0 up (the first 640 KiB counted as base
// memory) and above4G bytes from 4 GiB up. It updates the standard checksum
// at 0x2E-0x2F over bytes 0x10-0x2D.
func (r *RTC) SetMemorySize(below4G, above4G uint64) {
	ram := &r.s.CMOS
	put16(ram, CMOSBaseMemLo, baseMemoryKB)
	ext := uint64(0)
	if below4G > mib {
		ext = min((below4G-mib)/kib, 0xFFFF)
	}
	put16(ram, CMOSExtMemLo, uint16(ext))
	put16(ram, CMOSExtMemPostLo, uint16(ext))
	high := uint64(0)
	if below4G > 16*mib {
		high = min((below4G-16*mib)/block64KiB, 0xFFFF)
	}
	put16(ram, CMOSHighMemLo, uint16(high))
	above := min(above4G/block64KiB, 0xFFFFFF)
	ram[CMOSAbove4GLo] = uint8(above)
	ram[CMOSAbove4GMid] = uint8(above >> 8)
	ram[CMOSAbove4GHi] = uint8(above >> 16)
	r.updateChecksum()
}

// put16 stores v little-endian at ram[at] and ram[at+1].
func put16(ram *[nRegs]uint8, at int, v uint16) {
	ram[at] = uint8(v)
	ram[at+1] = uint8(v >> 8)
}

// updateChecksum stores the 16-bit sum of bytes 0x10-0x2D at 0x2E (high
// byte) and 0x2F (low byte), as an AT BIOS keeps it.
func (r *RTC) updateChecksum() {
	var sum uint16
	for i := checksumFirst; i <= checksumLast; i++ {
		sum += uint16(r.s.CMOS[i])
	}
	r.s.CMOS[CMOSChecksumHi] = uint8(sum >> 8)
	r.s.CMOS[CMOSChecksumLo] = uint8(sum)
}
