package view

import (
	"sort"
	"strconv"

	"github.com/pollscope/pollscope/trace"
)

// LaneKind says what a timeline lane shows.
type LaneKind uint8

// The lanes, in the order the timeline stacks them.
const (
	LaneTask LaneKind = iota // one task's polls and scheduled time
	LaneIRQ                  // one interrupt vector's handler runs
	LaneIdle                 // the CPU in hlt
	LaneExit                 // VM exits of one kind
	LaneKeys                 // host key events entering the keyboard
)

// Lane is one row of the timeline.
type Lane struct {
	Kind   LaneKind
	Task   uint32 // LaneTask
	Vector uint8  // LaneIRQ
	Exit   string // LaneExit: the exit kind's name
	Label  string
	Sub    string // dim text after the label (a task's id)
	Y, H   float64
}

// Lane geometry.
const (
	LaneH     = 20 // a lane's height
	LaneGap   = 2  // between two lanes
	GroupGap  = 10 // between two groups (tasks, interrupts, CPU, host)
	LabelW    = 168
	RulerH    = 24
	HeaderH   = 22
	PlotPadR  = 10
	MaxArrows = 250 // wake arrows drawn at most; past it only the selected task's
)

// BuildLanes lists the lanes for a model and its index: every task (by id),
// every interrupt vector seen (by vector), the idle lane, every VM exit kind
// seen (by name) and the host key lane.
func BuildLanes(m *trace.Model, x *Index) []Lane {
	var lanes []Lane
	for i := range m.Tasks {
		t := &m.Tasks[i]
		name := t.Name
		if name == "" {
			name = "task"
		}
		lanes = append(lanes, Lane{Kind: LaneTask, Task: t.ID, Label: name, Sub: "#" + strconv.FormatUint(uint64(t.ID), 10)})
	}
	vecs := map[uint8]bool{}
	for v := range x.irqs {
		vecs[v] = true
	}
	for _, q := range m.OpenIRQs {
		vecs[q.Vector] = true
	}
	for i := searchIRQs(m.IRQs, x.irqCur); i < len(m.IRQs); i++ {
		vecs[m.IRQs[i].Vector] = true
	}
	vs := make([]int, 0, len(vecs))
	for v := range vecs {
		vs = append(vs, int(v))
	}
	sort.Ints(vs)
	for _, v := range vs {
		lanes = append(lanes, Lane{Kind: LaneIRQ, Vector: uint8(v), Label: trace.VectorName(uint8(v))})
	}
	lanes = append(lanes, Lane{Kind: LaneIdle, Label: "idle (hlt)"})
	exits := map[string]bool{}
	for n := range x.exits {
		exits[n] = true
	}
	for i := searchHost(m.Host, x.hostCur); i < len(m.Host); i++ {
		if m.Host[i].Kind == trace.HostExit {
			exits[m.Host[i].Name] = true
		}
	}
	names := make([]string, 0, len(exits))
	for n := range exits {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		lanes = append(lanes, Lane{Kind: LaneExit, Exit: n, Label: "exit " + n})
	}
	lanes = append(lanes, Lane{Kind: LaneKeys, Label: "host keys"})
	return lanes
}

// group is the lane's group: tasks, interrupts, the CPU, the host.
func (l *Lane) group() int {
	switch l.Kind {
	case LaneTask:
		return 0
	case LaneIRQ:
		return 1
	case LaneIdle:
		return 2
	}
	return 3
}

// PlaceLanes sets each lane's Y and H, stacking them from top with a gap
// between groups, and returns the total height.
func PlaceLanes(lanes []Lane, top float64) float64 {
	y := top
	for i := range lanes {
		if i > 0 {
			y += LaneGap
			if lanes[i].group() != lanes[i-1].group() {
				y += GroupGap
			}
		}
		lanes[i].Y, lanes[i].H = y, LaneH
		y += LaneH
	}
	return y - top
}

// TaskLane returns the index of task id's lane, or -1.
func TaskLane(lanes []Lane, id uint32) int {
	for i := range lanes {
		if lanes[i].Kind == LaneTask && lanes[i].Task == id {
			return i
		}
	}
	return -1
}

// IRQLane returns the index of vector v's lane, or -1.
func IRQLane(lanes []Lane, v uint8) int {
	for i := range lanes {
		if lanes[i].Kind == LaneIRQ && lanes[i].Vector == v {
			return i
		}
	}
	return -1
}
