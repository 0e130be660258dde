// Command pollscope boots a kernel in a KVM virtual machine with the PC's
// legacy devices and shows what it does.
//
//	pollscope [flags]
//
// With no -kernel it boots the embedded demo kernel. Flags follow QEMU's
// where a QEMU user would reach for them (-kernel, -append, -m, -display,
// -serial, -accel). The exit status follows the guest: an isa-debug-exit
// value v gives (v<<1)|1 as under QEMU; 0 when the run was stopped by a
// signal or -duration; 2 when the guest shut down (triple fault) or halted
// for good; 3 on an emulator error; 4 when a -script step failed; 64 on bad
// usage.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses of the command itself (the guest's own come from
// emulator.Result.Status).
const (
	statusEmulatorError = 3
	statusScriptFailed  = 4
	statusUsage         = 64
)
