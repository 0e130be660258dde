//go:build !gui

package main

import "github.com/pollscope/pollscope/emulator"

// openWindow reports that this build has no window. The GUI is left out
// unless pollscope is built with -tags gui (make build does so), which needs
// cgo and the X11 and OpenGL headers; without it pollscope builds anywhere
// and runs in terminal mode only.
func openWindow(c guiConfig) (*emulator.Machine, error) { return c.m, errNoGUI }
