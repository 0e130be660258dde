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
	viewWindow = func(path string, at int64, opened time.Time, log io.Writer) error {
		ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		defer cancel()
		open := func() (*emulator.Session, error) {
			s, err := emulator.OpenSession(path)
			if err != nil {
				return nil, &sessionError{err}
			}
			return s, nil
		}
		return ui.RunView(ui.ViewOptions{Open: open, Path: path, At: at, Context: ctx, StateFile: os.Getenv(guiStateEnv), Log: log, Opened: opened})
	}
}
