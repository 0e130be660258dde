// Package rtc models the PC's CMOS real-time clock, a Motorola MC146818A, at
// ports 0x70-0x71 with its interrupt on IRQ 8.
//
// The part is 128 bytes behind an index port: 14 clock and control registers
// and 114 bytes of battery-backed RAM. A guest writes a register number to
// port 0x70 and reads or writes the register at port 0x71. The registers:
//
//   - 0x00-0x09: seconds, minutes and hours, each with an alarm register
//     beside it, then day of week, day of month, month and year, in BCD or
//     binary and 24- or 12-hour mode as register B says. The PC adds the
//     century at 0x32.
//   - Register A: UIP (an update is less than 244 µs away), the divider
//     chain (32.768 kHz, or held in reset) and the periodic interrupt's rate.
//   - Register B: SET (hold updates while software sets the time), the
//     enables of the periodic, alarm and update-ended interrupts, the
//     square-wave output, the data mode, 12/24-hour mode, daylight saving.
//   - Register C: the interrupt flags; reading it clears them and lowers
//     IRQ 8. Register D: VRT, the battery is good.
//
// What Linux does with it:
//
//   - Reading the time (mc146818_get_time, through mc146818_avoid_UIP, for
//     the boot-time clock and for rtc-cmos): read the seconds, read register
//     A and retry a millisecond later while UIP is set, read the seconds
//     again and retry if they changed; then read minutes, hours, day, month,
//     year and register B; read A and the seconds once more and start over
//     if UIP is set or the seconds moved. x86 always decodes BCD.
//   - Setting the time (mc146818_set_time): set SET in B, put the divider in
//     reset through A, write year, month, day, hours, minutes and seconds,
//     restore B and A. The first update comes half a second after A leaves
//     reset.
//   - rtc-cmos's probe: check that UIP ever clears, select 1024 Hz in A,
//     clear PIE, AIE and UIE in B and read C to drop stale flags, check
//     that B says 24-hour mode, claim IRQ 8.
//   - Alarms: clear AIE (reading C), write hours, minutes and seconds of the
//     alarm, set AIE (reading C again). The interrupt handler reads C and B,
//     and clears AIE after an alarm: Linux alarms are one-shot. Linux
//     emulates the update and periodic interrupts of /dev/rtc with alarms
//     and hrtimers, so a modern kernel mostly uses AIE.
//
// # Choices this model makes
//
//   - Nothing is stepped per second. The clock's count of seconds and the
//     divider chain's phase are state; every port access and Advance apply
//     the updates and periodic edges since the last one at once (a jump of
//     the count, the flags they set). NextDeadline says when IRQ 8 would
//     next rise by itself, so the board arms a timer only while an enabled
//     interrupt is due.
//   - The device never reads a clock. Virtual time comes from the
//     devices.Clock; the wall time the registers start from (UTC, as Linux
//     expects on a PC) comes from the board at New, or through SetWallTime.
//   - An update is instantaneous at the second boundary. UIP is set for the
//     244 µs before it, so a reader that sees UIP clear may read every time
//     register before they change; the 1984 µs update cycle that follows on
//     the part is not modelled.
//   - The time registers are a view of the count. Writing one sets the count
//     to what the registers now say; values out of range carry (a minute of
//     61 seconds) rather than doing whatever the part does with them. The day
//     of the week follows from the date: a value written there reads back
//     until the next update. Changing the data mode or 12/24-hour mode
//     re-expresses the time registers at once (the part leaves them to
//     software), and leaves the alarm registers alone.
//   - The divider settings 000 and 001 run as the PC's 32.768 kHz one; the
//     reset (11x) and test settings (011, 10x) stop the chain, as QEMU does.
//   - Daylight saving (DSE) and the square-wave output (SQWE) are kept but do
//     nothing: the pin is not wired on a PC.
//   - Bit 7 of the index is the PC's NMI mask; the RTC keeps it (State,
//     NMIDisabled) for the board. Port 0x70 reads as 0xFF. Accesses wider
//     than a byte are split into byte accesses to consecutive ports.
//   - Power-on state: as SeaBIOS leaves the part, register A 0x26 (32.768 kHz,
//     1024 Hz), register B 0x02 (24-hour BCD, no interrupts), register D
//     0x80. The board may record the memory size (SetMemorySize).
package rtc
