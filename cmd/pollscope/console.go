package main

import (
	"fmt"
	"io"
	"sync"
)

// console is the terminal a run shares between the guest's serial output
// (stdout) and pollscope's own messages (stderr). On a terminal both land
// on the same screen, so before pollscope says anything it ends the guest's
// unfinished line: a status line never glues onto the guest's output, and a
// run stopped by -until mid-line still ends with a newline.
type console struct {
	mu      sync.Mutex
	out     io.Writer
	err     io.Writer
	written bool
	last    byte // last byte written to out
}

func newConsole(stdout, stderr io.Writer) *console { return &console{out: stdout, err: stderr} }

// Write is the guest's serial output on its way to stdout.
func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(p) > 0 {
		c.written, c.last = true, p[len(p)-1]
	}
	return c.out.Write(p)
}

// finishLine ends the guest's last line if it is unfinished.
func (c *console) finishLine() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.written && c.last != '\n' {
		c.out.Write([]byte{'\n'})
		c.last = '\n'
	}
}

// say prints one of pollscope's own messages on stderr, on a line of its
// own.
func (c *console) say(format string, args ...any) {
	c.finishLine()
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.err, "pollscope: "+format+"\n", args...)
}

// messages is a writer for pollscope's own lines on stderr (the GUI's log):
// each write first ends the guest's unfinished line.
func (c *console) messages() io.Writer { return messageWriter{c} }

type messageWriter struct{ c *console }

func (w messageWriter) Write(p []byte) (int, error) {
	w.c.finishLine()
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	return w.c.err.Write(p)
}
