// Command pollscope boots a kernel on a virtual CPU (the host's KVM, or the
// software CPU) with the PC's legacy devices and shows what it does.
//
//	pollscope [flags]
//
// With no -kernel it boots the embedded demo kernel. Flags follow QEMU's
// where a QEMU user would reach for them (-kernel, -append, -m, -display,
// -serial, -accel). The exit status follows the guest as under QEMU (an
// isa-debug-exit value v gives (v<<1)|1, always odd); pollscope's own
// statuses are even (status.go, and pollscope -help).
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
