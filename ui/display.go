package ui

import (
	"fmt"
	"os"
)

// openDisplay checks that an X display can be had and makes the program's
// first call into ebiten, which opens the display then. Two checks, as the
// two libraries ask differently: displayReachable speaks the X protocol to
// the server, and ebiten's GLFW opens it through Xlib, which also refuses
// what the server never checked (a screen number it does not have, as in
// DISPLAY=:0.5). GLFW's refusal is a panic; it becomes the error the caller
// falls back to the terminal on, instead of a crash whose exit status 2
// would read as the guest's triple fault.
func openDisplay() (at *atlas, err error) {
	if err := displayReachable(); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			at, err = nil, fmt.Errorf("no display: the graphics library could not open X display %s: %v", os.Getenv("DISPLAY"), r)
		}
	}()
	at, err = newAtlas()
	if err != nil {
		return nil, fmt.Errorf("building the GUI's fonts: %w", err)
	}
	return at, nil
}
