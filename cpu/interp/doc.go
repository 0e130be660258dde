// Package interp is pollscope's software CPU: an x86-64 interpreter in Go
// behind the cpu.VCPU seam, decoding with golang.org/x/arch/x86/x86asm.
package interp
