package view

import (
	"slices"
	"testing"
)

func TestTickStepFollows125(t *testing.T) {
	cases := []struct {
		nsPerPx, minPx float64
		want           int64
	}{
		{0.01, 90, 1},
		{0.02, 90, 2},
		{0.05, 90, 5},
		{1, 90, 100},
		{1.2, 90, 200},
		{4, 90, 500},
		{2.92e6, 90, 500e6},
		{1e9, 90, 100e9},
	}
	for _, c := range cases {
		if got := TickStep(c.nsPerPx, c.minPx); got != c.want {
			t.Errorf("TickStep(%v, %v) = %d, want %d", c.nsPerPx, c.minPx, got, c.want)
		}
	}
}

func TestRulerLabels(t *testing.T) {
	labels := func(r Ruler) []string {
		var s []string
		for _, tk := range r.Ticks {
			s = append(s, tk.Label)
		}
		return s
	}
	cases := []struct {
		name   string
		v      Viewport
		width  float64
		anchor string
		want   []string
	}{
		{"seconds", Viewport{1_100_000_000, 5_100_000_000}, 1000, "",
			[]string{"1.5 s", "2.0 s", "2.5 s", "3.0 s", "3.5 s", "4.0 s", "4.5 s", "5.0 s"}},
		{"milliseconds", Viewport{5_550_000_000, 5_600_000_000}, 500, "",
			[]string{"5.55 s", "5.56 s", "5.57 s", "5.58 s", "5.59 s"}},
		{"microseconds anchored on a millisecond", Viewport{12_345_100_000, 12_345_600_000}, 500, "12.345 s",
			[]string{"+100 µs", "+200 µs", "+300 µs", "+400 µs", "+500 µs"}},
		{"millisecond steps are absolute", Viewport{12_345_000_000, 12_349_000_000}, 400, "",
			[]string{"12.345 s", "12.346 s", "12.347 s", "12.348 s"}},
		{"microseconds crossing a millisecond", Viewport{12_345_600_000, 12_346_100_000}, 500, "12.345 s",
			[]string{"+600 µs", "+700 µs", "+800 µs", "+900 µs", "+1.0 ms"}},
		{"nanoseconds anchored on a microsecond", Viewport{7_000_000_900, 7_000_001_400}, 500, "7.000000 s",
			[]string{"+900 ns", "+1.0 µs", "+1.1 µs", "+1.2 µs", "+1.3 µs"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := MakeRuler(c.v, 0, c.width, 90)
			got := labels(r)
			want := c.want
			if r.AnchorLabel != c.anchor || !slices.Equal(got, want) {
				t.Errorf("anchor %q, labels %q; want anchor %q, labels %q", r.AnchorLabel, got, c.anchor, want)
			}
			for _, tk := range r.Ticks {
				if tk.X < 0 || tk.X > c.width || tk.T%r.Step != 0 {
					t.Errorf("tick %+v off the ruler or off the step %d", tk, r.Step)
				}
			}
		})
	}
}

func TestFormatOffset(t *testing.T) {
	cases := []struct {
		d, step int64
		want    string
	}{
		{500, 100, "500 ns"},
		{1_002, 2, "1.002 µs"},
		{345_000, 5_000, "345 µs"},
		{1_500_000, 500_000, "1.5 ms"},
		{0, 1_000, "0 µs"},
	}
	for _, c := range cases {
		if got := FormatOffset(c.d, c.step); got != c.want {
			t.Errorf("FormatOffset(%d, %d) = %q, want %q", c.d, c.step, got, c.want)
		}
	}
}

func TestViewportMapsAndZooms(t *testing.T) {
	v := Viewport{1_000, 11_000}
	if x := v.X(6_000, 100, 1000); x != 600 {
		t.Errorf("X(6000) = %v, want 600", x)
	}
	if tm := v.T(600, 100, 1000); tm != 6_000 {
		t.Errorf("T(600) = %v, want 6000", tm)
	}
	z := v.ZoomAt(3_000, 0.5)
	if z.Span() != 5_000 {
		t.Errorf("ZoomAt(3000, 0.5) = %+v, want a span of 5000", z)
	}
	if got := z.T(v.X(3_000, 100, 1000), 100, 1000); got != 3_000 {
		t.Errorf("the zoom's fixed point moved: %d", got)
	}
	if tiny := v.ZoomAt(3_000, 1e-9); tiny.Span() != MinSpan {
		t.Errorf("zooming in past MinSpan gives span %d", tiny.Span())
	}
	if p := v.Pan(-500).EndingAt(20_000); p != (Viewport{10_000, 20_000}) {
		t.Errorf("Pan/EndingAt = %+v", p)
	}
}
