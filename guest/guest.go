// Package guest embeds pollscope's demo kernel, built from the Rust source in
// guest/kernel by `make kernel`.
package guest

import _ "embed"

// Kernel is the demo kernel: an ELF64 image with a PVH entry note, so it
// boots under pollscope and under `qemu-system-x86_64 -kernel` alike.
//
//go:embed kernel.elf
var Kernel []byte
