package main

import (
	"fmt"
	"io"
	"strings"
)

// plotted are the switch-cost figures drawn in the SVG, in order.
var plotted = []struct{ label, key string }{
	{"coop yield, 2 tasks", "GuestCoopYield ns/switch-n2"},
	{"coop yield, 16 tasks", "GuestCoopYield ns/switch"},
	{"coop yield, 256 tasks", "GuestCoopYield ns/switch-n256"},
	{"coop yield, 16, traced", "GuestCoopYieldTraced ns/switch"},
	{"coop ping-pong", "GuestCoopPingPong ns/switch"},
	{"preempt yield, 2 threads", "GuestPreemptYield ns/switch-n2"},
	{"preempt yield, 16 threads", "GuestPreemptYield ns/switch"},
	{"preempt yield, 256 threads", "GuestPreemptYield ns/switch-n256"},
	{"preempt ping-pong", "GuestPreemptPingPong ns/switch"},
	{"preempt by timer", "GuestPreemptTimer ns/switch"},
	{"QEMU: coop yield, 16", "QEMUGuestCoopYield ns/switch"},
	{"host thread ping-pong", "ThreadPingPong ns/switch"},
	{"host goroutine ping-pong", "GoroutinePingPong ns/switch"},
}

// writeSVG draws each switch cost as a bar at its median with a whisker
// over its spread, on a linear scale in µs. It reports false when none of
// the figures was measured.
func writeSVG(w io.Writer, figs map[string]*figure) bool {
	type row struct {
		label       string
		med, lo, hi float64
	}
	var rows []row
	top := 0.0
	for _, p := range plotted {
		if f := figs[p.key]; f != nil {
			lo, hi := f.spread()
			rows = append(rows, row{p.label, f.median() / 1000, lo / 1000, hi / 1000})
			top = max(top, hi/1000)
		}
	}
	if len(rows) == 0 || top == 0 {
		return false
	}
	const left, width, rowH = 210, 520, 24
	height := 50 + rowH*len(rows)
	x := func(us float64) float64 { return left + us/top*width }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", left+width+90, height)
	fmt.Fprintf(&b, `<text x="10" y="18" font-size="14">Switch cost per kind (median, whisker: min…max over runs), µs</text>`+"\n")
	for i, r := range rows {
		y := 34 + i*rowH
		colour := "#4a90d9"
		if strings.HasPrefix(r.label, "preempt") {
			colour = "#d98a4a"
		} else if strings.HasPrefix(r.label, "host") || strings.HasPrefix(r.label, "QEMU") {
			colour = "#8a8a8a"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", left-8, y+14, r.label)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="16" fill="%s"/>`+"\n", left, y+2, x(r.med)-left, colour)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="black"/>`+"\n", x(r.lo), x(r.hi), y+10, y+10)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%.3g</text>`+"\n", x(r.hi)+6, y+14, r.med)
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err == nil
}
