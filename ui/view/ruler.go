package view

import "strconv"

// Tick is one labelled mark of the time ruler.
type Tick struct {
	T     int64   // its time
	X     float64 // its pixel
	Label string
}

// Ruler is the ruler for one viewport: ticks every Step ns, labelled either
// with their absolute time (steps of a millisecond and more) or, when the
// step is finer, with their offset from Anchor (shown once as AnchorLabel).
type Ruler struct {
	Step        int64
	Ticks       []Tick
	Anchor      int64
	AnchorLabel string // "" when the ticks carry absolute times
}

// TickStep returns the smallest step of the 1-2-5 series (1, 2, 5, 10, 20,
// ... ns) that puts ticks at least minPx pixels apart.
func TickStep(nsPerPx, minPx float64) int64 {
	want := nsPerPx * minPx
	for step := int64(1); ; step *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if s := step * m; float64(s) >= want || s >= 1e18 {
				return s
			}
		}
	}
}

// MakeRuler lays out the ruler of v on a timeline at x0, width pixels wide,
// with ticks at least minPx apart.
func MakeRuler(v Viewport, x0, width, minPx float64) Ruler {
	step := TickStep(v.NsPerPx(width), minPx)
	r := Ruler{Step: step}
	if step < 1e6 {
		unit := int64(1e3) // steps in ns: anchor on a whole µs
		if step >= 1e3 {
			unit = 1e6 // steps in µs: anchor on a whole ms
		}
		r.Anchor = floorDiv(v.Start, unit) * unit
		r.AnchorLabel = FormatTimeExact(r.Anchor, unit)
	}
	first := floorDiv(v.Start, step) * step
	if first < v.Start {
		first += step
	}
	for t := first; t < v.End; t += step {
		tk := Tick{T: t, X: v.X(t, x0, width)}
		if r.AnchorLabel == "" {
			tk.Label = FormatTimeExact(t, step)
		} else {
			tk.Label = "+" + FormatOffset(t-r.Anchor, step)
		}
		r.Ticks = append(r.Ticks, tk)
	}
	return r
}

// FormatTimeExact writes time t in seconds with as many decimals as a
// resolution of res ns needs: "12 s", "12.5 s", "12.345 s", "12.345678 s".
func FormatTimeExact(t, res int64) string {
	dec := 0
	for p := int64(1e9); p > res && dec < 9; p /= 10 {
		dec++
	}
	neg := ""
	if t < 0 {
		neg, t = "-", -t
	}
	s := strconv.FormatInt(t/1e9, 10)
	if dec > 0 {
		frac := strconv.FormatInt(t%1e9+1e9, 10)[1:] // 9 digits
		s += "." + frac[:dec]
	}
	return neg + s + " s"
}

// FormatOffset writes an offset d (≥ 0) of a ruler whose step is step ns,
// in the step's unit or, once it reaches a thousand of them, the next unit
// with the decimals the step needs: "500 ns", "345 µs", "1.5 ms", "1.002 µs".
func FormatOffset(d, step int64) string {
	units := []struct {
		ns   int64
		name string
	}{{1, "ns"}, {1e3, "µs"}, {1e6, "ms"}, {1e9, "s"}}
	u := 0
	for u+1 < len(units) && step >= units[u+1].ns {
		u++
	}
	for u+1 < len(units) && d >= 1000*units[u].ns {
		u++
	}
	ns := units[u].ns
	dec := 0
	for p := ns; p > step && p > 1 && dec < 9; p /= 10 {
		dec++
	}
	s := strconv.FormatInt(d/ns, 10)
	if dec > 0 {
		frac := strconv.FormatInt(d%ns+ns, 10)[1:]
		s += "." + frac[:dec]
	}
	return s + " " + units[u].name
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
