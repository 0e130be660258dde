package emulator

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pollscope/pollscope/cpu/cpuid"
	"github.com/pollscope/pollscope/emulator/internal/pvhelf"
)

// The CPU probe: a guest of a few hundred bytes that executes CPUID for a
// list of leaves and RDMSR for a list of MSRs, prints what it got on COM1
// and exits. It shows what guest code really sees, which on some hosts is
// not what the backend was told (on PVM, leaves 1, 7 and 0xd come from the
// hardware), and with what the machine's firmware left in the MSRs. Used by
// `pollscope -cpu help` and by the golden test of the guest's CPU.

// ProbedLeaves are the CPUID leaves (function, subleaf) the probe reads by
// default: the feature words, the identity and KVM's paravirtual leaves.
var ProbedLeaves = [][2]uint32{
	{0x0, 0}, {0x1, 0}, {0x7, 0}, {0x7, 1}, {0xd, 0}, {0xd, 1},
	{0x40000000, 0}, {0x40000001, 0},
	{0x80000000, 0}, {0x80000001, 0}, {0x80000007, 0}, {0x80000008, 0},
}

// ProbedMSRs are the model-specific registers the probe reads: those a
// kernel reads at boot and firmware sets (firmware.go), and MTRRcap, which
// says what MTRRs there are.
var ProbedMSRs = []uint32{msrAPICBase, 0xfe, msrPAT, msrMTRRDefType, msrAMDHWCR}

// CPUProbe is what the probe guest saw.
type CPUProbe struct {
	// Backend is the backend the probe ran on.
	Backend string
	// Leaves are the CPUID answers, in ProbedLeaves order (Flags unused).
	Leaves []cpuid.Leaf
	// MSRs are the values RDMSR returned, by index.
	MSRs map[uint32]uint64
	// Given is the CPUID table the backend was given (KVM_SET_CPUID2 on
	// KVM; cpuid.Baseline on the software CPU).
	Given []cpuid.Leaf
}

// Leaf returns the probed answer for leaf function, subleaf index.
func (p *CPUProbe) Leaf(function, index uint32) (cpuid.Leaf, bool) {
	for _, l := range p.Leaves {
		if l.Function == function && l.Index == index {
			return l, true
		}
	}
	return cpuid.Leaf{}, false
}

// ProbeCPU boots the probe guest on backend and returns what it saw.
func ProbeCPU(ctx context.Context, backend string) (*CPUProbe, error) {
	m, err := New(Config{Kernel: cpuProbeKernel(ProbedLeaves, ProbedMSRs), Backend: backend, MemoryMiB: MinMemoryMiB})
	if err != nil {
		return nil, err
	}
	defer m.Close()
	given := guestCPUID(m.vcpu)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	res, err := m.Run(ctx)
	if err != nil {
		return nil, fmt.Errorf("the CPU probe guest did not finish: %w", err)
	}
	if res.Outcome != OutcomeExit {
		return nil, fmt.Errorf("the CPU probe guest failed: %v", res)
	}
	p, err := parseCPUProbe(m.Serial())
	if err != nil {
		return nil, err
	}
	p.Backend, p.Given = m.Backend(), given
	return p, nil
}

// parseCPUProbe reads the probe's output: lines "cpuid FFFFFFFF.IIIIIIII:
// EAX EBX ECX EDX" and "msr IIIIIIII: VVVVVVVVVVVVVVVV", then "cpuprobe end".
func parseCPUProbe(out string) (*CPUProbe, error) {
	p := &CPUProbe{MSRs: map[uint32]uint64{}}
	sc := bufio.NewScanner(strings.NewReader(out))
	ended := false
	for sc.Scan() {
		f := strings.Fields(strings.NewReplacer(":", " ", ".", " ").Replace(sc.Text()))
		var v []uint64
		for _, s := range f[min(1, len(f)):] {
			n, err := strconv.ParseUint(s, 16, 64)
			if err != nil {
				break
			}
			v = append(v, n)
		}
		switch {
		case len(f) == 7 && f[0] == "cpuid" && len(v) == 6:
			p.Leaves = append(p.Leaves, cpuid.Leaf{Function: uint32(v[0]), Index: uint32(v[1]),
				EAX: uint32(v[2]), EBX: uint32(v[3]), ECX: uint32(v[4]), EDX: uint32(v[5])})
		case len(f) == 3 && f[0] == "msr" && len(v) == 2:
			p.MSRs[uint32(v[0])] = v[1]
		case sc.Text() == "cpuprobe end":
			ended = true
		}
	}
	if !ended {
		return nil, fmt.Errorf("the CPU probe guest's output is incomplete:\n%s", out)
	}
	return p, nil
}

