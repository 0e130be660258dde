// Package serial models a National Semiconductor 16550A UART as a PC's COM1
// (ports 0x3F8-0x3FF, IRQ 4).
//
// A guest driver such as Linux's 8250 talks to it like this:
//
//   - Probe: write and read back the scratch register and IER, enable the
//     FIFOs through FCR and check that IIR bits 7-6 read 0b11 (a 16550A),
//     enter loopback through MCR and check that MSR mirrors the MCR outputs.
//   - Set the line: set LCR's DLAB, write the baud-rate divisor to DLL/DLM,
//     write LCR again with the word length and DLAB clear.
//   - Start: set MCR's DTR, RTS and OUT2 (OUT2 connects the interrupt to the
//     PIC on a PC), enable receive and line-status interrupts in IER.
//   - Transmit: write bytes to THR while LSR's THRE says there is room, or set
//     IER's ETBEI and write a FIFO's worth from each "THR empty" interrupt,
//     clearing ETBEI when nothing is left to send.
//   - Receive: on a "data available" or "character timeout" interrupt, read
//     RBR while LSR's DR is set.
//   - Interrupt: read IIR to learn the highest-priority source, and clear it
//     the way that source wants (read LSR, read RBR, read IIR or write THR,
//     read MSR), until IIR reads "no interrupt pending".
//
// # Choices this model makes
//
//   - Transmission is instantaneous: a byte written to THR (outside loopback)
//     goes to the output writer at once, so THRE and TEMT read as set again
//     right away and, if ETBEI is set, the THR-empty interrupt is pending
//     again. Errors from the writer are ignored; the byte is gone.
//   - Reception is from the host through Receive into a 16-byte receive
//     FIFO, whether or not the guest has enabled the FIFOs (with FIFOs off it
//     still delivers one byte per RBR read, as a 16450 does when it is read
//     fast enough). A byte that finds the FIFO full is lost as on a wire: LSR's
//     OE is set and Overruns counts it. In loopback the receiver input is
//     disconnected, so Receive accepts nothing.
//   - The character timeout is simplified: there is no clock, so with FIFOs
//     enabled a FIFO holding fewer bytes than the trigger level reports the
//     timeout interrupt (IIR 0x0C) at once, while one at or above the trigger
//     level reports "data available" (IIR 0x04).
//   - Setting ETBEI while THR is empty raises the THR-empty interrupt, as a
//     real 16550A does (Linux's UART_BUG_THRE test expects it).
//   - The interrupt line follows "an interrupt is pending" gated, as on a PC,
//     by MCR's OUT2; in loopback OUT2 is looped back to DCD and the output pin
//     is inactive, so the line stays low.
//   - The modem inputs outside loopback are a null-modem cable to a ready
//     host: CTS, DSR and DCD asserted, RI not.
//   - Register accesses wider than a byte are split into byte accesses to
//     consecutive offsets, as an ISA bus does for an 8-bit device; bytes
//     beyond the UART's eight ports read as 0xFF and writes to them are
//     dropped.
package serial
