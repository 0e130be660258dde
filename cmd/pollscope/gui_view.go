//go:build gui

package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/ui"
)

// The session viewer's window (package ui), for `pollscope view FILE`.
func init() {
	viewWindow = func(path string, opened time.Time, log io.Writer) error {
		ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		defer cancel()
		open := func() (*emulator.Session, error) { return emulator.OpenSession(path) }
		return ui.RunView(ui.ViewOptions{Open: open, Path: path, Context: ctx, StateFile: os.Getenv(guiStateEnv), Log: log, Opened: opened})
	}
}
