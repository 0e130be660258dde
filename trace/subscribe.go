package trace

import "sync"

// subscriber is one Subscribe call's channel.
type subscriber struct {
	ch chan Event
}

// Subscribe returns a channel that receives every Event added after the
// call, in the order Add applies them (each batch sorted by time; times as
// given, before any clamping), and a function that ends the subscription
// and closes the channel; calling it again does nothing. Add never waits
// for a subscriber: an event that does not fit in the channel's buffer is
// lost for that subscriber and counted in Model.SubscriberDrops.
func (c *Collector) Subscribe(buffer int) (<-chan Event, func()) {
	s := &subscriber{ch: make(chan Event, max(buffer, 0))}
	c.mu.Lock()
	c.subs[s] = struct{}{}
	c.mu.Unlock()
	var once sync.Once
	return s.ch, func() {
		once.Do(func() {
			c.mu.Lock()
			delete(c.subs, s)
			c.mu.Unlock()
			close(s.ch)
		})
	}
}

// publish offers a batch to the subscribers. It runs with c.mu held, which
// is what keeps a channel from being closed while it is sent to.
func (c *Collector) publish(batch []Event) {
	for s := range c.subs {
		for _, e := range batch {
			select {
			case s.ch <- e:
			default:
				c.subDrops++
			}
		}
	}
}