// cpuProbeTable is where the probe finds its lists: leaf pairs (function,
// subleaf) ending with 0xffffffff, then MSR indexes ending with
// 0xffffffff.
const cpuProbeTable = 0x200

// cpuProbeKernel builds the probe guest for the given leaves and MSRs.
func cpuProbeKernel(leaves [][2]uint32, msrs []uint32) []byte {
	code := append([]byte(nil), cpuProbeCode...)
	code = append(code, make([]byte, cpuProbeTable-len(code))...)
	le := binary.LittleEndian
	for _, l := range leaves {
		code = le.AppendUint32(le.AppendUint32(code, l[0]), l[1])
	}
	code = le.AppendUint32(code, 0xffffffff)
	for _, m := range msrs {
		code = le.AppendUint32(code, m)
	}
	code = le.AppendUint32(code, 0xffffffff)
	return pvhelf.Tiny(code).Build()
}

// cpuProbeCode is the probe, 32-bit code entered at 1 MiB the PVH way
// (assembled with GNU as; the addresses are absolute).
var cpuProbeCode = append([]byte{
	// _start (0x100000)
	0xbc, 0x00, 0x00, 0x08, 0x00, // mov $0x80000,%esp
	0xbe, 0x00, 0x02, 0x10, 0x00, // mov $0x100200,%esi
	0x8b, 0x06, // mov (%esi),%eax
	0x83, 0xf8, 0xff, // cmp $0xffffffff,%eax
	0x74, 0x55, // je 100066
	0x8b, 0x4e, 0x04, // mov 0x4(%esi),%ecx
	0xbf, 0x02, 0x01, 0x10, 0x00, // mov $0x100102,%edi
	0xe8, 0xa4, 0x00, 0x00, 0x00, // call 1000c2
	0x89, 0xc5, // mov %eax,%ebp
	0xe8, 0xae, 0x00, 0x00, 0x00, // call 1000d3
	0xb0, 0x2e, // mov $0x2e,%al
	0xe8, 0x8e, 0x00, 0x00, 0x00, // call 1000ba
	0x89, 0xcd, // mov %ecx,%ebp
	0xe8, 0xa0, 0x00, 0x00, 0x00, // call 1000d3
	0xb0, 0x3a, // mov $0x3a,%al
	0xe8, 0x80, 0x00, 0x00, 0x00, // call 1000ba
	0x8b, 0x06, // mov (%esi),%eax
	0x8b, 0x4e, 0x04, // mov 0x4(%esi),%ecx
	0x0f, 0xa2, // cpuid
	0x52,                         // push %edx
	0x51,                         // push %ecx
	0x53,                         // push %ebx
	0x50,                         // push %eax
	0xbb, 0x04, 0x00, 0x00, 0x00, // mov $0x4,%ebx
	0xb0, 0x20, // mov $0x20,%al
	0xe8, 0x69, 0x00, 0x00, 0x00, // call 1000ba
	0x5d,                         // pop %ebp
	0xe8, 0x7c, 0x00, 0x00, 0x00, // call 1000d3
	0x4b,       // dec %ebx
	0x75, 0xf0, // jne 10004a
	0xb0, 0x0a, // mov $0xa,%al
	0xe8, 0x59, 0x00, 0x00, 0x00, // call 1000ba
	0x83, 0xc6, 0x08, // add $0x8,%esi
	0xeb, 0xa4, // jmp 10000a
	0x83, 0xc6, 0x04, // add $0x4,%esi
	0x8b, 0x0e, // mov (%esi),%ecx
	0x83, 0xf9, 0xff, // cmp $0xffffffff,%ecx
	0x74, 0x3b, // je 1000ab
	0xbf, 0x09, 0x01, 0x10, 0x00, // mov $0x100109,%edi
	0xe8, 0x48, 0x00, 0x00, 0x00, // call 1000c2
	0x89, 0xcd, // mov %ecx,%ebp
	0xe8, 0x52, 0x00, 0x00, 0x00, // call 1000d3
	0xb0, 0x3a, // mov $0x3a,%al
	0xe8, 0x32, 0x00, 0x00, 0x00, // call 1000ba
	0xb0, 0x20, // mov $0x20,%al
	0xe8, 0x2b, 0x00, 0x00, 0x00, // call 1000ba
	0x0f, 0x32, // rdmsr
	0x89, 0xd5, // mov %edx,%ebp
	0xe8, 0x3b, 0x00, 0x00, 0x00, // call 1000d3
	0x89, 0xc5, // mov %eax,%ebp
	0xe8, 0x34, 0x00, 0x00, 0x00, // call 1000d3
	0xb0, 0x0a, // mov $0xa,%al
	0xe8, 0x14, 0x00, 0x00, 0x00, // call 1000ba
	0x83, 0xc6, 0x04, // add $0x4,%esi
	0xeb, 0xbe, // jmp 100069
	0xbf, 0x0e, 0x01, 0x10, 0x00, // mov $0x10010e,%edi
	0xe8, 0x0d, 0x00, 0x00, 0x00, // call 1000c2
	0xb0, 0x00, // mov $0x0,%al
	0xe6, 0xf4, // out %al,$0xf4
	0xf4, // hlt
	// putc (0x1000ba)
	0x52,                   // push %edx
	0x66, 0xba, 0xf8, 0x03, // mov $0x3f8,%dx
	0xee, // out %al,(%dx)
	0x5a, // pop %edx
	0xc3, // ret
	// puts (0x1000c2)
	0x50,       // push %eax
	0x8a, 0x07, // mov (%edi),%al
	0x84, 0xc0, // test %al,%al
	0x74, 0x08, // je 1000d1
	0xe8, 0xec, 0xff, 0xff, 0xff, // call 1000ba
	0x47,       // inc %edi
	0xeb, 0xf2, // jmp 1000c3
	0x58, // pop %eax
	0xc3, // ret
	// hex (0x1000d3)
	0x50,                         // push %eax
	0x51,                         // push %ecx
	0xb9, 0x08, 0x00, 0x00, 0x00, // mov $0x8,%ecx
	0xc1, 0xc5, 0x04, // rol $0x4,%ebp
	0x89, 0xe8, // mov %ebp,%eax
	0x83, 0xe0, 0x0f, // and $0xf,%eax
	0x8a, 0x80, 0xf2, 0x00, 0x10, 0x00, // mov 0x1000f2(%eax),%al
	0xe8, 0xcd, 0xff, 0xff, 0xff, // call 1000ba
	0xe2, 0xeb, // loop 1000da
	0x59, // pop %ecx
	0x58, // pop %eax
	0xc3, // ret
}, []byte("0123456789abcdef"+"cpuid \x00"+"msr \x00"+"cpuprobe end\n\x00")...)

// String lists the probe's answers in the guest's own format, one line per
// leaf and per MSR.
func (p *CPUProbe) String() string {
	var b strings.Builder
	for _, l := range p.Leaves {
		fmt.Fprintf(&b, "cpuid %08x.%08x: %08x %08x %08x %08x\n", l.Function, l.Index, l.EAX, l.EBX, l.ECX, l.EDX)
	}
	for _, idx := range ProbedMSRs {
		if v, ok := p.MSRs[idx]; ok {
			fmt.Fprintf(&b, "msr %08x: %016x\n", idx, v)
		}
	}
	return b.String()
}
