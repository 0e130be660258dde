package main

import (
	"io"
	"os"

	"github.com/pollscope/pollscope/emulator"
)

// With -serial stdio in a terminal run, standard input goes to the guest's
// COM1, as under QEMU: a shell on the guest's serial console (Linux's
// ttyS0) reads what is typed. A terminal is put in character mode without
// echo for the run (the guest echoes); Ctrl-C still stops pollscope.
// -keys stdin takes standard input for the keyboard instead.

// startSerialInput forwards stdin to m's COM1 when that is what stdin is
// for (a terminal run of the command itself, whose serial output is the
// process's stdout), and returns what undoes it at the end of the run.
func startSerialInput(o *options, m *emulator.Machine, con *console, stdout io.Writer) (stop func()) {
	if o.serial != "stdio" || o.display != "none" || o.keysFromStdin || o.script != "" || stdout != io.Writer(os.Stdout) {
		return func() {}
	}
	restore := characterMode(os.Stdin)
	go forwardSerial(m, os.Stdin, con)
	return restore
}

// forwardSerial sends what r gives to the guest's serial port until r ends.
func forwardSerial(m *emulator.Machine, r io.Reader, con *console) {
	buf := make([]byte, 256)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			m.SendSerial(append([]byte(nil), buf[:n]...))
		}
		if err != nil {
			if err != io.EOF {
				con.say("-serial stdio: reading stdin: %v", err)
			}
			return
		}
	}
}
