package interp

import (
	"encoding/binary"
	"testing"
	"time"
)

// reportMIPS reports guest instructions per second.
func reportMIPS(b *testing.B, c *CPU, start uint64, d time.Duration) {
	n := c.InstructionCount() - start
	b.ReportMetric(float64(n)/d.Seconds()/1e6, "Minstr/s")
	b.ReportMetric(float64(d.Nanoseconds())/float64(n), "ns/instr")
}

// loopCode is mov ecx, N; body; dec rcx; jnz body; hlt.
func loopCode(n int, body []byte) []byte {
	code := []byte{0xb9, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(code[1:], uint32(n))
	code = append(code, body...)
	code = append(code, 0x48, 0xff, 0xc9) // dec rcx
	rel := -(len(body) + 3 + 2)
	code = append(code, 0x75, byte(int8(rel)), 0xf4)
	return code
}

func benchLoop(b *testing.B, body []byte) {
	c, _ := newTestCPU(b, modeLong, loopCode(max(b.N, 1), body))
	b.ResetTimer()
	start := time.Now()
	runToHalt(b, c)
	reportMIPS(b, c, 0, time.Since(start))
}

// BenchmarkALULoop: add rax, rcx; xor rdx, rax; dec rcx; jnz.
func BenchmarkALULoop(b *testing.B) {
	benchLoop(b, []byte{0x48, 0x01, 0xc8, 0x48, 0x31, 0xc2})
}

// BenchmarkMemLoop: a load, a store, a push and a pop per iteration.
func BenchmarkMemLoop(b *testing.B) {
	benchLoop(b, []byte{
		0x48, 0x8b, 0x04, 0x24, // mov rax, [rsp]
		0x48, 0x89, 0x44, 0x24, 0xf8, // mov [rsp-8], rax
		0x51, // push rcx
		0x5a, // pop rdx
	})
}

// BenchmarkCallLoop: call a function that adds and returns.
func BenchmarkCallLoop(b *testing.B) {
	// body: call f (rel32 to after the loop's hlt); f: add rax, 1; ret
	body := []byte{0xe8, 0, 0, 0, 0}
	code := loopCode(max(b.N, 1), body)
	f := len(code)
	binary.LittleEndian.PutUint32(code[6:], uint32(f-(5+5)))
	code = append(code, 0x48, 0x83, 0xc0, 0x01, 0xc3)
	c, _ := newTestCPU(b, modeLong, code)
	b.ResetTimer()
	start := time.Now()
	runToHalt(b, c)
	reportMIPS(b, c, 0, time.Since(start))
}
