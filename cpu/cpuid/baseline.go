package cpuid

import "encoding/binary"

// Baseline returns pollscope's processor: every leaf the software CPU
// answers, in leaf order.
func Baseline() []Leaf {
	v := []byte(Vendor)
	vb, vd, vc := le32(v[0:4]), le32(v[4:8]), le32(v[8:12])
	leaves := []Leaf{
		{Function: LeafVendor, EAX: MaxBasic, EBX: vb, ECX: vc, EDX: vd},
		{
			Function: LeafFeatures,
			EAX:      Signature,
			// EBX: CLFLUSH line size 8 qwords (64 bytes) in bits 15:8;
			// brand index, logical processor count and APIC ID 0.
			EBX: 8 << 8,
			ECX: leaf1EcxKept,
			EDX: leaf1EdxKept,
		},
		{Function: LeafExtFeatures7, EBX: leaf7EbxKept, ECX: leaf7EcxKept, EDX: leaf7EdxKept},
		{Function: LeafExtMax, EAX: MaxExtended, EBX: vb, ECX: vc, EDX: vd},
		{Function: LeafExtFeatures, EAX: Signature, ECX: leaf81EcxKept, EDX: leaf81EdxKept},
	}
	var brand [48]byte
	copy(brand[:], Brand)
	for i := 0; i < 3; i++ {
		b := brand[16*i:]
		leaves = append(leaves, Leaf{Function: LeafBrand0 + uint32(i),
			EAX: le32(b[0:]), EBX: le32(b[4:]), ECX: le32(b[8:]), EDX: le32(b[12:])})
	}
	leaves = append(leaves,
		// L1 caches and TLBs, AMD format (QEMU's values): 2 MiB/4 MiB and
		// 4 KiB TLBs of 255 entries, 64 KiB 2-way data and instruction
		// caches with 64-byte lines. Informational only.
		Leaf{Function: LeafL1Cache, EAX: 0x01ff01ff, EBX: 0x01ff01ff, ECX: 0x40020140, EDX: 0x40020140},
		// L2: 512 KiB 16-way, 64-byte lines; no L3 reported.
		Leaf{Function: LeafL2Cache, EBX: 0x42004200, ECX: 0x02008140},
		Leaf{Function: LeafAPM, EDX: apmEdxInvariantTSC},
		// Address sizes; ECX bits 7:0 = cores - 1 = 0.
		Leaf{Function: LeafAddrSizes, EAX: VirtAddrBits<<8 | PhysAddrBits},
	)
	return leaves
}

// table is Baseline indexed for Lookup.
var table = func() map[uint32]Leaf {
	m := make(map[uint32]Leaf)
	for _, l := range Baseline() {
		m[l.Function] = l
	}
	return m
}()

// Lookup answers CPUID(function, index) as pollscope's processor does. As
// on AMD processors, a leaf outside the table, or a subleaf other than 0 of
// leaf 7, reads as all zeros.
func Lookup(function, index uint32) (eax, ebx, ecx, edx uint32) {
	l, ok := table[function]
	if !ok || (function == LeafExtFeatures7 && index != 0) {
		return 0, 0, 0, 0
	}
	return l.EAX, l.EBX, l.ECX, l.EDX
}

// Has reports whether Baseline offers a feature bit: reg is 'a', 'b', 'c'
// or 'd', bit a mask of one of the constants above.
func Has(function uint32, reg byte, bit uint32) bool {
	a, b, c, d := Lookup(function, 0)
	switch reg {
	case 'a':
		return a&bit != 0
	case 'b':
		return b&bit != 0
	case 'c':
		return c&bit != 0
	default:
		return d&bit != 0
	}
}

func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }
