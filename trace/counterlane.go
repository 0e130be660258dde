package trace

import "sort"

// CounterLane is a counter's value over time as a timeline draws it: a
// step series (each sample's value holds from its time until the next
// sample), in time order, with the largest value of every block of
// counterBlock samples kept beside it, so that the largest value of any
// run of samples (a pixel column's worth) costs a few dozen reads however
// long the run. The zero CounterLane is empty. A CounterLane from a Model
// is immutable.
type CounterLane struct {
	samples []CounterSample
	blocks  []int // blocks[b] is the largest value of samples[b*counterBlock:(b+1)*counterBlock]
	// before is the value in effect before the first sample, when the
	// samples before it were evicted (hasBefore).
	before    int
	hasBefore bool
}

// counterBlock is how many samples share one kept maximum.
const counterBlock = 64

// Len is the number of samples.
func (l *CounterLane) Len() int { return len(l.samples) }

// Time is sample i's time.
func (l *CounterLane) Time(i int) int64 { return l.samples[i].Time }

// Value is sample i's value.
func (l *CounterLane) Value(i int) int { return l.samples[i].Value }

// Before reports the value in effect before the first sample, known when
// older samples were evicted.
func (l *CounterLane) Before() (int, bool) { return l.before, l.hasBefore }

// FirstAt returns the first sample in [lo, Len()) at or after t, or Len(),
// galloping from lo like SpanList.FirstStartingAt.
func (l *CounterLane) FirstAt(t int64, lo int) int {
	n := len(l.samples)
	if lo >= n || l.samples[lo].Time >= t {
		return lo
	}
	return lo + sort.Search(n-lo, func(k int) bool { return l.samples[lo+k].Time >= t })
}

// ValueAt is the value in effect at t: that of the last sample at or
// before t (or Before). ok is false before anything is known.
func (l *CounterLane) ValueAt(t int64) (v int, ok bool) {
	i := sort.Search(len(l.samples), func(i int) bool { return l.samples[i].Time > t })
	if i == 0 {
		return l.before, l.hasBefore
	}
	return l.samples[i-1].Value, true
}

// Max is the largest value of samples [i, j), or 0 if the range is empty.
func (l *CounterLane) Max(i, j int) int {
	i, j = max(i, 0), min(j, len(l.samples))
	m := 0
	first := true
	take := func(v int) {
		if first || v > m {
			m, first = v, false
		}
	}
	for i < j && i%counterBlock != 0 {
		take(l.samples[i].Value)
		i++
	}
	for i+counterBlock <= j && i/counterBlock < len(l.blocks) {
		take(l.blocks[i/counterBlock])
		i += counterBlock
	}
	for ; i < j; i++ {
		take(l.samples[i].Value)
	}
	return m
}

// counterBuilder is the collector's side of a CounterLane: its samples,
// append-only (snapshots share them), and their block maxima.
type counterBuilder struct {
	blocks []int
}

// added notes that samples grew by one: when that completes a block, its
// maximum is kept.
func (b *counterBuilder) added(samples []CounterSample) {
	n := len(samples)
	if n%counterBlock != 0 || n/counterBlock != len(b.blocks)+1 {
		return
	}
	b.blocks = append(b.blocks, blockMax(samples[n-counterBlock:]))
}

// rebuild recomputes the block maxima after the samples were replaced
// (eviction copies them).
func (b *counterBuilder) rebuild(samples []CounterSample) {
	b.blocks = make([]int, 0, len(samples)/counterBlock+4)
	for k := 0; k+counterBlock <= len(samples); k += counterBlock {
		b.blocks = append(b.blocks, blockMax(samples[k:k+counterBlock]))
	}
}

func blockMax(s []CounterSample) int {
	m := s[0].Value
	for _, x := range s[1:] {
		m = max(m, x.Value)
	}
	return m
}

// lane is what a snapshot holds of the samples.
func (b *counterBuilder) lane(samples []CounterSample, before int, hasBefore bool) *CounterLane {
	return &CounterLane{samples: share(samples), blocks: share(b.blocks), before: before, hasBefore: hasBefore}
}
