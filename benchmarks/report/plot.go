package main

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// plotted are the switch-cost figures drawn in the SVG, in order.
var plotted = []struct{ label, key string }{
	{"ring=3 coop yield, 2 tasks", "GuestCoopYield/ring=3 ns/switch-n2"},
	{"ring=3 coop yield, 16 tasks", "GuestCoopYield/ring=3 ns/switch"},
	{"ring=3 coop yield, 256 tasks", "GuestCoopYield/ring=3 ns/switch-n256"},
	{"ring=3 coop yield, 16, traced", "GuestCoopYieldTraced/ring=3 ns/switch"},
	{"ring=3 coop ping-pong", "GuestCoopPingPong/ring=3 ns/switch"},
	{"ring=3 preempt yield, 16 threads", "GuestPreemptYield/ring=3 ns/switch"},
	{"ring=3 preempt ping-pong", "GuestPreemptPingPong/ring=3 ns/switch"},
	{"ring=3 preempt by timer", "GuestPreemptTimer/ring=3 ns/switch"},
	{"ring=0 coop yield, 16 tasks", "GuestCoopYield/ring=0 ns/switch"},
	{"ring=0 coop yield, 16, traced", "GuestCoopYieldTraced/ring=0 ns/switch"},
	{"ring=0 preempt yield, 16 threads", "GuestPreemptYield/ring=0 ns/switch"},
	{"ring=0 preempt by timer", "GuestPreemptTimer/ring=0 ns/switch"},
	{"QEMU TCG: coop yield, 16", "QEMUGuest/accel=tcg ns/switch"},
	{"QEMU TCG: preempt yield, 16", "QEMUGuest/accel=tcg ns/switch-preempt"},
	{"host thread ping-pong", "ThreadPingPong ns/switch"},
	{"host goroutine ping-pong", "GoroutinePingPong ns/switch"},
}

// writeSVG draws each switch cost as a bar at its median with a whisker
// over its spread, on a logarithmic scale (the figures span nanoseconds to
// hundreds of microseconds). It reports false when none of the figures was
// measured.
func writeSVG(w io.Writer, figs map[string]*figure) bool {
	type row struct {
		label       string
		med, lo, hi float64
	}
	var rows []row
	bottom, top := math.Inf(1), 0.0
	for _, p := range plotted {
		if f := figs[p.key]; f != nil {
			lo, hi := f.spread()
			if lo <= 0 {
				continue
			}
			rows = append(rows, row{p.label, f.median(), lo, hi})
			bottom, top = min(bottom, lo), max(top, hi)
		}
	}
	if len(rows) == 0 || top == 0 {
		return false
	}
	// Whole decades around the data, at least one.
	lo10, hi10 := math.Floor(math.Log10(bottom)), math.Ceil(math.Log10(top))
	if hi10 <= lo10 {
		hi10 = lo10 + 1
	}
	const left, width, rowH = 240, 520, 24
	height := 70 + rowH*len(rows)
	x := func(ns float64) float64 { return left + (math.Log10(ns)-lo10)/(hi10-lo10)*width }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", left+width+90, height)
	fmt.Fprintf(&b, `<text x="10" y="18" font-size="14">Switch cost per kind (median, whisker: min…max over runs), log scale</text>`+"\n")
	for d := lo10; d <= hi10; d++ {
		gx := x(math.Pow(10, d))
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="28" y2="%d" stroke="#ddd"/>`+"\n", gx, gx, height-30)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", gx, height-14, formatNs(math.Pow(10, d)))
	}
	for i, r := range rows {
		y := 34 + i*rowH
		colour := "#4a90d9"
		switch {
		case strings.Contains(r.label, "preempt"):
			colour = "#d98a4a"
		case strings.HasPrefix(r.label, "host") || strings.HasPrefix(r.label, "QEMU"):
			colour = "#8a8a8a"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", left-8, y+14, r.label)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="16" fill="%s"/>`+"\n", left, y+2, max(x(r.med)-left, 1), colour)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="black"/>`+"\n", x(r.lo), x(r.hi), y+10, y+10)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%s</text>`+"\n", x(r.hi)+6, y+14, formatNs(r.med))
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err == nil
}
