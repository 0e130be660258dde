package view

import (
	"os"
	"path/filepath"
)

// DefaultSaveDir is where the window saves traces and screenshots unless
// told otherwise: $XDG_STATE_HOME/pollscope, that is
// ~/.local/state/pollscope when XDG_STATE_HOME is not set (the XDG base
// directory specification's place for state worth keeping that is not a
// document), or pollscope in the temporary directory without a home.
// SaveDirHint says the same in the help.
func DefaultSaveDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "pollscope")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "pollscope")
	}
	return filepath.Join(os.TempDir(), "pollscope")
}
