package serial

// Register offsets from the UART's base (0x3F8 for COM1). Offsets 0 and 1
// reach the divisor latch instead while LCR's DLAB is set.
const (
	RegRBR = 0 // read: receiver buffer (next received byte)
	RegTHR = 0 // write: transmitter holding register
	RegDLL = 0 // DLAB=1: divisor latch, low byte
	RegIER = 1 // interrupt enable
	RegDLM = 1 // DLAB=1: divisor latch, high byte
	RegIIR = 2 // read: interrupt identification
	RegFCR = 2 // write: FIFO control
	RegLCR = 3 // line control
	RegMCR = 4 // modem control
	RegLSR = 5 // line status (read only)
	RegMSR = 6 // modem status (read only)
	RegSCR = 7 // scratch: holds any byte, no function
	nRegs  = 8
)

// IER bits. Bits 7-4 read as 0.
const (
	IERERBFI = 0x01 // received data available (and character timeout) interrupt
	IERETBEI = 0x02 // transmitter holding register empty interrupt
	IERELSI  = 0x04 // receiver line status interrupt (overrun, parity, framing, break)
	IEREDSSI = 0x08 // modem status interrupt (a delta bit in MSR)
	ierMask  = 0x0F
)

// IIR values: bit 0 clear means an interrupt is pending, bits 3-1 name the
// highest-priority source. Bits 7-6 read 0b11 while the FIFOs are enabled.
const (
	IIRNoInterrupt = 0x01 // no interrupt pending
	IIRModemStatus = 0x00 // priority 4: MSR delta; cleared by reading MSR
	IIRTHRE        = 0x02 // priority 3: THR empty; cleared by reading IIR or writing THR
	IIRRDA         = 0x04 // priority 2: received data at or above the trigger level; cleared by reading RBR below it
	IIRLineStatus  = 0x06 // priority 1: OE, PE, FE or BI in LSR; cleared by reading LSR
	IIRCharTimeout = 0x0C // priority 2: data below the trigger level, none read lately; cleared by reading RBR
	IIRFIFOEnabled = 0xC0 // FIFOs enabled (16550A)
)

// FCR bits (write only).
const (
	FCREnable      = 0x01 // enable both FIFOs; changing it clears them. Other bits act only with it set
	FCRClearRX     = 0x02 // clear the receive FIFO (self-clearing)
	FCRClearTX     = 0x04 // clear the transmit FIFO (self-clearing; it is always empty here)
	FCRDMAMode     = 0x08 // DMA mode 1 (RXRDY/TXRDY pins only; no effect here)
	FCRTriggerMask = 0xC0 // receive interrupt trigger level: 1, 4, 8 or 14 bytes
	fcrKept        = FCREnable | FCRDMAMode | FCRTriggerMask
)

// Receive trigger levels selected by FCR bits 7-6.
var triggerLevels = [4]int{1, 4, 8, 14}

// LCR bits.
const (
	LCRWordLength = 0x03 // 5, 6, 7 or 8 data bits (no effect here)
	LCRStopBits   = 0x04 // 1 or 1.5/2 stop bits (no effect here)
	LCRParity     = 0x38 // parity enable, even, stick (no effect here)
	LCRBreak      = 0x40 // set break: hold the line low (no effect here)
	LCRDLAB       = 0x80 // divisor latch access: offsets 0 and 1 reach DLL and DLM
)

// MCR bits. Bits 7-5 read as 0.
const (
	MCRDTR  = 0x01 // data terminal ready (looped to DSR)
	MCRRTS  = 0x02 // request to send (looped to CTS)
	MCROUT1 = 0x04 // user output 1 (looped to RI)
	MCROUT2 = 0x08 // user output 2: on a PC it connects the interrupt to the PIC (looped to DCD)
	MCRLOOP = 0x10 // local loopback: transmitter feeds receiver, outputs feed the modem inputs
	mcrMask = 0x1F
)

// LSR bits.
const (
	LSRDR       = 0x01 // data ready: the receive FIFO is not empty
	LSROE       = 0x02 // overrun error: a byte was lost; cleared by reading LSR
	LSRPE       = 0x04 // parity error (never set here)
	LSRFE       = 0x08 // framing error (never set here)
	LSRBI       = 0x10 // break interrupt (never set here)
	LSRTHRE     = 0x20 // THR empty: the guest may write the next byte
	LSRTEMT     = 0x40 // transmitter empty: THR and shift register idle
	LSRRXFIFOE  = 0x80 // an error byte is in the receive FIFO (never here: overruns are not in the FIFO)
	lsrErrors   = LSROE | LSRPE | LSRFE | LSRBI
	lsrTxIdle   = LSRTHRE | LSRTEMT
	rxFIFOBytes = 16
)

// MSR bits: the delta bits 3-0 are set when the matching input changes and
// cleared when MSR is read.
const (
	MSRDCTS  = 0x01 // CTS changed
	MSRDDSR  = 0x02 // DSR changed
	MSRTERI  = 0x04 // RI went from on to off (trailing edge)
	MSRDDCD  = 0x08 // DCD changed
	MSRCTS   = 0x10 // clear to send (MCR RTS in loopback)
	MSRDSR   = 0x20 // data set ready (MCR DTR in loopback)
	MSRRI    = 0x40 // ring indicator (MCR OUT1 in loopback)
	MSRDCD   = 0x80 // data carrier detect (MCR OUT2 in loopback)
	msrDelta = 0x0F
)

// HostModemInputs are the modem inputs outside loopback: a null-modem cable
// to a host that is always ready.
const HostModemInputs = MSRCTS | MSRDSR | MSRDCD

// Power-on divisor: 12, 9600 baud from the 1.8432 MHz crystal.
const resetDivisor = 12
