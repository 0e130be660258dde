package trace

import (
	"testing"
)

func TestSubscribe(t *testing.T) {
	c := NewCollector(Options{})
	c.Add(Event{Time: 1, Kind: HostExit}) // before the subscription: not sent
	ch, cancel := c.Subscribe(2)
	c.Add(Event{Time: 30, Kind: HostExit, Arg: 3}, Event{Time: 20, Kind: HostExit, Arg: 2},
		Event{Time: 40, Kind: HostExit, Arg: 4}, Event{Time: 50, Kind: HostExit, Arg: 5})
	var got []uint64
	for range 2 {
		got = append(got, (<-ch).Arg)
	}
	if got[0] != 2 || got[1] != 3 {
		t.Errorf("received args %v, want [2 3]: the batch in time order", got)
	}
	if m := c.Snapshot(); m.SubscriberDrops != 2 {
		t.Errorf("subscriber drops = %d, want 2 (buffer 2, 4 events)", m.SubscriberDrops)
	}
	cancel()
	cancel() // a second call does nothing
	if _, ok := <-ch; ok {
		t.Errorf("channel still open after cancel")
	}
	c.Add(Event{Time: 60, Kind: HostExit}) // must not send on the closed channel
	if m := c.Snapshot(); m.SubscriberDrops != 2 {
		t.Errorf("drops after cancel = %d, want still 2", m.SubscriberDrops)
	}
}

func TestSubscribeDoesNotBlockAdd(t *testing.T) {
	c := NewCollector(Options{})
	_, cancel := c.Subscribe(0) // nobody receives
	defer cancel()
	for i := range 1000 {
		c.Add(Event{Time: int64(i), Kind: HostExit})
	}
	if m := c.Snapshot(); m.SubscriberDrops != 1000 || m.EventCount != 1000 {
		t.Errorf("drops %d, events %d; want 1000 and 1000", m.SubscriberDrops, m.EventCount)
	}
}
