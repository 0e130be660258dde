package emulator

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/pollscope/pollscope/guest"
	"github.com/pollscope/pollscope/trace"
)

// traceRing reads the guest's trace ring (docs/trace-abi.md) out of guest
// RAM while the guest runs. Only the drainer goroutine calls drain; the
// guest writes concurrently, so every shared word is read atomically and
// nothing read is trusted.
type traceRing struct {
	base     uint64 // physical address of the header
	capacity uint64
	// Counters of what the host rejected.
	malformed uint64
	clamped   uint64

	// A slot claimed but never committed (its writer was abandoned, say a
	// thread switched away for good) would stop the drain for ever. The
	// reader waits maxStuckPasses passes for it, then skips it as
	// malformed.
	stuckSeq    uint64
	stuckPasses int
}

// maxStuckPasses is how many drain passes (10 ms apart) an uncommitted
// record may hold up the ones behind it.
const maxStuckPasses = 100

// newTraceRing validates the header the guest announced at addr.
func newTraceRing(ram []byte, addr uint64) (*traceRing, error) {
	if addr%64 != 0 {
		return nil, fmt.Errorf("trace ring header at %#x is not 64-byte aligned", addr)
	}
	if addr+guest.TraceHeaderSize > uint64(len(ram)) {
		return nil, fmt.Errorf("trace ring header at %#x lies outside guest RAM", addr)
	}
	h, err := guest.ParseTraceHeader(ram[addr : addr+guest.TraceHeaderSize])
	if err != nil {
		return nil, err
	}
	end := addr + guest.TraceHeaderSize + h.Capacity*guest.TraceRecordSize
	if end > uint64(len(ram)) {
		return nil, fmt.Errorf("trace ring at %#x with %d records ends past guest RAM", addr, h.Capacity)
	}
	return &traceRing{base: addr, capacity: h.Capacity}, nil
}

func load64(ram []byte, off uint64) uint64 {
	return atomic.LoadUint64((*uint64)(unsafe.Pointer(&ram[off])))
}

func store64(ram []byte, off, v uint64) {
	atomic.StoreUint64((*uint64)(unsafe.Pointer(&ram[off])), v)
}

func load32(ram []byte, off uint64) uint32 {
	return atomic.LoadUint32((*uint32)(unsafe.Pointer(&ram[off])))
}

// dropped returns the guest's count of records it could not write.
func (r *traceRing) dropped(ram []byte) uint64 { return load64(ram, r.base+guest.HdrDropped) }

// drain appends every committed record from read_seq on to evs, at most
// max of them, decoded straight into trace events with their guest TSC
// turned into machine time by toTime, then publishes the new read_seq so the
// guest can reuse the slots.
func (r *traceRing) drain(ram []byte, max int, toTime func(tsc uint64) int64, evs []trace.Event) []trace.Event {
	read := load64(ram, r.base+guest.HdrReadSeq)
	write := load64(ram, r.base+guest.HdrWriteSeq)
	if write-read > r.capacity {
		// The guest moved write_seq further than the ring holds: a broken
		// or hostile writer. Skip to the oldest slot that can be valid.
		r.clamped++
		read = write - r.capacity
	}
	n := 0
	var rec [guest.TraceRecordSize]byte
	for ; read != write && n < max; read++ {
		off := r.base + guest.TraceHeaderSize + (read&(r.capacity-1))*guest.TraceRecordSize
		if load32(ram, off+guest.RecCommit) != uint32(read+1) {
			if !r.stuck(read, write) {
				break // claimed but not committed yet: retry next pass
			}
			r.malformed++ // abandoned: skip it
			n++
			continue
		}
		copy(rec[:], ram[off:off+guest.TraceRecordSize])
		// Re-check the commit word: if the guest lapped the slot while
		// we copied, the copy may be torn.
		if load32(ram, off+guest.RecCommit) != uint32(read+1) {
			break
		}
		if e, ok := decodeRecord(rec[:], toTime); ok {
			evs = append(evs, e)
		} else {
			r.malformed++
		}
		n++
	}
	store64(ram, r.base+guest.HdrReadSeq, read)
	return evs
}

// decodeRecord decodes one committed 32-byte record (docs/trace-abi.md):
// TSC, argument, task id, kind and ready-queue length.
func decodeRecord(b []byte, toTime func(uint64) int64) (trace.Event, bool) {
	le := binary.LittleEndian
	kind := guest.EventKind(le.Uint16(b[20:]))
	if !kind.Valid() {
		return trace.Event{}, false
	}
	return trace.Event{
		Time:  toTime(le.Uint64(b)),
		Arg:   le.Uint64(b[8:]),
		Task:  le.Uint32(b[16:]),
		Kind:  trace.Kind(kind),
		Queue: le.Uint16(b[22:]),
	}, true
}

// stuck reports whether the uncommitted record read has held up the records
// behind it for maxStuckPasses passes.
func (r *traceRing) stuck(read, write uint64) bool {
	if write-read <= 1 {
		return false // nothing behind it: its writer may simply be slow
	}
	if r.stuckSeq != read {
		r.stuckSeq, r.stuckPasses = read, 0
	}
	r.stuckPasses++
	return r.stuckPasses > maxStuckPasses
}
