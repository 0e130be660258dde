//go:build !gui

package main

import "github.com/pollscope/pollscope/emulator"

// openWindow reports that this build has no window. The GUI is left out
// unless pollscope is built with -tags gui, because ebiten connects to the X
// display while the program initialises, before main runs: a binary that
// links it cannot start at all without a display, not even for -display
// none, and neither can the test binaries of this package in CI.
func openWindow(c guiConfig) (*emulator.Machine, error) { return c.m, errNoGUI }
