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
	viewWindow = func(s *emulator.Session, path string, opened time.Time, log io.Writer) error {
		ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		defer cancel()
		return ui.RunView(ui.ViewOptions{Session: s, Path: path, Context: ctx, StateFile: os.Getenv(guiStateEnv), Log: log, Opened: opened})
	}
}
