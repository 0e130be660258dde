// Package session records a pollscope run to a file and opens it again:
// what the GUI needs to show the run without the guest.
//
// A session file (docs/session-format.md) is a 16-byte header followed by
// chunks, each a kind, a length, a DEFLATE-compressed payload and a CRC-32C.
// A Writer appends chunks as the run goes: the trace events exactly as the
// machine drained them (batch by batch, each with the guest ring's
// counters), the serial output and VGA screens with their machine times,
// the host inputs with their instruction counts, the host counters and, at
// Close, how the run ended. Because every chunk checks itself, a file cut
// anywhere (a run killed with SIGKILL) reads back up to its last whole
// chunk.
//
// Open reads and checks the whole file once, builds an index of its chunks
// and the trace model at the end of the run. Session.Model(at) rebuilds the
// model from the events up to machine time at, so that what a viewer shows
// at a time is what the live view showed then; Screen(at) and Serial(at)
// give the console. Nothing read is trusted: lengths and counts are checked
// against the bytes that back them before anything is allocated, and a
// damaged chunk ends the session there (Session.Damage says why) rather
// than failing it.
//
// The package knows the trace model and the VGA screen (it imports trace
// and devices/vga) but not the machine: package emulator records sessions
// (Config.Record, Machine.Record) and reopens them (emulator.OpenSession)
// with the machine's own types.
package session
