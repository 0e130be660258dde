package emulator

import "github.com/pollscope/pollscope/devices/vga"

// vgaTextBase and vgaTextSize: the colour text-mode buffer, ordinary guest
// RAM that the host reads to render.
const (
	vgaTextBase = 0xb8000
	vgaTextSize = 0x8000
)

// Screen returns a snapshot of the guest's 80×25 VGA text screen: every
// character and attribute, and the cursor as the CRTC registers place it.
func (m *Machine) Screen() vga.Screen {
	m.board.mu.Lock()
	defer m.board.mu.Unlock()
	if m.ram == nil {
		return vga.Screen{}
	}
	return m.board.vga.Snapshot(m.ram[vgaTextBase : vgaTextBase+vgaTextSize])
}

// ScreenText returns the VGA text screen as lines of text (trailing spaces
// and empty lines trimmed).
func (m *Machine) ScreenText() string {
	s := m.Screen()
	return s.Text()
}
