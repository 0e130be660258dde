package interp_test

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/pollscope/pollscope/cpu/interp"
)

// run boots the demo kernel under ICount, types text one key every
// 200 µs of virtual time once the executor runs, and stops at a fixed
// virtual time; it returns the serial output, the instruction count and a
// hash of RAM.
func deterministicRun(t *testing.T, text string) (string, uint64, [32]byte) {
	pc, c := bootPC(t, "scenario=keyboard hz=1000", interp.Options{ICount: true, Log: t.Logf})
	const end = 300 * time.Millisecond
	typed := 0
	next := time.Duration(0)
	for c.Clock().Now() < end {
		if _, done, err := pc.Step(); err != nil || done {
			t.Fatalf("guest ended: %v", err)
		}
		now := c.Clock().Now()
		if bytes.Contains(pc.Serial.Bytes(), []byte("started")) && typed < len(text) && now >= next {
			if next == 0 {
				next = now
			}
			if err := pc.TypeRune(rune(text[typed])); err != nil {
				t.Fatal(err)
			}
			typed++
			next += 200 * time.Microsecond
		}
	}
	return pc.Serial.String(), c.InstructionCount(), sha256.Sum256(pc.RAM)
}

func TestICountRunsAreIdentical(t *testing.T) {
	s1, n1, h1 := deterministicRun(t, "same input\n")
	s2, n2, h2 := deterministicRun(t, "same input\n")
	if s1 != s2 || n1 != n2 || h1 != h2 {
		t.Fatalf("two runs differ: %d vs %d instructions, RAM equal %v\n--- 1 ---\n%s\n--- 2 ---\n%s", n1, n2, h1 == h2, s1, s2)
	}
	if !bytes.Contains([]byte(s1), []byte("same input\n")) {
		t.Fatalf("the typed text was not echoed:\n%s", s1)
	}
	t.Logf("%d instructions, identical serial output and RAM", n1)
}
