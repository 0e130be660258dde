package session

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pollscope/pollscope/trace"
)

// Checkpoints taken every few thousand events: Model(T) from the nearest
// one is still the model of the events up to T, going back and forth;
// with a small MaxEvents (the model evicts, so checkpoints hold copies of
// their own) they are thinned to the limit.
func TestCheckpoints(t *testing.T) {
	defer func(n int64) { checkpointEvery = n }(checkpointEvery)
	checkpointEvery = 2000
	for _, o := range []trace.Options{testMeta.Trace, {MaxEvents: 3000, MaxTasks: 4}} {
		t.Run(fmt.Sprintf("max-events-%d", o.MaxEvents), func(t *testing.T) {
			run := synth(60_000, 11)
			meta := testMeta
			meta.Trace = o
			s := open(t, recordWith(t, meta, run, &testEnd).file)
			if len(s.checkpoints) < 3 {
				t.Fatalf("%d checkpoints in %d events", len(s.checkpoints), run.events)
			}
			for i := 1; i < len(s.checkpoints); i++ {
				if s.checkpoints[i].cur.at <= s.checkpoints[i-1].cur.at {
					t.Fatalf("checkpoints out of order at %d", i)
				}
			}
			k := &checkpointer{list: s.checkpoints}
			if n := k.copies(); n > maxCheckpointCopies {
				t.Errorf("%d checkpoints hold copies of their own, limit %d", n, maxCheckpointCopies)
			}
			// Each checkpoint is the model at its time.
			for _, cp := range s.checkpoints {
				if d := modelDiff(cp.cur.c.Snapshot(), run.collectUpTo(o, cp.cur.at)); d != "" {
					t.Fatalf("the checkpoint at %d: %s", cp.cur.at, d)
				}
			}
			start, last := s.Range()
			rng := rand.New(rand.NewPCG(5, 6))
			var times []int64
			for range 12 {
				times = append(times, start+rng.Int64N(last-start))
			}
			// Exactly at a checkpoint, just before and after one.
			cp := s.checkpoints[len(s.checkpoints)/2].cur.at
			times = append(times, cp, cp-1, cp+1, last-1, start)
			for _, at := range times {
				if d := modelDiff(s.Model(at), run.collectUpTo(o, at)); d != "" {
					t.Fatalf("Model(%d): %s", at, d)
				}
			}
			// The checkpoints were only cloned, never fed.
			for _, cp := range s.checkpoints {
				if d := modelDiff(cp.cur.c.Snapshot(), run.collectUpTo(o, cp.cur.at)); d != "" {
					t.Fatalf("after the models, the checkpoint at %d: %s", cp.cur.at, d)
				}
			}
			if s.resumed == 0 {
				t.Errorf("no model came from a checkpoint (%d moved, %d rebuilt)", s.moved, s.rebuilt)
			}
			t.Logf("%d events, %d checkpoints (%d with copies of their own); models: %d from checkpoints, %d moved, %d rebuilt",
				run.events, len(s.checkpoints), k.copies(), s.resumed, s.moved, s.rebuilt)
		})
	}
}
