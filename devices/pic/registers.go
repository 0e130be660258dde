package pic

// ICW1, written to the command port (offset 0) with bit 4 set. It starts the
// initialisation sequence and resets the chip: IMR and ISR are cleared, edge
// inputs must see a fresh rising edge, IR0 gets the highest priority, special
// mask mode is left and the next command-port read returns IRR.
const (
	ICW1IC4  = 0x01 // ICW4 follows (otherwise every ICW4 function is 0)
	ICW1SNGL = 0x02 // single chip: no ICW3 follows and no cascade
	ICW1ADI  = 0x04 // call address interval 4 (8080 mode only; ignored)
	ICW1LTIM = 0x08 // level-triggered mode for all inputs
	ICW1Init = 0x10 // marks the write as ICW1 rather than OCW2/OCW3
)

// ICW2 is the vector base, written to the data port after ICW1. Bits 7-3 are
// used; the IR number fills bits 2-0 of the vector.
const ICW2VectorMask = 0xF8

// ICW3 (written after ICW2 unless ICW1 set SNGL). The master's ICW3 has a bit
// per IR that carries a slave; the slave's holds its identity, the master IR
// it is wired to. A PC wires the slave to IR2, and so does this model: ICW3 is
// stored for display but does not rewire anything.
const (
	ICW3MasterIR2 = 0x04 // master: a slave hangs on IR2 (Linux writes 1 << PIC_CASCADE_IR)
	ICW3SlaveID2  = 0x02 // slave: cascade identity 2 (Linux writes PIC_CASCADE_IR)
)

// ICW4 (written last, only if ICW1 set IC4).
const (
	ICW4UPM  = 0x01 // 8086/8088 mode (vector from ICW2); always assumed
	ICW4AEOI = 0x02 // automatic EOI: the acknowledge does not set ISR
	ICW4MS   = 0x04 // buffered mode: this chip is the master (ignored)
	ICW4BUF  = 0x08 // buffered mode (ignored)
	ICW4SFNM = 0x10 // special fully nested mode (honoured on the master)
)

// OCW2, written to the command port with bits 4 and 3 clear. Bits 7-5 (R, SL,
// EOI) select the command; bits 2-0 are the level for the specific forms.
const (
	OCW2LevelMask            = 0x07 // L2-L0: the IR a specific command names
	OCW2CommandMask          = 0xE0 // R, SL, EOI
	OCW2RotateAEOIClear      = 0x00 // stop rotating priority in auto-EOI mode
	OCW2NonSpecificEOI       = 0x20 // clear the highest-priority ISR bit
	OCW2NoOp                 = 0x40 // SL alone: no operation
	OCW2SpecificEOI          = 0x60 // clear ISR bit L (Linux: 0x60 + irq)
	OCW2RotateAEOISet        = 0x80 // rotate priority in auto-EOI mode
	OCW2RotateNonSpecificEOI = 0xA0 // clear the highest ISR bit and give it the lowest priority
	OCW2SetPriority          = 0xC0 // give IR L the lowest priority
	OCW2RotateSpecificEOI    = 0xE0 // clear ISR bit L and give it the lowest priority
	ocw2Or3Select            = 0x08 // clear in OCW2, set in OCW3
)

// OCW3, written to the command port with bit 4 clear and bit 3 set.
const (
	OCW3RIS  = 0x01 // with RR: read ISR (1) or IRR (0) on the next command-port read
	OCW3RR   = 0x02 // act on RIS
	OCW3P    = 0x04 // poll: the next read returns 0x80|level and acknowledges it
	OCW3SMM  = 0x20 // with ESMM: enter (1) or leave (0) special mask mode
	OCW3ESMM = 0x40 // act on SMM
)

// PollPending is set in a poll read's answer when a request was pending; bits
// 2-0 then hold its level.
const PollPending = 0x80

// ELCR bits that cannot be set: IRQ 0 (timer), 1 (keyboard) and 2 (cascade)
// on the master, IRQ 8 (RTC) and 13 (FPU) on the slave are always edge
// triggered on a PIIX.
const (
	ELCRMasterWritable = 0xF8
	ELCRSlaveWritable  = 0xDE
)

// Vector bases SeaBIOS programs, the power-on state of this model.
const (
	BIOSMasterBase = 0x08
	BIOSSlaveBase  = 0x70
)

// cascadeIR is the master input the slave's INT output is wired to on a PC.
const cascadeIR = 2
