package view

import "image/color"

// The GUI's colours: a dark theme with one hue per kind of thing on the
// timeline, so that a poll, an interrupt and a VM exit are told apart at a
// glance, and the wake arrows' colour says what woke the task.
var (
	ColWindow      = rgb(0x17, 0x19, 0x1e)
	ColPane        = rgb(0x1f, 0x22, 0x28)
	ColPaneHeader  = rgb(0x2a, 0x2e, 0x36)
	ColBorder      = rgb(0x3a, 0x3f, 0x4a)
	ColFocus       = rgb(0x5b, 0x9b, 0xff)
	ColText        = rgb(0xdc, 0xdf, 0xe6)
	ColTextDim     = rgb(0x8e, 0x95, 0xa3)
	ColTextWarn    = rgb(0xf2, 0xc1, 0x4e)
	ColTextBad     = rgb(0xff, 0x6b, 0x6b)
	ColButton      = rgb(0x33, 0x38, 0x42)
	ColButtonHover = rgb(0x42, 0x49, 0x56)
	ColButtonOn    = rgb(0x2f, 0x5c, 0x9e)
	ColButtonOff   = rgb(0x2a, 0x2d, 0x33)

	ColLaneEven     = rgb(0x22, 0x25, 0x2b)
	ColLaneOdd      = rgb(0x1d, 0x20, 0x25)
	ColLaneSelected = rgb(0x2c, 0x30, 0x45)
	ColGrid         = rgb(0x2e, 0x32, 0x3a)
	ColRuler        = rgb(0x26, 0x29, 0x30)
	ColRowSelected  = rgb(0x2f, 0x3b, 0x57)
	ColRowHover     = rgb(0x29, 0x2d, 0x36)

	// Poll spans: blue while the future returned Pending, green for the
	// poll that completed it. Scheduled time (woken, waiting to be polled)
	// is a faint amber band.
	ColPollPending = rgb(0x4c, 0x9a, 0xff)
	ColPollReady   = rgb(0x3d, 0xd6, 0x8c)
	ColPollOpen    = rgb(0x9c, 0xc8, 0xff)
	ColScheduled   = rgb(0x5e, 0x52, 0x2e)
	ColIRQ         = rgb(0xff, 0x8f, 0x3f)
	ColIdle        = rgb(0x56, 0x5e, 0x6d)
	ColExit        = rgb(0xc0, 0x7c, 0xff)
	ColKey         = rgb(0xff, 0x6b, 0x9a)
	ColKeyUp       = rgb(0xa8, 0x5a, 0x7a) // a key's release: dimmer, and drawn in the lane's lower half

	// Wake arrows, by source.
	ColWakeIRQ     = rgb(0xff, 0xb0, 0x3b)
	ColWakeTask    = rgb(0x3f, 0xd0, 0xe0)
	ColWakeSelf    = rgb(0xff, 0x62, 0xd0)
	ColWakeUnknown = rgb(0xa0, 0xa6, 0xb0)

	// The debugger: time stopped in it (its lane, and a shade over every
	// lane), and in the CPU pane what changed since the last stop.
	ColStopped      = rgb(0xe8, 0x5d, 0x75)
	ColStoppedShade = color.RGBA{0x2c, 0x08, 0x10, 0x3c} // premultiplied: a red veil
	ColChanged      = rgb(0xff, 0xd0, 0x5c)
	ColChangedBg    = rgb(0x4a, 0x3d, 0x1c)

	ColTooltip       = rgb(0x0f, 0x11, 0x15)
	ColTooltipBorder = rgb(0x5b, 0x63, 0x72)
	ColOverlayShade  = color.RGBA{0, 0, 0, 0xa0}
)

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{r, g, b, 0xff} }

// Mix returns a blended k of the way from a to b (k in [0, 1]), opaque.
func Mix(a, b color.RGBA, k float64) color.RGBA {
	k = clamp(k, 0, 1)
	f := func(x, y uint8) uint8 { return uint8(float64(x) + (float64(y)-float64(x))*k + 0.5) }
	return color.RGBA{f(a.R, b.R), f(a.G, b.G), f(a.B, b.B), 0xff}
}

func clamp(x, lo, hi float64) float64 {
	if x < lo {
		return lo
	}
	if x > hi {
		return hi
	}
	return x
}
