// Package pic models the PC's two cascaded Intel 8259A programmable interrupt
// controllers: the master at ports 0x20/0x21, whose INT output goes to the
// CPU, and the slave at 0xA0/0xA1, whose INT output drives the master's IR2.
// The edge/level control registers (ELCR) of the PIIX/ICH chipsets sit at
// 0x4D0 (master) and 0x4D1 (slave).
//
// A guest driver talks to each chip in three phases:
//
//   - Initialisation: it writes ICW1 (bit 4 set) to the command port, then
//     ICW2 (the vector base) to the data port, then ICW3 (master: a bitmap of
//     the IRs that carry slaves; slave: its cascade identity) unless ICW1 asked
//     for single mode, then ICW4 (8086 mode, auto-EOI) if ICW1 asked for it.
//     Linux's init_8259A sends 0x11, base, 0x04 / 0x02, 0x01 to each chip.
//   - Masking: every later write to the data port is OCW1, the interrupt mask
//     register (IMR); a read returns it.
//   - Commands: a write to the command port with bit 4 clear is OCW2 (bit 3
//     clear: end of interrupt, rotation, priority) or OCW3 (bit 3 set: select
//     IRR or ISR for the next command-port read, poll, special mask mode).
//
// When an input requests service (IRR) and is not masked, and no input of
// equal or higher priority is in service (ISR), the chip raises INT. The CPU
// answers with an interrupt-acknowledge cycle (Pair.Acknowledge here): the
// chip moves the request from IRR to ISR and returns ICW2's base plus the IR
// number. If the request for an IR on the slave won, the master marks IR2 in
// service and the slave supplies the vector. The handler later writes an EOI
// to the slave (if it was a slave IRQ) and to the master, clearing the ISR
// bits so lower-priority requests can get through again.
//
// # Choices this model makes
//
//   - Power-on state: pollscope boots without firmware, so New returns both
//     chips as SeaBIOS's pic_setup leaves them under QEMU: initialised in
//     cascade and 8086 mode, vector bases 0x08 and 0x70, every input masked
//     except the master's cascade input IR2. No interrupt reaches the CPU
//     before the guest unmasks one.
//   - Edge-triggered inputs latch a request on a rising edge; the request
//     vanishes again if the line falls before the acknowledge, as on a real
//     8259A (which then answers the acknowledge with IR7, "spurious"). A
//     level-triggered input (ELCR bit or ICW1's LTIM) requests for as long as
//     its line is high; its IRR bit follows the line and survives the
//     acknowledge.
//   - A spurious acknowledge (nothing left to serve) returns the master's IR7
//     vector without touching ISR; if the master chose IR2 but the slave has
//     nothing, the master marks IR2 in service and the slave's IR7 vector is
//     returned, so the guest sees IRQ 15 and sends an EOI to the master only.
//   - Special mask mode lets through every unmasked request that is not itself
//     in service, whatever the priority of the ISR bits (the datasheet's "all
//     other levels, lower as well as higher").
//   - Special fully nested mode (ICW4 bit 4) is honoured on the master: IR2
//     in service does not block a further, higher-priority request from the
//     slave.
//   - The poll command answers 0x80|level and acknowledges that level on the
//     chip that was read (only that chip); with nothing pending it answers 0.
//   - The master's IR2 input is the wired OR of the slave's INT output and of
//     the line returned by IRQ(2); the slave supplies the vector for IR2 unless
//     ICW1 put the master in single mode.
//   - Register accesses wider than a byte are split into byte accesses to
//     consecutive offsets, as an ISA bus does for an 8-bit device; bytes
//     beyond the chip's two ports read as 0xFF and writes to them are dropped.
package pic
