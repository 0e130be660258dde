package main

import (
	"fmt"
	"io"
)

// Exit statuses. A guest that writes value v to isa-debug-exit (port 0xf4)
// ends the run with (v << 1) | 1, as under QEMU, so a blog_os-style test
// runner configured for QEMU works unchanged; that is always odd. Every
// status of pollscope's own is even, so no guest status can be mistaken for
// one.
const (
	statusStopped       = 0  // the host stopped the guest: a signal, -duration, -until, the window closed
	statusGuestCrashed  = 2  // triple fault, halted with interrupts off, or reset through the 8042
	statusEmulatorError = 4  // pollscope itself failed (the message says how)
	statusScriptFailed  = 6  // a -script step failed
	statusNoDisplay     = 8  // -display gui was asked for and no display could be opened, or pollscope view has no window
	statusBadKernel     = 10 // the kernel file is missing, unreadable or not a bootable PVH ELF
	statusBadSession    = 12 // pollscope view or replay: the file is missing, unreadable or not a session
	statusUsage         = 64 // bad flags or script syntax; nothing ran
)

// statusTable is the exit-status table -help prints; README.md has the same
// rows (a test checks both, and that each status is what such a run gets).
var statusTable = []struct{ status, meaning string }{
	{"(v<<1)|1, odd", "the guest wrote value v to isa-debug-exit (port 0xf4), as under QEMU"},
	{fmt.Sprint(statusStopped), "the host stopped the guest: a signal (SIGINT, SIGTERM, SIGHUP), -duration, -until, or the window was closed"},
	{fmt.Sprint(statusGuestCrashed), "the guest triple-faulted, halted with interrupts off, or reset the machine (a register dump is printed)"},
	{fmt.Sprint(statusEmulatorError), "pollscope itself failed; the message says how"},
	{fmt.Sprint(statusScriptFailed), "a -script step failed; the message names the step"},
	{fmt.Sprint(statusNoDisplay), "-display gui was asked for and no display could be opened, or pollscope view has no viewer window"},
	{fmt.Sprint(statusBadKernel), "the kernel file is missing, unreadable or not a bootable PVH ELF"},
	{fmt.Sprint(statusBadSession), "pollscope view or replay: the session file is missing, unreadable or not a session"},
	{fmt.Sprint(statusUsage), "bad usage (flags, values, script syntax); nothing ran"},
}

// printStatusTable writes the table for -help.
func printStatusTable(w io.Writer) {
	fmt.Fprintln(w, "\nExit status:")
	for _, r := range statusTable {
		fmt.Fprintf(w, "  %-14s %s\n", r.status, r.meaning)
	}
}
