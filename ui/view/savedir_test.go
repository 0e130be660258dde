package view

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDefaultSaveDir(t *testing.T) {
	tests := []struct {
		name, xdg, home, want string
	}{
		{"XDG_STATE_HOME set", "/var/lib/me", "/home/me", "/var/lib/me/pollscope"},
		{"XDG_STATE_HOME unset: under the home", "", "/home/me", "/home/me/.local/state/pollscope"},
		{"a relative XDG_STATE_HOME is ignored, as the specification says", "state", "/home/me", "/home/me/.local/state/pollscope"},
		{"no home: the temporary directory", "", "", filepath.Join(os.TempDir(), "pollscope")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("XDG_STATE_HOME", tt.xdg)
			t.Setenv("HOME", tt.home)
			if got := DefaultSaveDir(); got != tt.want {
				t.Errorf("DefaultSaveDir() = %q, want %q", got, tt.want)
			}
		})
	}
}
