package guest

import "testing"

// The argument layouts the demo kernel writes (guest/kernel/src/task/
// resource.rs), built by hand and decoded.
func TestResourceArgs(t *testing.T) {
	t.Run("new", func(t *testing.T) {
		arg := uint64(7)<<48 | uint64(ResourceChannel)<<40 | 7<<32 | 0x10_2030
		id, kind, addr, n := ResourceNewArg(arg)
		if id != 7 || kind != ResourceChannel || addr != 0x10_2030 || n != 7 {
			t.Errorf("ResourceNewArg(%#x) = %d, %v, %#x, %d", arg, id, kind, addr, n)
		}
	})
	t.Run("state", func(t *testing.T) {
		arg := uint64(2)<<48 | 1024<<24 | 3
		if id, n, c := ResourceStateArg(arg); id != 2 || n != 3 || c != 1024 {
			t.Errorf("ResourceStateArg(%#x) = %d, %d, %d", arg, id, n, c)
		}
	})
	t.Run("timer wait", func(t *testing.T) {
		arg := uint64(1)<<48 | 25<<32 | 0x1234_5678
		id, detail := ResourceDetail(arg)
		deadline, left := TimerWait(detail)
		if id != 1 || deadline != 0x1234_5678 || left != 25 {
			t.Errorf("timer wait %#x: id %d, deadline %#x, left %d", arg, id, deadline, left)
		}
	})
	t.Run("wait end", func(t *testing.T) {
		id, why := ResourceDetail(uint64(9)<<48 | uint64(WaitReplaced))
		if id != 9 || WaitEndReason(why) != WaitReplaced || WaitEndReason(why).String() != "replaced" {
			t.Errorf("wait end: id %d, reason %d", id, why)
		}
	})
	t.Run("wake", func(t *testing.T) {
		arg := uint64(WakeInterrupt)<<56 | 2<<32 | 33
		src, vector := WakeSource(arg)
		if WakeResource(arg) != 2 || src != WakeInterrupt || vector != 33 {
			t.Errorf("wake %#x: resource %d, source %v %d", arg, WakeResource(arg), src, vector)
		}
		if WakeResource(uint64(WakeTask)<<56|5) != 0 {
			t.Error("a wake from an older guest names a resource")
		}
	})
	t.Run("kinds", func(t *testing.T) {
		for k, want := range map[EventKind]string{EvResourceNew: "resource-new", EvResourceDrop: "resource-drop", EvTaskExit: "task-exit", 17: "kind(17)"} {
			if k.String() != want {
				t.Errorf("kind %d: %q, want %q", k, k.String(), want)
			}
		}
		if ResourceKind(5).Valid() || ResourceKeyboard.String() != "keyboard" {
			t.Error("resource kinds")
		}
	})
}
