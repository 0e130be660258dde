package emulator

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pollscope/pollscope/devices/pic"
	"github.com/pollscope/pollscope/devices/pit"
	"github.com/pollscope/pollscope/gdbstub"
)

// MonitorCommands are the machine's own commands for gdb's `monitor`
// (QEMU's monitor has the same): info pic, info pit and trace FILE. They
// read the devices under the board's lock and may run while the guest runs.
func (m *Machine) MonitorCommands() []gdbstub.Command {
	return []gdbstub.Command{
		{Name: "info pic", Help: "the 8259A pair: IRR, ISR, IMR, ELCR, vector base, INT line", Run: m.infoPIC},
		{Name: "info pit", Help: "the 8254's counters: mode, count, gate, output", Run: m.infoPIT},
		{Name: "trace", Usage: "FILE", Help: "save the executor trace so far (Perfetto JSON) to FILE", Run: m.saveTraceCommand},
	}
}

func (m *Machine) infoPIC(_ string, out io.Writer) error {
	m.board.mu.Lock()
	s := m.board.pic.State()
	m.board.mu.Unlock()
	for _, c := range []struct {
		name string
		chip pic.Chip
	}{{"master", s.Master}, {"slave", s.Slave}} {
		fmt.Fprintf(out, "pic %-6s irr=%02x isr=%02x imr=%02x elcr=%02x lines=%02x vector_base=%#02x init_step=%d\n",
			c.name, c.chip.IRR, c.chip.ISR, c.chip.IMR, c.chip.ELCR, c.chip.Lines, c.chip.VectorBase, c.chip.InitStep)
	}
	fmt.Fprintf(out, "INT line %v\n", s.INTR)
	return nil
}

func (m *Machine) infoPIT(_ string, out io.Writer) error {
	m.board.mu.Lock()
	s := m.board.pit.State()
	var obs [3]pit.Observation
	for i := range obs {
		obs[i] = m.board.pit.Observe(i)
	}
	m.board.mu.Unlock()
	for i, c := range s.Channels {
		fmt.Fprintf(out, "channel %d: mode %d count_register=%#04x count=%#04x gate=%v out=%v bcd=%v running=%v\n",
			i, c.Mode, c.CR, obs[i].Count, c.Gate, obs[i].Out, c.BCD, c.Running)
	}
	fmt.Fprintf(out, "port 0x61=%#02x missed ticks=%d\n", s.PortB, s.Missed)
	return nil
}

func (m *Machine) saveTraceCommand(args string, out io.Writer) error {
	path := strings.TrimSpace(args)
	if path == "" {
		return fmt.Errorf("trace needs a file name: monitor trace FILE")
	}
	m.FlushTrace()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := m.WritePerfetto(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(out, "trace written to %s (%d events)\n", path, m.Trace().EventCount)
	return nil
}
