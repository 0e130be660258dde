package emulator

import (
	"fmt"
	"sort"
	"sync"

	"github.com/pollscope/pollscope/devices"
)

// portBus maps I/O port ranges to devices. A device sees only the offset of
// the accessed port from the base it was registered at. Ports nobody claims
// read as 0xFF, as on a PC's ISA bus with no card answering, and every such
// access is counted per port so a user can see what the guest probed.
type portBus struct {
	index     [1 << 16]uint8 // port → 1 + position in ranges, 0 when unclaimed
	ranges    []portRange
	mu        sync.Mutex // guards unclaimed only; the board's lock guards the rest
	unclaimed map[uint16]uint64
}

type portRange struct {
	name string
	base uint16
	size uint16
	dev  devices.PortDevice
}

// register claims size ports from base for dev. It refuses a range that
// overlaps one already claimed.
func (b *portBus) register(name string, base, size uint16, dev devices.PortDevice) error {
	if size == 0 || int(base)+int(size) > 1<<16 {
		return fmt.Errorf("port range %#x+%d for %s is outside the 64 KiB I/O space", base, size, name)
	}
	if len(b.ranges) >= 255 {
		return fmt.Errorf("too many port ranges (registering %s)", name)
	}
	for p := int(base); p < int(base)+int(size); p++ {
		if i := b.index[p]; i != 0 {
			other := b.ranges[i-1]
			return fmt.Errorf("port range %#x-%#x for %s overlaps %s at %#x-%#x",
				base, int(base)+int(size)-1, name, other.name, other.base, int(other.base)+int(other.size)-1)
		}
	}
	b.ranges = append(b.ranges, portRange{name: name, base: base, size: size, dev: dev})
	for p := int(base); p < int(base)+int(size); p++ {
		b.index[p] = uint8(len(b.ranges))
	}
	return nil
}

// access performs one port access of len(data) bytes. A port nobody
// claims is counted and, for a read, answers all ones.
func (b *portBus) access(port uint16, write bool, data []byte) {
	i := b.index[port]
	if i == 0 {
		b.countUnclaimed(port)
		if !write {
			for k := range data {
				data[k] = 0xFF
			}
		}
		return
	}
	r := &b.ranges[i-1]
	if write {
		r.dev.Out(port-r.base, data)
	} else {
		r.dev.In(port-r.base, data)
	}
}

func (b *portBus) countUnclaimed(port uint16) {
	b.mu.Lock()
	if b.unclaimed == nil {
		b.unclaimed = make(map[uint16]uint64)
	}
	b.unclaimed[port]++
	b.mu.Unlock()
}

// UnclaimedAccess is how often the guest touched one port nobody claims.
type UnclaimedAccess struct {
	Port  uint16
	Count uint64
}

// unclaimedAccesses lists the unclaimed ports the guest touched, by port.
func (b *portBus) unclaimedAccesses() []UnclaimedAccess {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]UnclaimedAccess, 0, len(b.unclaimed))
	for p, n := range b.unclaimed {
		out = append(out, UnclaimedAccess{Port: p, Count: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Port < out[j].Port })
	return out
}
