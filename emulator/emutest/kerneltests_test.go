package emutest

import "testing"

func TestParseGuestTests(t *testing.T) {
	serial := "running 3 tests\nheap::box_alloc... [ok]\nqueue::full...\t[failed]\nError: pushed 101 into 100\nmisc::x... [ok]\ntest result: FAILED. 2 passed; 1 failed\n"
	got := ParseGuestTests(serial)
	want := []GuestTest{{"heap::box_alloc", true, ""}, {"queue::full", false, "pushed 101 into 100"}, {"misc::x", true, ""}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("test %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
