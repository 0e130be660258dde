package emulator

// postPort is port 0x80, where PC firmware writes power-on self-test
// progress codes for a POST card to display and where operating systems
// write to pause for an ISA bus cycle (Linux's outb_p). It keeps the last
// code written; reads return it, as on boards that latch it.
type postPort struct{ code byte }

func (p *postPort) In(off uint16, data []byte) {
	for i := range data {
		data[i] = p.code
	}
}

func (p *postPort) Out(off uint16, data []byte) { p.code = data[0] }
