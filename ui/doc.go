// Package ui is pollscope's window: the guest's VGA console, a live timeline
// of its async executor and a task table, drawn with ebiten.
//
// This package is the thin layer that needs a window: it polls ebiten for
// input, hands it to the view model (package ui/view), which computes the
// whole frame as rectangles, lines and text, and draws that with a handful of
// DrawTriangles calls from one texture atlas (the VGA font, the UI font and
// a white block). It also carries out what the user asks of the machine:
// key presses, pause and resume, reset, saving the trace and screenshots.
//
// Ebiten v2.8 opens the X display when the program starts (in a package
// init), so a program that imports this package cannot start without a
// display, unless it is built as `make build` does: with the "ebitenlazy"
// tag in a Go workspace where ebiten opens the display at its first use
// (scripts/ebitenlazy). Run then checks first that the display answers. The
// keyboard is read from the X server's own events (xkeys.go).
package ui
