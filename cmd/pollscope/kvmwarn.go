package main

import "github.com/pollscope/pollscope/emulator"

// warnStockKernel says, before the guest runs, when a kernel of the user's
// own (-kernel) is about to run on KVM on a host whose KVM emulates CPL0:
// there a stock kernel crawls and then stops at an instruction KVM's
// emulator lacks (emulator.StockKernelWarning), and the software CPU is
// the way to run it. The demo kernel runs its executor at CPL3, natively,
// and is not concerned.
func warnStockKernel(con *console, o *options, m *emulator.Machine) {
	if o.kernel == "" || m.Backend() != emulator.BackendKVM {
		return
	}
	if w := emulator.StockKernelWarning(emulator.DetectHostKind()); w != "" {
		con.say("%s", w)
	}
}
