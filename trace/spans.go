package trace

import (
	"cmp"
	"slices"
)

// Interrupt handler and hlt spans. A span goes to the model's list when it
// ends; until then it is in the executor state (and a snapshot's Open*).

const (
	maxIRQDepth   = 16 // deeper nesting means IrqExit records were lost
	maxIRQPending = 64 // nested spans held while an outer handler runs
)

func (c *Collector) irqEnter(v uint8, t int64) {
	c.exec.switchClean = false
	if len(c.exec.irqOpen) >= maxIRQDepth {
		c.unmatched++ // IrqExit records were lost
		c.endIRQs(0, t)
	}
	c.exec.irqOpen = append(c.exec.irqOpen, IRQSpan{Vector: v, Start: t})
	c.lanes.irq(v)
}

func (c *Collector) irqExit(v uint8, t int64) {
	open := c.exec.irqOpen
	for i := len(open) - 1; i >= 0; i-- {
		if open[i].Vector == v {
			if i != len(open)-1 {
				c.unmatched++ // the handlers above lost their IrqExit
			}
			c.endIRQs(i, t)
			return
		}
	}
	c.unmatched++
}

// endIRQs ends the handlers irqOpen[i:] at t. Spans go to the model in
// Start order: nested ones wait until the outermost ends.
func (c *Collector) endIRQs(i int, t int64) {
	open := c.exec.irqOpen
	for j := len(open) - 1; j >= i; j-- {
		s := open[j]
		s.End = t
		c.exec.irqDone = append(c.exec.irqDone, s)
		// A handler nested in one of its own vector (lost records) is
		// drawn as part of the outer one.
		if !slices.ContainsFunc(open[:j], func(o IRQSpan) bool { return o.Vector == s.Vector }) {
			c.lanes.irq(s.Vector).add(s.Start, t, 0, 0)
		}
	}
	c.exec.irqOpen = open[:i]
	if i > 0 && len(c.exec.irqDone) < maxIRQPending {
		return
	}
	if i > 0 { // too many held: an outer IrqExit was lost
		c.unmatched++
		c.endIRQs(0, t)
		return
	}
	done := c.exec.irqDone
	// Held spans ended innermost first; restore Start order (outer first
	// on equal starts).
	slices.SortFunc(done, func(a, b IRQSpan) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(b.End, a.End))
	})
	c.irqs = append(grow(c.irqs, len(done)), done...)
	c.stored += len(done)
	c.exec.irqDone = done[:0]
}

func (c *Collector) idleEnter(queue uint16, t int64) {
	c.exec.switchClean = false
	if queue > 0 && !c.exec.missedLinted {
		c.exec.missedLinted = true
		c.lints = append(c.lints, missedWakeupLint(t, queue))
	}
	if len(c.exec.irqOpen) > 0 {
		c.unmatched++ // interrupts are off at IdleEnter: their IrqExit was lost
		c.endIRQs(0, t)
	}
	if r := c.exec.running; r != nil {
		c.unmatched++
		c.endPoll(r, t, false, 0, true)
	}
	if c.exec.idleOpen {
		c.unmatched++ // its IdleExit was lost
		c.endIdle(t)
	}
	c.exec.idleOpen, c.exec.idleStart = true, t
}

func (c *Collector) idleExit(t int64) {
	if !c.exec.idleOpen {
		c.unmatched++
		return
	}
	c.endIdle(t)
}

// endIdle ends the hlt in progress, if any, at t.
func (c *Collector) endIdle(t int64) {
	if !c.exec.idleOpen {
		return
	}
	c.idle = append(grow(c.idle, 1), Span{Start: c.exec.idleStart, End: t})
	c.stored++
	c.lanes.idle.add(c.exec.idleStart, t, 0, 0)
	c.exec.idleOpen = false
}
