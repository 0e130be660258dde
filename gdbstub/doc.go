// Package gdbstub is pollscope's GDB remote serial protocol stub.
package gdbstub
