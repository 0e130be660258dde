package view

import (
	"strconv"

	"github.com/pollscope/pollscope/trace"
)

// LaneKind says what a timeline lane shows.
type LaneKind uint8

// The lanes, in the order the timeline stacks them.
const (
	LaneTask     LaneKind = iota // one task's polls and scheduled time
	LaneResource                 // one of the executor's resources: its fill level, the waits on it, the wakes through it
	LaneIRQ                      // one interrupt vector's handler runs
	LaneIdle                     // the CPU in hlt
	LaneStopped                  // the vCPU stopped in the debugger
	LaneExit                     // VM exits of one kind
	LaneKeys                     // host key events entering the keyboard
)

// Lane is one row of the timeline.
type Lane struct {
	Kind   LaneKind
	Task   uint32 // LaneTask
	Vector uint8  // LaneIRQ
	Exit   string // LaneExit: the exit kind's name
	// LaneResource: the resource's Key, and how many wait rows it has.
	Resource uint32
	Rows     int
	Label    string
	Sub      string // dim text after the label (a task's id)
	Y, H     float64
}

// Lane geometry.
const (
	LaneH     = 20 // a lane's height
	LaneGap   = 2  // between two lanes
	GroupGap  = 10 // between two groups (tasks, interrupts, CPU, host)
	LabelW    = 196
	RulerH    = 24
	HeaderH   = 22
	PlotPadR  = 10
	MaxArrows = 250 // wake arrows drawn at most; past it only the selected task's
)

// BuildLanes lists the lanes of a model: every task (by id), every
// resource (by id), every interrupt vector seen (by vector), the idle lane, the lane of the time
// stopped in the debugger (once there is any), every VM exit kind seen (by
// name) and the host key lane.
func BuildLanes(m *trace.Model, lanes []Lane) []Lane {
	lanes = lanes[:0]
	for i := range m.Tasks {
		t := &m.Tasks[i]
		name := t.Name
		if name == "" {
			name = "task"
		}
		lanes = append(lanes, Lane{Kind: LaneTask, Task: t.ID, Label: name, Sub: "#" + strconv.FormatUint(uint64(t.ID), 10)})
	}
	lanes = appendResourceLanes(m, lanes)
	for _, v := range m.Vectors() {
		lanes = append(lanes, Lane{Kind: LaneIRQ, Vector: v, Label: trace.VectorName(v)})
	}
	lanes = append(lanes, Lane{Kind: LaneIdle, Label: "idle (hlt)"})
	if m.DebugStopLane().Len() > 0 {
		lanes = append(lanes, Lane{Kind: LaneStopped, Label: "stopped in debugger"})
	}
	for _, n := range m.ExitKinds() {
		lanes = append(lanes, Lane{Kind: LaneExit, Exit: n, Label: "exit " + n})
	}
	return append(lanes, Lane{Kind: LaneKeys, Label: "host keys"})
}

// group is the lane's group: tasks, interrupts, the CPU, the host.
func (l *Lane) group() int {
	switch l.Kind {
	case LaneTask:
		return 0
	case LaneResource:
		return 1
	case LaneIRQ:
		return 2
	case LaneIdle, LaneStopped:
		return 3
	}
	return 4
}

// height is how tall the lane is drawn: LaneH, and for a resource its
// fill band above its wait rows.
func (l *Lane) height() float64 {
	if l.Kind == LaneResource {
		return ResFillH + 4 + float64(max(l.Rows, 1))*(ResRowH+ResRowGap) + 2
	}
	return LaneH
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
		lanes[i].Y, lanes[i].H = y, lanes[i].height()
		y += lanes[i].H
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
