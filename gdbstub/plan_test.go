package gdbstub

import (
	"errors"
	"slices"
	"testing"

	"github.com/pollscope/pollscope/cpu"
)

func TestAlignedPieces(t *testing.T) {
	cases := []struct {
		addr, length uint64
		want         []Piece
	}{
		{0x1000, 4, []Piece{{0x1000, 4}}},
		{0x1000, 8, []Piece{{0x1000, 8}}},
		{0x1001, 1, []Piece{{0x1001, 1}}},
		{0x1001, 4, []Piece{{0x1001, 1}, {0x1002, 2}, {0x1004, 1}}},
		{0x1000, 12, []Piece{{0x1000, 8}, {0x1008, 4}}},
		{0x1006, 16, []Piece{{0x1006, 2}, {0x1008, 8}, {0x1010, 4}, {0x1014, 2}}},
		{0x1000, 0, nil},
	}
	for _, c := range cases {
		if got := AlignedPieces(c.addr, c.length); !slices.Equal(got, c.want) {
			t.Errorf("AlignedPieces(%#x, %d) = %v, want %v", c.addr, c.length, got, c.want)
		}
	}
}

func TestPlanDebug(t *testing.T) {
	bps := []Breakpoint{
		{Kind: SoftwareBreakpoint, Addr: 0x1000, Len: 1},
		{Kind: HardwareBreakpoint, Addr: 0x2000, Len: 1},
		{Kind: WriteWatchpoint, Addr: 0x3006, Len: 4},
		{Kind: AccessWatchpoint, Addr: 0x4000, Len: 8},
		{Kind: ReadWatchpoint, Addr: 0x5000, Len: 1},
	}
	t.Run("software breakpoints as INT3", func(t *testing.T) {
		p, err := PlanDebug(bps, true, PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		c := p.Config
		if !c.SingleStep || !c.TrapBreakpointInstruction || !slices.Equal(c.Breakpoints, []uint64{0x2000}) || !slices.Equal(p.Software, []uint64{0x1000}) {
			t.Errorf("config %+v, software %v", c, p.Software)
		}
		want := []cpu.Watchpoint{{Addr: 0x3006, Len: 2, Kind: cpu.WatchWrite}, {Addr: 0x3008, Len: 2, Kind: cpu.WatchWrite},
			{Addr: 0x4000, Len: 8, Kind: cpu.WatchReadWrite}, {Addr: 0x5000, Len: 1, Kind: cpu.WatchRead}}
		if !slices.Equal(c.Watchpoints, want) {
			t.Errorf("watchpoints %v, want %v", c.Watchpoints, want)
		}
		stops := []struct {
			d    cpu.DebugStop
			want Stop
		}{
			{cpu.DebugStop{Reason: cpu.DebugStep}, Stop{Reason: StopStep}},
			{cpu.DebugStop{Reason: cpu.DebugBreakInstruction, Addr: 0x1000}, Stop{Reason: StopSoftwareBreakpoint}},
			{cpu.DebugStop{Reason: cpu.DebugBreakInstruction, Addr: 0x1234}, Stop{Reason: StopTrap}},
			{cpu.DebugStop{Reason: cpu.DebugBreakpoint, Addr: 0x2000}, Stop{Reason: StopHardwareBreakpoint}},
			{cpu.DebugStop{Reason: cpu.DebugWatchpoint, Addr: 0x3008, Watch: 1}, Stop{Reason: StopWatchpoint, Watch: bps[2], Addr: 0x3008}},
			{cpu.DebugStop{Reason: cpu.DebugWatchpoint, Addr: 0x5000, Watch: 3}, Stop{Reason: StopWatchpoint, Watch: bps[4], Addr: 0x5000}},
			{cpu.DebugStop{Reason: cpu.DebugWatchpoint, Watch: 9}, Stop{Reason: StopTrap}},
			{cpu.DebugStop{}, Stop{Reason: StopTrap}},
		}
		for _, s := range stops {
			if got := p.Stop(s.d); got != s.want {
				t.Errorf("Stop(%+v) = %+v, want %+v", s.d, got, s.want)
			}
		}
	})
	t.Run("software breakpoints in the debug registers", func(t *testing.T) {
		p, err := PlanDebug(bps[:2], false, PlanOptions{SoftwareAsHardware: true})
		if err != nil {
			t.Fatal(err)
		}
		if p.Config.TrapBreakpointInstruction || p.Software != nil || !slices.Equal(p.Config.Breakpoints, []uint64{0x1000, 0x2000}) {
			t.Errorf("config %+v", p.Config)
		}
		if got := p.Stop(cpu.DebugStop{Reason: cpu.DebugBreakpoint, Addr: 0x1000}); got.Reason != StopSoftwareBreakpoint {
			t.Errorf("a stop at the software breakpoint is %v", got.Reason)
		}
	})
	t.Run("too wide a watch", func(t *testing.T) {
		_, err := PlanDebug([]Breakpoint{{Kind: WriteWatchpoint, Addr: 0, Len: 1 << 20}}, false, PlanOptions{})
		if !errors.Is(err, cpu.ErrDebugUnsupported) {
			t.Errorf("PlanDebug = %v", err)
		}
	})
}
