package emulator

import (
	"strings"
	"testing"

	"github.com/pollscope/pollscope/guest"
)

func TestDemangle(t *testing.T) {
	for _, c := range []struct{ raw, want string }{
		{"_ZN16pollscope_kernel4task8executor9poll_task17hfc2150ed64fa9afdE", "pollscope_kernel::task::executor::poll_task"},
		{"_ZN16pollscope_kernel4demo6worker28_$u7b$$u7b$closure$u7d$$u7d$17h1ef883912349862fE", "pollscope_kernel::demo::worker::{{closure}}"},
		{"_ZN16pollscope_kernel4task5queue19ArrayQueue$LT$T$GT$4push17h9158d81dd7d28245E", "pollscope_kernel::task::queue::ArrayQueue<T>::push"},
		{"_ZN4core3fmt3num52_$LT$impl$u20$core..fmt..Debug$u20$for$u20$usize$GT$3fmt17h0123456789abcdefE", "core::fmt::num::<impl core::fmt::Debug for usize>::fmt"},
		{"_ZN3foo3barE.llvm.1234", "foo::bar"},
		{"_ZN3foo3bar17h0123456789abcdefE", "foo::bar"},
		{"_ZN17h0123456789abcdefE", "h0123456789abcdef"}, // a path of the hash alone is a name
		// rustc's v0 mangling.
		{"_RNvCsfLfy6EI15iL_7___rustc14___rust_dealloc", "__rustc::__rust_dealloc"},
		{"_RNvMsa_NtCsgEmfK2I1SDS_4core3fmtNtB5_9Formatter3pad", "<core::fmt::Formatter>::pad"},
		{"_RINvNtCsgEmfK2I1SDS_4core3ptr13drop_in_placeNtNtCslNYArtu3iFV_5alloc6string6StringEBK_", "core::ptr::drop_in_place::<alloc::string::String>"},
		{"_RNvXs1g_NtCsgEmfK2I1SDS_4core3fmtRDNtB6_5DebugEL_Bx_3fmtB8_", "<&dyn core::fmt::Debug as core::fmt::Debug>::fmt"},
		{"_RNvXs_NtNtCsgEmfK2I1SDS_4core3ops5rangeINtB4_5RangejENtNtB8_3fmt5Debug3fmtB8_", "<core::ops::range::Range<usize> as core::fmt::Debug>::fmt"},
		{"_RNvXs6_NtNtCsgEmfK2I1SDS_4core3fmt3numjNtB7_8LowerHex3fmt", "<usize as core::fmt::LowerHex>::fmt"},
		{"_RNCNvCs1234_5crate4main0B3_", "crate::main::{closure#0}"},
		{"_RNvCs1234_5crateB0_", "_RNvCs1234_5crateB0_"}, // a backref to itself
		{"_RNvC", "_RNvC"},
		{"_RNvCu5crate", "_RNvCu5crate"}, // punycode: not read
		// Not Rust: as they are.
		{"pvh_start32", "pvh_start32"},
		{"_ZN3foo", "_ZN3foo"},                   // no E
		{"_ZN99fooE", "_ZN99fooE"},               // a length past the end
		{"_ZN3f$ZZ$E", "_ZN3f$ZZ$E"},             // an unknown escape
		{"_ZN3foo3barEjunk", "_ZN3foo3barEjunk"}, // junk after E
		{"_ZN4f$u0$E", "_ZN4f$u0$E"},             // a control character
		{"_ZN0E", "_ZN0E"},                       // an empty component
		{"_ZNE", "_ZNE"},                         // no component
	} {
		if got := demangle(c.raw); got != c.want {
			t.Errorf("demangle(%q) = %q, want %q", c.raw, got, c.want)
		}
	}
}

func FuzzDemangle(f *testing.F) {
	for _, s := range []string{"_ZN16pollscope_kernel4task8executor9poll_task17hfc2150ed64fa9afdE", "_ZN3f$LT$E", "_ZN1a..b$u7b$E", "x",
		"_RNvXs1g_NtCsgEmfK2I1SDS_4core3fmtRDNtB6_5DebugEL_Bx_3fmtB8_", "_RINvNtCsgEmfK2I1SDS_4core3ptr13drop_in_placeNtNtCslNYArtu3iFV_5alloc6string6StringEBK_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := demangle(raw)
		if !strings.HasPrefix(raw, "_ZN") && !strings.HasPrefix(raw, "__ZN") && !strings.HasPrefix(raw, "_R") && got != raw {
			t.Fatalf("demangle(%q) = %q: only _ZN and _R names change", raw, got)
		}
		if len(got) > v0MaxOutput && len(got) > 4*len(raw) {
			t.Fatalf("demangle(%q) grew to %d bytes", raw, len(got))
		}
		ShortName(got)
	})
}

