package emulator

import (
	"image/color"

	"github.com/pollscope/pollscope/devices/ps2"
	"github.com/pollscope/pollscope/devices/vga"
)

// What a front end (the GUI, package ui) needs of the devices, named here so
// that it imports the emulator and the trace model only.

// Key is a key of the guest's US 104-key PS/2 keyboard, named by position
// and legend ("A", "Backspace", "LeftShift", "KP7"): what KeyDown and KeyUp
// take.
type Key = ps2.Key

// KeyByName finds a key by its name (Key.String) or a common alias ("esc",
// "ctrl", "pgup"), ignoring case.
func KeyByName(name string) (Key, bool) { return ps2.KeyByName(name) }

// KeyForRune returns the key that types r on the US layout and whether
// Shift must be held with it.
func KeyForRune(r rune) (k Key, shift, ok bool) { return ps2.KeyForRune(r) }

// Screen is a snapshot of the guest's VGA text screen, as Machine.Screen
// returns it.
type Screen = vga.Screen

// ScreenCell is one character cell of a Screen.
type ScreenCell = vga.Cell

// The text screen's size in cells.
const (
	ScreenCols = vga.Cols
	ScreenRows = vga.Rows
)

// ScreenColor is colour i (0-15) of the text mode palette, which a cell's
// attribute indexes (ScreenCell.Fg, ScreenCell.Bg).
func ScreenColor(i int) color.RGBA { return vga.Palette[i&15] }

// CP437 is the character a byte of the screen shows (VGA code page 437).
func CP437(b byte) rune { return vga.CP437(b) }
