package interp

// Model-specific registers: the ones a kernel touches. Any other index
// raises #GP, as on hardware, and is logged once.
//
// Reset state is the processor's power-on state: MTRRs disabled, PAT at
// its power-on value, the APIC disabled (pollscope has none), and AMD's
// HWCR with TscFreqSel set, as AMD processors since family 10h reset. What
// firmware changes before a kernel runs (MTRRs enabled with write-back
// as the default type) the machine does through SetMSR, on every backend
// alike (emulator/firmware.go).

const (
	msrTSC          = 0x10
	msrAPICBase     = 0x1b
	msrPatchLevel   = 0x8b // AMD microcode patch level (IA32_BIOS_SIGN_ID on Intel)
	msrMTRRCap      = 0xfe
	msrSysenterCS   = 0x174
	msrSysenterESP  = 0x175
	msrSysenterEIP  = 0x176
	msrMiscEnable   = 0x1a0
	msrMTRRVarBase  = 0x200 // 0x200-0x20f: PhysBase/PhysMask pairs
	msrMTRRFix64K   = 0x250
	msrMTRRFix16K0  = 0x258
	msrMTRRFix16K1  = 0x259
	msrMTRRFix4K    = 0x268 // 0x268-0x26f
	msrPAT          = 0x277
	msrMTRRDefType  = 0x2ff
	msrEFER         = 0xc0000080
	msrSTAR         = 0xc0000081
	msrLSTAR        = 0xc0000082
	msrCSTAR        = 0xc0000083
	msrSFMASK       = 0xc0000084
	msrFSBase       = 0xc0000100
	msrGSBase       = 0xc0000101
	msrKernelGSBase = 0xc0000102
	msrTSCAux       = 0xc0000103
	msrAMDSyscfg    = 0xc0010010
	msrAMDHWCR      = 0xc0010015
	// msrAMDIntPending is K8's interrupt-pending message register, which
	// Linux reads (unchecked) on family 0Fh/10h processors to see whether
	// C1E is on: it reads 0, C1E off.
	msrAMDIntPending = 0xc0010055

	// MTRRcap: 8 variable ranges, fixed ranges supported, write-combining.
	mtrrCapValue = 8 | 1<<8 | 1<<10
	// MTRRdefType at power-on: MTRRs disabled (bit 11 clear), default
	// type UC.
	mtrrDefTypeBoot = 0
	patPowerOn      = 0x0007040600070406
	// HWCR bit 24, TscFreqSel: the TSC counts at the P0 frequency.
	hwcrBoot = 1 << 24
	// APIC_BASE: bootstrap processor (bit 8); global enable (bit 11)
	// clear: there is no local APIC.
	apicBaseValue = 1 << 8
	// MISC_ENABLE: fast strings (bit 0).
	miscEnableBoot = 1
	// eferValid are the EFER bits software may write (LMA is read-only).
	eferValid = eferSCE | eferLME | eferNXE
)

type msrState struct {
	star, lstar, cstar, sfmask uint64
	kernelGSBase               uint64
	tscAux                     uint64
	pat                        uint64
	mtrrDefType                uint64
	mtrrFixed                  [11]uint64
	mtrrVar                    [16]uint64
	sysenterCS                 uint64
	sysenterESP, sysenterEIP   uint64
	miscEnable                 uint64
	hwcr                       uint64
	syscfg                     uint64
	refused                    map[uint32]uint64 // unknown MSRs the guest tried
}

func (m *msrState) reset() {
	refused := m.refused
	*m = msrState{
		pat:         patPowerOn,
		mtrrDefType: mtrrDefTypeBoot,
		miscEnable:  miscEnableBoot,
		hwcr:        hwcrBoot,
		refused:     refused,
	}
}

// fixedMTRR maps a fixed-range MTRR index to its slot.
func fixedMTRR(idx uint32) (int, bool) {
	switch {
	case idx == msrMTRRFix64K:
		return 0, true
	case idx == msrMTRRFix16K0:
		return 1, true
	case idx == msrMTRRFix16K1:
		return 2, true
	case idx >= msrMTRRFix4K && idx < msrMTRRFix4K+8:
		return 3 + int(idx-msrMTRRFix4K), true
	}
	return 0, false
}

// readMSRAt reads an MSR for RDMSR at instruction idx of the block (the
// TSC depends on it).
func (c *CPU) readMSRAt(idx uint32, at uint16) (uint64, bool) {
	if idx == msrTSC {
		return c.tsc(at), true
	}
	return c.readMSR(idx)
}