func TestShortName(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"pollscope_kernel::task::executor::poll_task", "executor::poll_task"},
		{"pollscope_kernel::demo::worker::{{closure}}", "demo::worker::{{closure}}"},
		{"poll_task", "poll_task"},
		{"a::b", "a::b"},
		{"<alloc::vec::Vec<T> as core::iter::Extend<T>>::extend", "<alloc::vec::Vec<T> as core::iter::Extend<T>>::extend"},
		{"core::ptr::drop_in_place<alloc::sync::Arc<x::y>>", "ptr::drop_in_place<alloc::sync::Arc<x::y>>"},
	} {
		if got := ShortName(c.name); got != c.want {
			t.Errorf("ShortName(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

// The demo kernel's table names its executor's functions, a label without
// a size reaches the next symbol, and addresses outside every symbol have
// no name.
func TestLoadSymbolsDemoKernel(t *testing.T) {
	syms, err := LoadSymbols(guest.Kernel)
	if err != nil {
		t.Fatal(err)
	}
	if syms.Len() < 100 {
		t.Fatalf("%d symbols in the demo kernel", syms.Len())
	}
	poll, ok := syms.ByName("pollscope_kernel::task::executor::poll_task")
	if !ok || !poll.Code || poll.Size == 0 || !strings.HasPrefix(poll.Raw, "_ZN16pollscope_kernel4task8executor9poll_task") {
		t.Fatalf("poll_task: %+v, %v", poll, ok)
	}
	if s, ok := syms.ByName("executor::poll_task"); !ok || s.Addr != poll.Addr {
		t.Errorf("ByName by the path's end: %+v, %v", s, ok)
	}
	if s, ok := syms.ByName(poll.Raw); !ok || s.Addr != poll.Addr {
		t.Errorf("ByName by the raw name: %+v, %v", s, ok)
	}
	if _, ok := syms.ByName("run"); ok {
		t.Errorf("ByName(run) found one symbol, but several paths end in ::run")
	}
	if got := syms.Describe(poll.Addr + 0x12); got != poll.Name+"+0x12" {
		t.Errorf("Describe(poll_task+0x12) = %q", got)
	}
	if got := syms.Describe(poll.Addr); got != poll.Name {
		t.Errorf("Describe(poll_task) = %q", got)
	}
	if syms.Code(poll.Addr+poll.Size) && syms.Describe(poll.Addr+poll.Size) == syms.Describe(poll.Addr) {
		t.Errorf("the byte after poll_task is still poll_task")
	}
	// pvh_start64 is an assembly label without a size.
	start, ok := syms.ByName("pvh_start64")
	if !ok || !start.Code || start.Size == 0 {
		t.Fatalf("pvh_start64: %+v, %v", start, ok)
	}
	if got, ok := syms.Lookup(start.Addr + start.Size - 1); !ok || got.Name != "pvh_start64" {
		t.Errorf("the last byte of pvh_start64 is in %+v", got)
	}
	for _, addr := range []uint64{0x10, 0xfffffff0} {
		if s, ok := syms.Lookup(addr); ok {
			t.Errorf("Lookup(%#x) = %+v, want none", addr, s)
		}
	}
}

func TestLoadSymbolsErrors(t *testing.T) {
	if _, err := LoadSymbols([]byte("not an elf")); err == nil {
		t.Errorf("LoadSymbols of junk: no error")
	}
	var none *Symbols
	if _, ok := none.Lookup(1); ok || none.Len() != 0 || none.Describe(1) != "" {
		t.Errorf("a nil table is not empty")
	}
}

func TestNewSymbols(t *testing.T) {
	s := NewSymbols([]Symbol{
		{Name: "outer", Addr: 0x1000, Size: 0x100, Code: true},
		{Name: "label", Addr: 0x1040, Code: true}, // reaches the next symbol
		{Name: "next", Addr: 0x1080, Size: 0x10, Code: true},
		{Name: "data", Addr: 0x2000, Size: 8},
	})
	for _, c := range []struct {
		addr uint64
		want string
	}{{0x1000, "outer"}, {0x1041, "label+0x1"}, {0x107f, "label+0x3f"}, {0x1085, "next+0x5"}, {0x1090, "outer+0x90"}, {0x2004, "data+0x4"}, {0x2008, ""}} {
		if got := s.Describe(c.addr); got != c.want {
			t.Errorf("Describe(%#x) = %q, want %q", c.addr, got, c.want)
		}
	}
	if s.Code(0x2000) || !s.Code(0x1001) {
		t.Errorf("Code: data %v, outer %v", s.Code(0x2000), s.Code(0x1001))
	}
}

// A machine names the addresses of its kernel.
func TestMachineSymbol(t *testing.T) {
	m, err := New(Config{})
	if err != nil {
		t.Skipf("skipping: %v", err)
	}
	defer m.Close()
	poll, ok := m.Symbols().ByName("executor::poll_task")
	if !ok {
		t.Fatal("no poll_task in the machine's symbols")
	}
	name, off, ok := m.Symbol(poll.Addr + 3)
	if !ok || name != "pollscope_kernel::task::executor::poll_task" || off != 3 {
		t.Errorf("Symbol(poll_task+3) = %q, %#x, %v", name, off, ok)
	}
}
