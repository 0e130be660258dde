// Package benchmarks measures pollscope: boot time, idle host load and, as
// the suite grows, context-switch costs in the guest and on the host. Run it
// with `make bench`; every figure is measured in the run that prints it.
package benchmarks
