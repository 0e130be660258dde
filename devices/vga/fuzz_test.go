package vga

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz operations: an opcode byte, then its arguments.
const (
	opOutIndex = iota // out 0x3D4, argument: index
	opOutData         // out 0x3D5, argument: value
	opOutWord         // 16-bit out 0x3D4, arguments: index, value
	opIn              // in at offset (argument % 4), width 1
	opInWord          // 16-bit in at offset (argument % 4)
	opSnapshot        // Snapshot of the RAM built from the input so far
	numOps
)

// FuzzPorts decodes its input as CRTC port accesses and snapshots of a text
// buffer filled from the input, and checks that the index reads back, the
// cursor stays on the screen, and the text has at most 25 lines of at most
// 80 characters without trailing spaces.
func FuzzPorts(f *testing.F) {
	f.Add([]byte{opOutIndex, RegCursorLocationLow, opOutData, 0xCF, opOutIndex, RegCursorLocationHigh, opOutData, 0x07, opSnapshot})
	f.Add([]byte{opOutWord, RegStartAddressLow, 80, opOutWord, RegCursorStart, CursorDisable, opSnapshot, opInWord, 0})
	f.Add([]byte{opOutWord, RegStartAddressHigh, 0x3F, opOutWord, RegStartAddressLow, 0xFF, opSnapshot, 'h', 'i'})
	f.Fuzz(func(t *testing.T, in []byte) {
		v := New()
		ram := make([]byte, TextWindow)
		index := byte(0)
		arg := func(i *int) byte {
			*i++
			if *i < len(in) {
				return in[*i]
			}
			return 0
		}
		for i := 0; i < len(in); i++ {
			switch in[i] % numOps {
			case opOutIndex:
				index = arg(&i)
				v.Out(0, []byte{index})
			case opOutData:
				v.Out(1, []byte{arg(&i)})
			case opOutWord:
				index = arg(&i)
				v.Out(0, []byte{index, arg(&i)})
			case opIn:
				off := uint16(arg(&i) % 4)
				var b [1]byte
				v.In(off, b[:])
				if off == 0 && b[0] != index {
					t.Fatalf("index reads %#02x, last written %#02x", b[0], index)
				}
			case opInWord:
				var b [2]byte
				v.In(uint16(arg(&i)%4), b[:])
			case opSnapshot:
				copy(ram[(i*37)%TextWindow:], in[i:])
				checkScreen(t, v.Snapshot(ram), v.State())
			}
		}
		s := v.State()
		w := New()
		w.SetState(s)
		if w.State() != s {
			t.Fatal("SetState(State()) changed the state")
		}
	})
}

func checkScreen(t *testing.T, s Screen, st State) {
	if s.CursorRow < 0 || s.CursorRow >= Rows || s.CursorCol < 0 || s.CursorCol >= Cols {
		t.Fatalf("cursor at %d,%d", s.CursorRow, s.CursorCol)
	}
	if s.CursorVisible && st.Regs[RegCursorStart]&CursorDisable != 0 {
		t.Fatal("cursor visible with the disable bit set")
	}
	if s.CursorStart > CursorLineMask || s.CursorEnd > CursorLineMask {
		t.Fatalf("cursor scan lines %d-%d", s.CursorStart, s.CursorEnd)
	}
	text := s.Text()
	if !utf8.ValidString(text) {
		t.Fatal("text is not UTF-8")
	}
	lines := strings.Split(text, "\n")
	if len(lines) > Rows {
		t.Fatalf("%d lines", len(lines))
	}
	for i, l := range lines {
		if utf8.RuneCountInString(l) > Cols || strings.HasSuffix(l, " ") {
			t.Fatalf("line %d %q too long or not trimmed", i, l)
		}
		if l != s.Row(i) {
			t.Fatalf("line %d %q differs from Row %q", i, l, s.Row(i))
		}
	}
	if text != "" && lines[len(lines)-1] == "" {
		t.Fatal("trailing empty line")
	}
}