func (c *CPU) readMSR(idx uint32) (uint64, bool) {
	m := &c.msr
	switch idx {
	case msrTSC:
		return c.tsc(0), true
	case msrAPICBase:
		return apicBaseValue, true
	case msrPatchLevel:
		return 0, true
	case msrMTRRCap:
		return mtrrCapValue, true
	case msrSysenterCS:
		return m.sysenterCS, true
	case msrSysenterESP:
		return m.sysenterESP, true
	case msrSysenterEIP:
		return m.sysenterEIP, true
	case msrMiscEnable:
		return m.miscEnable, true
	case msrPAT:
		return m.pat, true
	case msrMTRRDefType:
		return m.mtrrDefType, true
	case msrEFER:
		return c.efer, true
	case msrSTAR:
		return m.star, true
	case msrLSTAR:
		return m.lstar, true
	case msrCSTAR:
		return m.cstar, true
	case msrSFMASK:
		return m.sfmask, true
	case msrFSBase:
		return c.seg[segFS].base, true
	case msrGSBase:
		return c.seg[segGS].base, true
	case msrKernelGSBase:
		return m.kernelGSBase, true
	case msrTSCAux:
		return m.tscAux, true
	case msrAMDSyscfg:
		return m.syscfg, true
	case msrAMDHWCR:
		return m.hwcr, true
	case msrAMDIntPending:
		return 0, true
	}
	if idx >= msrMTRRVarBase && idx < msrMTRRVarBase+16 {
		return m.mtrrVar[idx-msrMTRRVarBase], true
	}
	if i, ok := fixedMTRR(idx); ok {
		return m.mtrrFixed[i], true
	}
	return 0, false
}

// writeMSR writes an MSR; false means #GP (unknown MSR or a value it
// refuses).
func (c *CPU) writeMSR(idx uint32, v uint64) bool {
	m := &c.msr
	switch idx {
	case msrTSC:
		c.setTSC(v, 0)
	case msrAPICBase:
		// The APIC cannot be enabled; writing the value it has is fine.
		if v&(1<<11) != 0 {
			return false
		}
	case msrPatchLevel, msrMTRRCap:
		return idx == msrPatchLevel
	case msrSysenterCS:
		m.sysenterCS = v & 0xffff
	case msrSysenterESP:
		m.sysenterESP = v
	case msrSysenterEIP:
		m.sysenterEIP = v
	case msrMiscEnable:
		m.miscEnable = v
	case msrPAT:
		for i := 0; i < 8; i++ {
			switch (v >> (8 * i)) & 0xff {
			case 0, 1, 4, 5, 6, 7:
			default:
				return false // reserved memory type
			}
		}
		m.pat = v
	case msrMTRRDefType:
		if v&^0xcff != 0 {
			return false
		}
		m.mtrrDefType = v
	case msrEFER:
		return c.setEFER(v)
	case msrSTAR:
		m.star = v
	case msrLSTAR, msrCSTAR:
		if !canonical(v) {
			return false
		}
		if idx == msrLSTAR {
			m.lstar = v
		} else {
			m.cstar = v
		}
	case msrSFMASK:
		m.sfmask = v & 0xffffffff
	case msrFSBase, msrGSBase, msrKernelGSBase:
		if !canonical(v) {
			return false
		}
		switch idx {
		case msrFSBase:
			c.seg[segFS].base = v
		case msrGSBase:
			c.seg[segGS].base = v
		default:
			m.kernelGSBase = v
		}
		c.modeChanged()
	case msrTSCAux:
		m.tscAux = v & 0xffffffff
	case msrAMDSyscfg:
		m.syscfg = v
	case msrAMDHWCR:
		m.hwcr = v
	case msrAMDIntPending:
		// Writes are ignored: there is no C1E to configure.
	default:
		if idx >= msrMTRRVarBase && idx < msrMTRRVarBase+16 {
			m.mtrrVar[idx-msrMTRRVarBase] = v
			return true
		}
		if i, ok := fixedMTRR(idx); ok {
			m.mtrrFixed[i] = v
			return true
		}
		return false
	}
	return true
}

// setEFER checks and writes EFER: LME cannot change while paging is on,
// and LMA follows the hardware, not the write.
func (c *CPU) setEFER(v uint64) bool {
	if v&^(eferValid|eferLMA) != 0 {
		return false
	}
	if c.cr0&cr0PG != 0 && (v^c.efer)&eferLME != 0 {
		return false
	}
	old := c.efer
	c.efer = v&eferValid | c.efer&eferLMA
	if (old^c.efer)&eferNXE != 0 {
		c.flushTLB(false)
	}
	return true
}
