// Package pit models the PC's Intel 8254 programmable interval timer at
// ports 0x40-0x43, together with the PC's system control port B (0x61),
// which carries counter 2's GATE input and OUT output.
//
// Three counters share one 1.193182 MHz input clock. A guest programs a
// counter in two steps:
//
//   - It writes a control word to port 0x43: which counter, how its count is
//     accessed (low byte, high byte, or low then high), the mode, and binary
//     or BCD counting. OUT goes to the mode's initial level and the counter
//     waits for a count.
//   - It writes the count to the counter's port, one or two bytes. Counting
//     starts on the next clock (modes 0, 2, 3, 4) or on GATE's next rising
//     edge (modes 1, 5). A count of 0 means 0x10000 (10000 in BCD).
//
// To read a counter it either reads the port directly (the count may change
// between the two bytes), or first writes a counter latch command (access
// bits 00) or a read-back command (0b11 in bits 7-6), which freezes the
// count and/or a status byte until the guest has read them.
//
// Linux uses counter 0 for its tick (mode 2, or mode 4 for one-shot events)
// and counter 2 to calibrate the TSC: it raises GATE2 through port 0x61,
// starts a mode 0 count and polls port 0x61 bit 5 (OUT2) or reads the
// count's high byte until it changes.
//
// # Choices this model makes
//
//   - Nothing is stepped per tick. Each counter records the tick at which it
//     started and derives its count and OUT from the clock on demand, so an
//     idle guest costs nothing. Ticks are floor(t * 1193182 / 1e9) of the
//     Clock's time, in 128-bit arithmetic.
//   - The edge-triggered PIC needs to see OUT0 rise. Advance (called by the
//     machine's timer service at NextDeadline) reports every rise since the
//     last Advance as one low-high pulse on IRQ 0; rises that fell between
//     two Advances are counted in MissedTicks, as a real PIC would have lost them
//     too had the CPU not acknowledged in time.
//   - The count loads into the counting element at the tick of the write,
//     not one clock later: reads right after a write see the full count; the
//     null-count status bit stays set until the next tick.
//   - Mode 2 and 3 counts written while a counter runs take effect at the end
//     of the current period (mode 2) or half period (mode 3), as the
//     datasheet says. Mode 4 restarts at once; modes 1 and 5 wait for the next
//     GATE trigger.
//   - A count of 1 in modes 2 and 3, which the datasheet calls illegal,
//     leaves OUT constant (low in mode 2, high in mode 3) with no edges,
//     rather than a 1.19 MHz interrupt storm.
//   - Reading port 0x43 answers 0. Accesses wider than a byte are split into
//     byte accesses to consecutive ports.
//   - Power-on state: counter 0 in mode 2 with count 0 (18.2 Hz), as SeaBIOS
//     leaves it; counters 1 and 2 in mode 3 with count 0, as QEMU resets them.
package pit
