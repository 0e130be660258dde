// Package ps2 models the PC's 8042 keyboard controller with an MF2 keyboard
// on its first port and an empty second (auxiliary, mouse) port.
//
// The controller answers on two I/O ports: the data port (0x60 on a PC) and
// the status/command port (0x64). A guest driver talks to it in three ways:
//
//   - It writes a controller command to port 0x64 (for example 0x20, "read
//     configuration byte") and, when the command returns a byte, waits for the
//     output-buffer-full bit in the status register, then reads port 0x60.
//   - It writes a controller command that takes a parameter (for example 0x60,
//     "write configuration byte") to port 0x64, then the parameter to port 0x60.
//   - It writes any other byte to port 0x60 while no controller command awaits
//     a parameter; the controller passes that byte to the keyboard as a
//     keyboard command (0xF2 identify, 0xED set LEDs, ...). The keyboard's
//     answer arrives in the output buffer like a scan code, raising IRQ 1.
//
// The output buffer holds one byte. The next byte moves in from the
// controller's own answer or from the keyboard only after the guest has read
// port 0x60; a controller answer goes first. While the configuration byte's
// XLATE bit is set, the controller translates every keyboard byte from scan
// code set 2 to set 1 through the 8042's fixed table, turning a 0xF0 break
// prefix into bit 7 of the following byte.
//
// # Choices this model makes
//
//   - Power-on state: pollscope boots a kernel without firmware, so New returns
//     the controller and keyboard as SeaBIOS leaves them under QEMU:
//     configuration byte 0x61 (IRQ 1 enabled, aux port disabled, translation
//     on), system flag set, keyboard enabled in scan code set 2. A kernel
//     written for QEMU (blog_os style, reading set-1 codes) works unchanged.
//   - Self test (0xAA) answers 0x55 and, as in QEMU, leaves the configuration
//     byte unchanged; Linux copes with either behaviour.
//   - The aux port is present but nothing is plugged in: the interface test
//     (0xA9) passes, the loop-back command 0xD3 works (Linux uses it to find the
//     port and to test IRQ 12), and every byte sent to the mouse with 0xD4 is
//     answered by 0xFE in the output buffer as aux data with the timeout bit
//     set, which is what a controller reports when no device clocks the byte
//     in. Linux's psmouse gives up at once instead of waiting.
//   - The A20 bit of the output port is stored and reported but gates nothing.
//   - The keyboard speaks scan code sets 2 (its default) and 1. A request for
//     set 3 is acknowledged and ignored, so a driver that reads the set back
//     (as Linux's atkbd does) sees that it did not take and returns to set 2.
//     It sends no "fake shift" prefixes around the E0 keys, as QEMU's does
//     not, and no Alt+PrintScreen (SysRq) or Ctrl+Pause (Break) variants.
//   - Host key events become whole make or break sequences in a FIFO of
//     QueueCap events. An event that does not fit is dropped whole and counted
//     (Dropped). While the keyboard's scanning is disabled (0xF5, until 0xF4),
//     key events are discarded, as a real keyboard does, and counted
//     separately (Discarded); the commands that clear a real keyboard's buffer
//     (0xF5, 0xF6, 0xFF) discard the events that have not started to go out,
//     and count them the same way.
//   - The controller's own answers (0x55, the configuration byte, ...) raise
//     IRQ 1 like keyboard data when ConfigINT is set, as on QEMU; bytes that
//     come as aux data (0xD3, the 0xD4 timeout) raise IRQ 12 when ConfigINT2
//     is set. Writing the configuration byte does not change the status
//     register's system flag, which only the self test sets (as on QEMU).
//   - Keyboard replies to commands take precedence over queued key events, but
//     never cut into an event already partly sent.
//   - Data accesses wider than one byte act once, on the low byte; the upper
//     bytes read as 0xFF, as from an empty bus.
package ps2
