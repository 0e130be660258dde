package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"

	"github.com/pollscope/pollscope/devices/ps2"
	"github.com/pollscope/pollscope/emulator"
)

// -keys stdin types what arrives on standard input into the guest's PS/2
// keyboard, so a terminal run can be used as one uses a PC: the kit's Linux
// runs a shell on tty1, which the keyboard types into (docs/linux.md). On
// a terminal, stdin is switched to character mode without echo for the run
// (the guest echoes what it reads); Ctrl-C still stops pollscope.
const keysFlagUsage = "stdin: type standard input into the guest's PS/2 keyboard (a terminal goes to character mode, no echo; Ctrl-C still stops the run)"

// setKeys is -keys' value.
func (o *options) setKeys(v string) error {
	if v != "stdin" && v != "none" {
		return fmt.Errorf("-keys takes stdin or none")
	}
	o.keysFromStdin = v == "stdin"
	return nil
}

// startKeys starts forwarding stdin to m's keyboard if -keys stdin asked
// for it, and returns what undoes it at the end of the run.
func startKeys(ctx context.Context, o *options, m *emulator.Machine, con *console) (stop func()) {
	if !o.keysFromStdin {
		return func() {}
	}
	restore := characterMode(os.Stdin)
	go forwardKeys(ctx, m, os.Stdin, con)
	return restore
}

// characterMode puts a terminal in non-canonical mode without echo
// (signals stay on) and returns what restores it; for anything but a
// terminal it does nothing.
func characterMode(f *os.File) func() {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return func() {}
	}
	t := *old
	t.Lflag &^= unix.ICANON | unix.ECHO
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if unix.IoctlSetTermios(fd, unix.TCSETS, &t) != nil {
		return func() {}
	}
	return func() { unix.IoctlSetTermios(fd, unix.TCSETS, old) }
}

// forwardKeys reads r until it ends and types each byte.
func forwardKeys(ctx context.Context, m *emulator.Machine, r io.Reader, con *console) {
	buf := make([]byte, 256)
	var esc []byte // an escape sequence being read (arrow keys)
	for {
		n, err := r.Read(buf)
		for _, b := range buf[:n] {
			esc = typeByte(ctx, m, b, esc)
		}
		if err != nil {
			if err != io.EOF {
				con.say("-keys: reading stdin: %v", err)
			}
			return
		}
	}
}

// Terminal input that is not a printable character: the control keys a
// shell needs, and the arrow keys' escape sequences (ESC [ A..D).
var (
	byteKeys = map[byte]ps2.Key{'\r': ps2.KeyEnter, 0x7f: ps2.KeyBackspace, 0x08: ps2.KeyBackspace, 0x1b: ps2.KeyEscape}
	arrows   = map[byte]ps2.Key{'A': ps2.KeyUp, 'B': ps2.KeyDown, 'C': ps2.KeyRight, 'D': ps2.KeyLeft}
)

// keyboard is what typeByte types on: the guest's keyboard
// (*emulator.Machine).
type keyboard interface {
	KeyDown(ps2.Key)
	KeyUp(ps2.Key)
	PressKey(ps2.Key)
	TypeText(ctx context.Context, s string) error
}

// typeByte types one byte of terminal input; esc carries a partly read
// escape sequence from byte to byte. A control sequence (ESC [ parameters
// final byte) is an arrow key or, like the cursor-position report a
// terminal sends when the guest's shell asks for one (ESC [ 6 n), nothing
// to type.
func typeByte(ctx context.Context, m keyboard, b byte, esc []byte) []byte {
	switch {
	case len(esc) == 1 && b == '[':
		return append(esc, b)
	case len(esc) >= 2 && b >= 0x40 && b <= 0x7e: // the final byte
		if k, ok := arrows[b]; ok && len(esc) == 2 {
			m.PressKey(k)
		}
		return nil
	case len(esc) >= 2:
		return append(esc, b) // a parameter byte
	case len(esc) == 1:
		m.PressKey(ps2.KeyEscape)
		esc = nil
	}
	switch {
	case b == 0x1b:
		return []byte{b}
	case b >= 0x20 && b < 0x7f, b == '\n', b == '\t':
		m.TypeText(ctx, string(rune(b)))
	case byteKeys[b] != 0:
		m.PressKey(byteKeys[b])
	case b >= 1 && b <= 26: // Ctrl-A .. Ctrl-Z
		m.KeyDown(ps2.KeyLeftCtrl)
		m.PressKey(ps2.KeyA + ps2.Key(b-1))
		m.KeyUp(ps2.KeyLeftCtrl)
	}
	return esc
}
