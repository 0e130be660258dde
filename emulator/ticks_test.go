package emulator

import "testing"

// edgeCounter counts the rising edges an edge-triggered PIC input sees.
type edgeCounter struct {
	high  bool
	rises int
}

func (e *edgeCounter) SetLevel(h bool) {
	if h && !e.high {
		e.rises++
	}
	e.high = h
}

func TestTickReinjectorRepaysOwedTicks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		events string // e: the PIT drives a rising edge; t: an INTA for IRQ 0
		folded uint64 // edges the PIT folded into others
		want   int    // rising edges the PIC saw in all
	}{
		{"every tick taken in time: nothing owed", "etetet", 0, 3},
		{"the guest was slow: each INTA repays one owed tick", "eeettt", 0, 3 + 2},
		{"the host woke late and the PIT folded 3 edges", "etttt", 3, 1 + 3},
		{"nothing taken: nothing repaid yet", "eeee", 0, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pic := &edgeCounter{}
			r := newTickReinjector(pic)
			r.missed = func() uint64 { return tc.folded }
			for _, ev := range tc.events {
				if ev == 'e' {
					r.SetLevel(false)
					r.SetLevel(true)
				} else {
					r.taken()
				}
			}
			if pic.rises != tc.want {
				t.Fatalf("PIC saw %d rising edges, want %d", pic.rises, tc.want)
			}
		})
	}
}

// After a long stall the debt is capped, and a pause forgives it.
func TestTickReinjectorCapsAndForgives(t *testing.T) {
	pic := &edgeCounter{}
	r := newTickReinjector(pic)
	r.missed = func() uint64 { return 10_000 }
	r.SetLevel(true)
	r.taken()
	if owed := r.due + r.missed() - r.acked; owed != maxOwedTicks {
		t.Fatalf("%d ticks owed after a stall, want the cap %d", owed, maxOwedTicks)
	}
	r.forgive()
	before := pic.rises
	r.taken()
	if pic.rises != before {
		t.Fatal("a forgiven debt was still repaid")
	}
}
