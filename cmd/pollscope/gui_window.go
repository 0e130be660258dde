//go:build gui

package main

import (
	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/ui"
)

// openWindow runs the guest in the GUI window (package ui).
func openWindow(c guiConfig) (*emulator.Machine, error) {
	return ui.Run(ui.Options{
		Machine:   c.m,
		Config:    c.cfg,
		Context:   c.ctx,
		Title:     c.title,
		TracePath: c.tracePath,
		StateFile: c.stateFile,
		Log:       c.log,
	})
}
